"""`make console`: the UEFI console of a running `make debug`, in a second terminal.

Without a graphical display the UEFI chapters' console is the serial port (OVMF
mirrors ConOut there as an ANSI terminal). `make run` gives it the learner's
terminal; under `make debug` gdb has that terminal, so the launcher keeps the
serial port itself (ConsoleRelay): QEMU writes it into a FIFO, the launcher
saves every byte to build/serial.txt and relays it to a Unix socket, whose path
it writes to build/run/console.txt. This command connects to that socket and
relays it to the terminal it runs in: what the shell prints shows here, and
keys typed here reach the shell. Ctrl-] leaves (QEMU and gdb go on; `make
console` again comes back).

Why not QEMU's own socket chardev: it hands a socket one byte at a time, and a
console that falls behind for a moment fills it. QEMU then logs bytes twice
(serial_pipe.py says how), and OVMF, finding its UART busy for too long,
drops whole lines of what it prints. The FIFO holds 64 KiB, and the socket
from the launcher takes output in pieces of up to that size.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import subprocess
import sys
import termios
import threading
import tty
from pathlib import Path

from .serial_pipe import SerialPipe

CONSOLE_FILE = "console.txt"       # in build/run/: where the serial socket is
LEAVE_KEY = b"\x1d"                # Ctrl-], as in telnet and make bochs-screen
READ_CHUNK = 4096
POLL_S = 0.05                      # how often the relay looks whether QEMU has ended


def socket_note(build: Path) -> Path:
    return build / "run" / CONSOLE_FILE


class ConsoleRelay:
    """make debug's end of make console. QEMU's serial port is a SerialPipe in
    `folder`; every byte it writes goes to `log`, then to the console connected
    to `socket_path`, if one is. One console at a time: another waits its turn.
    A console that reads slowly slows the relay, and QEMU and the guest with it,
    as a real serial line would: nothing is dropped, and nothing is logged twice."""

    def __init__(self, folder: Path, log: Path):
        self.socket_path = folder / "serial.sock"
        self.log = log
        self.pipe = SerialPipe(folder / "serial", log, tee=self._show)
        self.emulator: subprocess.Popen | None = None     # set once QEMU runs
        self._console: socket.socket | None = None
        self._gone: list[socket.socket] = []              # shut down, closed at the end
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def qemu_arguments(self) -> list[str]:
        return self.pipe.arguments() + ["-serial", self.pipe.serial]

    def start(self) -> None:
        """Before QEMU starts: the FIFOs and the socket must exist."""
        self.log.write_bytes(b"")              # this session's console, from its start
        self.pipe.open()
        self._listener = socket.socket(socket.AF_UNIX)
        self._listener.bind(str(self.socket_path))
        self._listener.listen(1)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stopping.set()
        self._drop()                           # a console blocked in _show lets go
        if self._thread:
            self._thread.join()
        self.pipe.close()
        for conn in self._gone + [self._listener]:
            if conn:
                conn.close()

    def _show(self, data: bytes) -> None:
        """The pipe's tee: output, already in the log, to the console if one is here."""
        with self._lock:
            conn = self._console
        if conn:
            try:
                conn.sendall(data)
            except OSError:                    # it left (Ctrl-]) or was closed
                self._drop(conn)

    def _drop(self, conn: socket.socket | None = None) -> None:
        """Let the console go (`conn`, or whichever is here): shut down, so that a
        thread blocked sending to it returns; closed in close()."""
        with self._lock:
            if self._console is None or (conn and conn is not self._console):
                return
            conn, self._console = self._console, None
        with contextlib.suppress(OSError):
            conn.shutdown(socket.SHUT_RDWR)
        self._gone.append(conn)

    def _qemu_ended(self) -> bool:
        return self.emulator is not None and self.emulator.poll() is not None

    def _serve(self) -> None:
        """Take a console when none is here; type its keys into the port; end
        when QEMU does (the console then says QEMU has ended)."""
        while not self._stopping.is_set():
            if self._qemu_ended():
                self.pipe.drain()              # its last words, then the console's end
                self._drop()
                self._listener.close()
                self.socket_path.unlink(missing_ok=True)
                return
            conn = self._console
            ready, _, _ = select.select([conn or self._listener], [], [], POLL_S)
            if not ready:
                continue
            if conn is None:
                accepted, _ = self._listener.accept()
                with self._lock:
                    self._console = accepted
                continue
            try:
                keys = conn.recv(READ_CHUNK)
            except OSError:
                keys = b""
            if not keys:
                self._drop(conn)
                continue
            self._type(keys)

    def _type(self, keys: bytes) -> None:
        """Into the port's input, which holds 64 KiB: keys that do not fit wait
        for the guest to read (gdb may hold it for minutes), never dropped.
        At most READ_CHUNK bytes, which a pipe with room takes whole."""
        while not (self._stopping.is_set() or self._qemu_ended()):
            try:
                self.pipe.write(keys, wait_s=POLL_S)
                return
            except TimeoutError:
                continue


