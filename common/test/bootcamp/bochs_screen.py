"""`make bochs-screen`: Bochs's text screen in a second terminal.

Without a graphical display, `make run-bochs` uses Bochs's "term" display.
Bochs's debugger keeps the learner's terminal, so Bochs draws the screen on a
pseudo-terminal of its own (it prints `Bochs connected to screen "/dev/pts/N"`).
This command finds that pseudo-terminal for this chapter's Bochs and relays it
to the terminal it runs in: the screen shows there, and keys typed there go to
the guest's keyboard. Ctrl-] leaves (Bochs goes on).

A UEFI chapter's Bochs draws nothing there: OVMF has no video driver for
Bochs's card, and its console is the serial port, which the launcher's bochsrc
writes to a file (com1, build/serial.txt). For those, the terminal shows that
file as it grows instead, and the keys still go to Bochs's keyboard, which
OVMF reads: the UEFI console, both ways.

Keys go to Bochs one at a time. Bochs's keyboard controller holds 16 bytes of
scan codes (a key is two, four with Shift), and the guest empties it only when
it looks, so a pasted line or a fast typist would lose keys. The relay sends
the next key once the screen answered the last one (its echo), or after
KEY_ANSWER_S if the program does not echo.
"""

from __future__ import annotations

import os
import re
import select
import sys
import termios
import time
import tty
from pathlib import Path

from .console import raw_terminal

LEAVE_KEY = b"\x1d"        # Ctrl-], as in telnet
READ_CHUNK = 4096
# How often the serial log is looked at for new output (a person is watching,
# not a test): a tenth of a second feels immediate.
CONSOLE_POLL_S = 0.1
# How long a key may go unanswered before the next one is sent anyway: a
# program that does not echo (a game, a key typed before the prompt) still
# gets its keys, as fast as the keyboard's buffer is likely to take them.
KEY_ANSWER_S = 0.5
# One key: an escape sequence (an arrow, a function key) or one byte.
KEY = re.compile(rb"\x1b\[[0-9;]*[A-Za-z~]|\x1bO.|\x1b.?|.", re.S)


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


def bochs_running(config: Path) -> bool:
    """Whether a Bochs started with `config` runs (on this machine, as anyone)."""
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and os.path.basename(argv[0].decode(errors="replace")).startswith("bochs") \
                and str(config).encode() in argv:
            return True
    return False


def relay(screen: Path, console: Path | None = None) -> None:
    """Copy the screen to this terminal and this terminal's keys to the screen.
    console: show this file's output instead of the screen (which is then read
    and dropped, so that Bochs never waits on a full terminal)."""
    fd = os.open(screen, os.O_RDWR | os.O_NOCTTY)
    shown = 0
    tty.setraw(fd, termios.TCSANOW)     # TCSAFLUSH would drop what Bochs drew so far
    here = sys.stdin.fileno()
    keys: list[bytes] = []              # typed, not yet sent
    sent_at = None                      # when the last key went, until it is answered
    try:
        while True:
            waiting = keys and sent_at is not None
            timeout = CONSOLE_POLL_S if console or waiting else None
            ready, _, _ = select.select([fd, here], [], [], timeout)
            answered = False
            if fd in ready:
                try:
                    data = os.read(fd, READ_CHUNK)
                except OSError:         # Bochs closed its side: it has ended
                    data = b""
                if not data:
                    return
                if not console:
                    os.write(sys.stdout.fileno(), data)
                    answered = True
            if console:
                now_shown = show_new_output(console, shown)
                answered = answered or now_shown != shown
                shown = now_shown
            if answered or (sent_at is not None
                            and time.monotonic() - sent_at > KEY_ANSWER_S):
                sent_at = None
            if here in ready:
                typed = os.read(here, READ_CHUNK)
                if not typed or LEAVE_KEY in typed:
                    return
                keys += KEY.findall(typed)
            if keys and sent_at is None:
                os.write(fd, keys.pop(0))
                sent_at = time.monotonic()
    finally:
        os.close(fd)


def show_new_output(console: Path, shown: int) -> int:
    """Write what `console` gained since byte `shown` to this terminal; the new end."""
    try:
        with open(console, "rb") as log:
            if os.fstat(log.fileno()).st_size < shown:
                shown = 0               # a new Bochs started the file again
            log.seek(shown)
            data = log.read()
    except OSError:                     # not written yet
        return shown
    if data:
        os.write(sys.stdout.fileno(), data)
    return shown + len(data)


def main(config: Path, console: Path | None = None) -> int:
    screen = bochs_screen_tty(config.resolve())
    if screen is None:
        print(f"make bochs-screen: no Bochs is running with {config}: start `make run-bochs` in "
              "another terminal first (its screen is here only without a graphical display)",
              file=sys.stderr)
        return 1
    # Raw before the banner: a key typed as soon as it shows is Bochs's.
    with raw_terminal():
        if console:
            print(f"The UEFI console: {console} (Bochs's serial port) here, keys to Bochs's "
                  f"keyboard ({screen}); Ctrl-] leaves, Bochs goes on.\r", file=sys.stderr)
        else:
            print(f"Bochs's screen ({screen}); Ctrl-] leaves, Bochs goes on.\r", file=sys.stderr)
        relay(screen, console)
    print("\r\nLeft Bochs's screen.", file=sys.stderr)
    return 0
