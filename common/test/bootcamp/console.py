"""`make console`: the UEFI console of a running `make debug`, in a second terminal.

Without a graphical display the UEFI chapters' console is the serial port (OVMF
mirrors ConOut there as an ANSI terminal). `make run` gives it the learner's
terminal; under `make debug` gdb has that terminal, so the launcher gives the
serial port a Unix socket instead (QEMU still copies what the guest writes to
build/serial.txt) and writes the socket's path to build/run/console.txt.
This command connects to it and relays it to the terminal it runs in: what the
shell prints shows here, and keys typed here reach the shell. Ctrl-] leaves
(QEMU and gdb go on; `make console` again comes back).
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import sys
import termios
import tty
from pathlib import Path

CONSOLE_FILE = "console.txt"       # in build/run/: where the serial socket is
LEAVE_KEY = b"\x1d"                # Ctrl-], as in telnet and make bochs-screen
READ_CHUNK = 4096


def socket_note(build: Path) -> Path:
    return build / "run" / CONSOLE_FILE


def chardev_arguments(sock: Path, logfile: Path) -> list[str]:
    """QEMU options for a serial port on a Unix socket that a console may
    connect to at any time (server, no waiting for it), logged to `logfile`.
    With no console connected QEMU drops the bytes but still logs them."""
    return ["-chardev", f"socket,id=console,path={sock},server=on,wait=off,logfile={logfile}",
            "-serial", "chardev:console"]


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