@contextlib.contextmanager
def raw_terminal():
    """This terminal in raw mode while inside: every key goes to the guest as
    typed (Enter as CR, as a serial terminal sends it), and Ctrl-C is a byte
    for the shell, not a signal. Entered at once (TCSANOW): the default
    (TCSAFLUSH) would throw away keys typed a moment before, such as an Enter
    pressed as soon as the banner shows."""
    here = sys.stdin.fileno()
    saved = termios.tcgetattr(here) if os.isatty(here) else None
    if saved:
        tty.setraw(here, termios.TCSANOW)
    try:
        yield
    finally:
        if saved:
            termios.tcsetattr(here, termios.TCSADRAIN, saved)


def relay(conn: socket.socket) -> str:
    """Copy the console to this terminal and this terminal's keys to the console.
    Returns why it stopped: "left" (Ctrl-]) or "ended" (QEMU closed the socket)."""
    here = sys.stdin.fileno()
    while True:
        ready, _, _ = select.select([conn, here], [], [])
        if conn in ready:
            try:
                data = conn.recv(READ_CHUNK)
            except OSError:
                data = b""
            if not data:
                return "ended"
            os.write(sys.stdout.fileno(), data)
        if here in ready:
            keys = os.read(here, READ_CHUNK)
            if not keys:
                return "left"
            if LEAVE_KEY in keys:
                keys = keys[:keys.index(LEAVE_KEY)]
                if keys:
                    conn.sendall(keys)
                return "left"
            conn.sendall(keys)


def main(build: Path) -> int:
    note = socket_note(build)
    none_running = ("make console: no `make debug` is running for this chapter: start it in "
                    "another terminal first (under `make run` the console is already that "
                    "terminal)")
    if not note.exists():
        print(none_running, file=sys.stderr)
        return 1
    conn = socket.socket(socket.AF_UNIX)
    try:
        conn.connect(note.read_text().strip())
    except (FileNotFoundError, ConnectionRefusedError):
        # A make debug that was killed leaves its note behind.
        note.unlink(missing_ok=True)
        print(none_running, file=sys.stderr)
        return 1
    except OSError as error:
        print(f"make console: QEMU's serial port does not answer ({error}): has `make debug` "
              "ended?", file=sys.stderr)
        return 1
    # Raw before the banner: a key typed as soon as it shows is the guest's.
    with conn, raw_terminal():
        print("The UEFI console of make debug; Ctrl-] leaves, QEMU and gdb go on. What came "
              "before is in build/serial.txt; press Enter for a fresh prompt (once gdb lets "
              "the guest run: `continue`).\r", file=sys.stderr)
        why = relay(conn)
    if why == "ended":
        print("\r\nQEMU has ended: the console is closed.", file=sys.stderr)
    else:
        print("\r\nLeft the console.", file=sys.stderr)
    return 0
