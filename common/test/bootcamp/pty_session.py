"""Drive a command through a pseudo-terminal, as a person at a terminal would.

`make run`, `make debug` and `make run-bochs` behave differently on a terminal
than on a pipe (curses screens, gdb's prompt, Ctrl-C), so the tests of those
paths run them on a pty, type keys and read what the terminal shows:

    with Terminal(["make", "run"], cwd=root, logfile=path) as term:
        term.expect(r"Boot which chapter\\?")
        term.send("1\\r")
        term.expect("No graphical display")
        term.ctrl_c()

The command becomes the leader of a new session whose controlling terminal is
the pty, so Ctrl-C typed there reaches its foreground process group, exactly as
in a terminal window. On close, every process still in that session is
killed, and `survivors()` tells a test which emulators outlived the command.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from pathlib import Path

from . import qemu_watch
from .machine import TIMEOUT_SCALE
from .terminal import plain

# What a terminal window has, give or take; curses programs need a size.
ROWS, COLUMNS = 30, 100
CTRL_C = b"\x03"
READ_CHUNK = 4096
# How long close() waits for the command to end after it was asked to.
CLOSE_WAIT_S = 10.0
EMULATOR_NAMES = ("qemu-system-x86_64", "bochs", "gdb")
# What a make hands the commands of its recipes: its flags (-s, the -j
# jobserver), its depth, and variables given on its command line. The make
# that runs the tests has them; a person's shell does not.
MAKE_ENVIRONMENT = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")


def outside_make(env: dict | None = None) -> dict:
    """The environment as a shell outside any make has it."""
    return {k: v for k, v in (os.environ if env is None else env).items()
            if k not in MAKE_ENVIRONMENT}


class TerminalTimeout(AssertionError):
    pass


class Terminal:
    def __init__(self, argv: list[str], *, cwd: Path, logfile: Path, env: dict | None = None):
        self.logfile = Path(logfile)
        self.logfile.parent.mkdir(parents=True, exist_ok=True)
        self.output = b""
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        environment = outside_make(env)     # typed by a person, not run by make test
        environment.setdefault("TERM", "xterm")
        # No window: the learner this checks has only a terminal.
        environment.pop("DISPLAY", None)
        environment.pop("WAYLAND_DISPLAY", None)
        self.proc = subprocess.Popen(argv, cwd=cwd, env=environment, stdin=slave, stdout=slave,
                                     stderr=slave, start_new_session=True,
                                     preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
        os.close(slave)
        self.master = master
        self.session = self.proc.pid

    # -- reading ----------------------------------------------------------------
    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.master, READ_CHUNK)
        except OSError:             # EIO: every process closed the terminal
            data = b""
        if not data:
            return False
        self.output += data
        with open(self.logfile, "ab") as log:
            log.write(data)
        return True

    def text(self, since: int = 0) -> str:
        """What was written to the terminal from byte `since` on, escape sequences removed."""
        return plain(self.output[since:].decode(errors="replace"))

    def expect(self, pattern: str, timeout: float = 30.0, since: int | None = None) -> re.Match:
        """Wait until `pattern` (a regex) appears in the terminal's text after byte `since`
        (default: all of it); fail saying what was seen and where the log is."""
        start = 0 if since is None else since
        deadline = time.monotonic() + timeout * TIMEOUT_SCALE
        while True:
            match = re.search(pattern, self.text(start))
            if match:
                return match
            left = deadline - time.monotonic()
            if left <= 0:
                break
            if not self._read(min(left, 1.0)) and self.proc.poll() is not None:
                self._read(0.2)         # what it wrote last, then give up
                match = re.search(pattern, self.text(start))
                if match:
                    return match
                break
        tail = self.text(start)[-1500:]
        state = "still running" if self.proc.poll() is None else f"ended, status {self.proc.returncode}"
        raise TerminalTimeout(f"expected {pattern!r} on the terminal within {timeout:.0f} s; the "
                              f"command {state}. The terminal showed (last part):\n{tail}\n"
                              f"Full output: {self.logfile}")

    def mark(self) -> int:
        """The position in the output from which a later expect() should look."""
        return len(self.output)

    # -- typing -----------------------------------------------------------------
    def send(self, text: str | bytes) -> None:
        os.write(self.master, text.encode() if isinstance(text, str) else text)

    def ctrl_c(self) -> None:
        self.send(CTRL_C)

    # -- the end ----------------------------------------------------------------
    def wait(self, timeout: float = 30.0) -> int:
        """Wait for the command to end (reading its output meanwhile); its exit status."""
        deadline = time.monotonic() + timeout * TIMEOUT_SCALE
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._read(0.2)
        while self._read(0.1):
            pass
        if self.proc.poll() is None:
            raise TerminalTimeout(f"the command did not end within {timeout:.0f} s; "
                                  f"output in {self.logfile}")
        return self.proc.returncode

    def survivors(self) -> list[str]:
        """Emulators and debuggers left in this terminal's session: none should outlive it."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                text = stat.read_text()
            except OSError:
                continue
            name = text[text.index("(") + 1:text.rindex(")")]
            fields = text[text.rindex(")") + 2:].split()
            if int(fields[3]) == self.session and name in EMULATOR_NAMES:
                found.append(f"{name} (pid {stat.parent.name})")
        return found

    def close(self) -> None:
        for pid in self._session_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            self.proc.wait(timeout=CLOSE_WAIT_S)
        except subprocess.TimeoutExpired:
            pass
        os.close(self.master)

    def _session_pids(self) -> list[int]:
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                text = stat.read_text()
            except OSError:
                continue
            if int(text[text.rindex(")") + 2:].split()[3]) == self.session:
                pids.append(int(stat.parent.name))
        return pids

    def __enter__(self) -> "Terminal":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# How long gdb may take to say a Ctrl-C stopped the guest. It is pressed only
