"""`make bochs-screen`: Bochs's text screen in a second terminal.

Without a graphical display, `make run-bochs` uses Bochs's "term" display.
Bochs's debugger keeps the learner's terminal, so Bochs draws the screen on a
pseudo-terminal of its own (it prints `Bochs connected to screen "/dev/pts/N"`).
This command finds that pseudo-terminal for this chapter's Bochs and relays it
to the terminal it runs in: the screen shows there, and keys typed there go to
the guest's keyboard. Ctrl-] leaves (Bochs goes on).
"""

from __future__ import annotations

import os
import re
import select
import sys
import termios
import tty
from pathlib import Path

LEAVE_KEY = b"\x1d"        # Ctrl-], as in telnet
READ_CHUNK = 4096


def bochs_screen_tty(config: Path) -> Path | None:
    """The pseudo-terminal the Bochs started with `config` draws on, or None.

    Bochs holds the master side (/dev/ptmx) of it; Linux names the matching
    /dev/pts/N in that file descriptor's fdinfo (tty-index). Bochs outlives a
    closed terminal, so the newest such Bochs is the learner's."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if not argv or not os.path.basename(argv[0].decode(errors="replace")).startswith("bochs"):
            continue
        if str(config).encode() not in argv:
            continue
        for fd in (proc / "fd").iterdir():
            try:
                if os.readlink(fd) != "/dev/ptmx":
                    continue
                index = re.search(r"^tty-index:\s*(\d+)", (proc / "fdinfo" / fd.name).read_text(),
                                  re.M)
            except OSError:
                continue
            if index:
                stat = (proc / "stat").read_text()
                started = int(stat[stat.rindex(")") + 2:].split()[19])
                found.append((started, Path(f"/dev/pts/{index.group(1)}")))
    return max(found)[1] if found else None


def relay(screen: Path) -> None:
    """Copy the screen to this terminal and this terminal's keys to the screen."""
    fd = os.open(screen, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd, termios.TCSANOW)     # TCSAFLUSH would drop what Bochs drew so far
    here = sys.stdin.fileno()
    saved = termios.tcgetattr(here) if os.isatty(here) else None
    if saved:
        tty.setraw(here)
    try:
        while True:
            ready, _, _ = select.select([fd, here], [], [])
            if fd in ready:
                try:
                    data = os.read(fd, READ_CHUNK)
                except OSError:         # Bochs closed its side: it has ended
                    data = b""
                if not data:
                    return
                os.write(sys.stdout.fileno(), data)
            if here in ready:
                keys = os.read(here, READ_CHUNK)
                if not keys or LEAVE_KEY in keys:
                    return
                os.write(fd, keys)
    finally:
        if saved:
            termios.tcsetattr(here, termios.TCSADRAIN, saved)
        os.close(fd)


def main(config: Path) -> int:
    screen = bochs_screen_tty(config.resolve())
    if screen is None:
        print(f"make bochs-screen: no Bochs is running with {config}: start `make run-bochs` in "
              "another terminal first (its screen is here only without a graphical display)",
              file=sys.stderr)
        return 1
    print(f"Bochs's screen ({screen}); Ctrl-] leaves, Bochs goes on.", file=sys.stderr)
    relay(screen)
    print("\r\nLeft Bochs's screen.", file=sys.stderr)
    return 0
