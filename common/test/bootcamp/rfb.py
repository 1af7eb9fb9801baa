"""Keys for Bochs through its VNC display: the few RFB messages a keyboard needs.

Bochs's `rfb` display library (the one the harness runs Bochs with, headless)
is a VNC server: it listens on a TCP port of this machine and turns the key
events a VNC viewer sends into scancodes for the emulated PS/2 keyboard. That
is how a test types into Bochs, as QEMU's `sendkey` does into QEMU.

The protocol is RFC 6143 (The Remote Framebuffer Protocol):
  server -> "RFB 003.008\\n"; client -> the same version          (7.1.1)
  server -> security types; client -> 1 (None); server -> result (7.1.2, 7.1.3)
  client -> ClientInit (shared flag); server -> ServerInit        (7.3.1, 7.3.2)
  client -> KeyEvent: type 4, down flag, 2 bytes padding, keysym  (7.5.4)
Keys are X Window System keysyms (RFC 6143 7.5.4 refers to them): printable
ASCII is its own keysym; the others are 0xFFxx.

Bochs may send the viewer framebuffer updates whether asked or not; a reader
thread drains them so Bochs never blocks on a full socket.
"""

from __future__ import annotations

import os
import socket
import struct
import threading
import time

RFB_VERSION = b"RFB 003.008\n"
RFB_VERSION_BYTES = 12
SECURITY_NONE = 1
SECURITY_RESULT_OK = 0
CLIENT_INIT_SHARED = 1
SERVER_INIT_FIXED_BYTES = 24         # width, height (2+2), pixel format (16), name length (4)
MESSAGE_KEY_EVENT = 4
TCP_LISTEN = "0A"                    # the state column of /proc/net/tcp (include/net/tcp_states.h)
# How long to hold a key down, and to wait between keys: the emulated keyboard
# controller takes a key from its buffer when the guest reads port 0x60.
KEY_HOLD_SECONDS = 0.02
KEY_GAP_SECONDS = 0.03

# X keysyms for QEMU's sendkey names (QEMU's names are what the tests use).
KEYSYMS = {
    "ret": 0xFF0D, "esc": 0xFF1B, "backspace": 0xFF08, "tab": 0xFF09, "delete": 0xFFFF,
    "up": 0xFF52, "down": 0xFF54, "left": 0xFF51, "right": 0xFF53,
    "home": 0xFF50, "end": 0xFF57, "pgup": 0xFF55, "pgdn": 0xFF56,
    "spc": 0x20, "minus": 0x2D, "dot": 0x2E, "comma": 0x2C, "slash": 0x2F,
    "equal": 0x3D, "semicolon": 0x3B, "apostrophe": 0x27, "backslash": 0x5C,
    "bracket_left": 0x5B, "bracket_right": 0x5D, "grave_accent": 0x60,
    "shift": 0xFFE1, "ctrl": 0xFFE3, "alt": 0xFFE9,
    **{f"f{n}": 0xFFBE + n - 1 for n in range(1, 13)},
}


def listening_ports(pid: int) -> list[int]:
    """The TCP ports process `pid` listens on, from /proc (no tool needed, no guess).

    Bochs takes the first free port from 5900 up and logs it only at a log level
    the harness keeps off, so the harness asks the kernel which of the process's
    sockets listen."""
    inodes = set()
    fd_dir = f"/proc/{pid}/fd"
    try:
        for fd in os.listdir(fd_dir):
            try:
                target = os.readlink(f"{fd_dir}/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[len("socket:["):-1])
    except OSError:
        return []
    ports = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) > 9 and fields[3] == TCP_LISTEN and fields[9] in inodes:
                ports.append(int(fields[1].rsplit(":", 1)[1], 16))
    return sorted(set(ports))


def discard_until_closed(sock: socket.socket) -> None:
    """Read and drop what `sock` receives until it closes: for a peer that talks
    whether or not anyone listens, and would block once the socket's buffer is full."""
    try:
        while sock.recv(65536):
            pass
    except OSError:
        pass


class RfbError(Exception):
    """The VNC server did not speak RFB as expected."""


def keysyms_of(keys: str) -> list[int]:
    """QEMU's key combination ("a", "ret", "ctrl-c", "shift-a") as keysyms, modifiers first."""
    syms = []
    for name in keys.split("-") if keys != "minus" else ["minus"]:
        if name in KEYSYMS:
            syms.append(KEYSYMS[name])
        elif len(name) == 1 and 0x20 < ord(name) < 0x7F:
            syms.append(ord(name))
        else:
            raise ValueError(f"no keysym for key {name!r} (in {keys!r})")
    return syms


class RfbKeyboard:
    """A VNC client that only types."""

    def __init__(self, port: int, *, timeout: float = 10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        try:
            self._handshake()
        except (OSError, RfbError, struct.error):
            self.sock.close()
            raise
        self.sock.settimeout(None)
        self._drain = threading.Thread(target=discard_until_closed, args=(self.sock,),
                                       daemon=True)
        self._drain.start()

    def _read(self, count: int) -> bytes:
        data = b""
        while len(data) < count:
            chunk = self.sock.recv(count - len(data))
            if not chunk:
                raise RfbError(f"the server closed the connection after {len(data)} of "
                               f"{count} bytes")
            data += chunk
        return data

    def _handshake(self) -> None:
        version = self._read(RFB_VERSION_BYTES)
        if not version.startswith(b"RFB "):
            raise RfbError(f"not an RFB server: it said {version!r}")
        minor = int(version[8:11])
        if minor >= 7:
            self.sock.sendall(RFB_VERSION)
            (count,) = self._read(1)
            if count == 0:
                (length,) = struct.unpack(">I", self._read(4))
                raise RfbError(f"the server refused: {self._read(length)!r}")
            types = self._read(count)
            if SECURITY_NONE not in types:
                raise RfbError(f"the server wants security types {list(types)}, not None")
            self.sock.sendall(bytes([SECURITY_NONE]))
            (result,) = struct.unpack(">I", self._read(4))
            if result != SECURITY_RESULT_OK:
                raise RfbError(f"security handshake failed ({result})")
        else:                           # 3.3: the server chooses the security type
            self.sock.sendall(b"RFB 003.003\n")
            (kind,) = struct.unpack(">I", self._read(4))
            if kind != SECURITY_NONE:
                raise RfbError(f"the server chose security type {kind}, not None")
        self.sock.sendall(bytes([CLIENT_INIT_SHARED]))
        fixed = self._read(SERVER_INIT_FIXED_BYTES)
        (name_length,) = struct.unpack(">I", fixed[20:24])
        self._read(name_length)

    def _key(self, keysym: int, down: bool) -> None:
        self.sock.sendall(struct.pack(">BBxxI", MESSAGE_KEY_EVENT, int(down), keysym))

    def press(self, keys: str) -> None:
        """Press and release a combination in QEMU's names: modifiers down first, up last."""
        syms = keysyms_of(keys)
        for sym in syms:
            self._key(sym, True)
        time.sleep(KEY_HOLD_SECONDS)
        for sym in reversed(syms):
            self._key(sym, False)
        time.sleep(KEY_GAP_SECONDS)

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