# once: a second Ctrl-C while gdb waits for the first makes it offer to stop
# debugging, and with the course's `set confirm off` it does, at once
# ("Disconnected from target").
GDB_CTRL_C_WAIT_S = 60
# How long the guest may take to run after `continue`, and how often QEMU is asked.
RUNNING_WAIT_S = 60
RUNNING_POLL_S = 0.2


def interrupt_gdb(term: Terminal, since: int, build: Path) -> None:
    """Press Ctrl-C while the guest runs, as a person would, and wait for gdb
    to say it stopped the guest.

    A person presses Ctrl-C a moment after `continue`. Pressed at once, it can
    come while gdb is still stepping over the breakpoint it stopped at: gdb
    sends QEMU the interrupt then, QEMU drops it because its guest is not
    running yet, and gdb waits for a stop that never comes. So the key is
    pressed once QEMU's monitor has said "running" twice, a poll apart; the
    step over a breakpoint never lasts that long."""
    wait_until_running(build)
    term.ctrl_c()
    try:
        term.expect(r"received signal SIGINT", since=since, timeout=GDB_CTRL_C_WAIT_S)
    except TerminalTimeout:
        raise TerminalTimeout(f"gdb did not stop the running guest {GDB_CTRL_C_WAIT_S} s after "
                              f"Ctrl-C. Terminal: {term.logfile}") from None


def wait_until_running(build: Path) -> None:
    """Until the QEMU of this chapter's `make run` or `make debug` has said
    "running" in two polls in a row."""
    deadline = time.monotonic() + RUNNING_WAIT_S * TIMEOUT_SCALE
    seen = []
    while time.monotonic() < deadline:
        seen.append(qemu_watch.status(build))
        if seen[-2:] == ["running", "running"]:
            return
        time.sleep(RUNNING_POLL_S)
    raise TerminalTimeout(f"QEMU's guest did not run for {RUNNING_WAIT_S * TIMEOUT_SCALE:.0f} s "
                          f"after `continue`; its states, one per poll: {seen[-5:]}")


def quit_gdb(term: Terminal) -> None:
    """`quit` at gdb's prompt ends `make debug` well: gdb never lost the guest
    on the way, and no emulator outlives it."""
    term.send("quit\r")
    term.wait(timeout=30)
    seen = term.text()
    for wrong in ("Target disconnected", "Remote connection closed", "Traceback"):
        assert wrong not in seen, f"{wrong!r} on the terminal; output in {term.logfile}"
    assert term.survivors() == [], "an emulator outlived make debug"


# Bochs's debugger prompt: <bochs:1> at the start, one more each time it stops.
BOCHS_PROMPT = r"<bochs:{n}> $"
BOCHS_SCREEN_LEAVE_KEY = b"\x1d"        # Ctrl-] leaves make bochs-screen


def leave_bochs_screen(screen: Terminal) -> None:
    """Ctrl-] in `make bochs-screen`: it says so and ends well (Bochs goes on)."""
    screen.send(BOCHS_SCREEN_LEAVE_KEY)
    screen.expect("Left Bochs's screen")
    assert screen.wait(timeout=30) == 0, screen.text()


def end_make_run_bochs(term: Terminal) -> None:
    """Ctrl-C in `make run-bochs` while the guest runs: Bochs stops at its
    debugger's second prompt; `q` ends it, and nothing of it is left running."""
    mark = term.mark()
    term.ctrl_c()
    term.expect(BOCHS_PROMPT.format(n=2), since=mark, timeout=60)
    term.send("q\r")
    term.wait(timeout=30)
    assert term.survivors() == [], "Bochs outlived make run-bochs"
