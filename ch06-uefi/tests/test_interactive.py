"""ch06 as a learner drives it from a terminal without a display, typed into
pseudo-terminals: `make run`, whose terminal is the shell's console; `make
debug` in one terminal and `make console` in a second one to type into the
shell while gdb waits."""

import os
import re
import signal
import time

import pytest

from bootcamp.pty_session import Terminal, interrupt_gdb, quit_gdb

GDB_PROMPT = r"\(gdb\) $"
ENTER = "\r"                       # what a terminal sends for Enter
LEAVE_KEY = b"\x1d"                # Ctrl-] leaves make console
QUIT_KEYS = b"\x01x"               # Ctrl-A, then X: QEMU's own way out of make run
ENTER_WAIT_S = 20
BOOT_TIMEOUT_S = 180               # make (the debug ESP), OVMF, and uefi.gdb's own wait
# A page of memory, a few seconds of output (OVMF also scrolls it on the
# framebuffer), with make console stopped for HOLD_S of them.
PEEK = "peek 0 4096"
PEEK_ROWS = 4096 // 16
HOLD_S = 3.0


def make_on_a_terminal(chapter, target: str, logfile) -> Terminal:
    """`make TARGET` in the chapter, on a pseudo-terminal of its own, as a person runs it."""
    return Terminal(["make", "--no-print-directory", target], cwd=chapter.root, logfile=logfile)


@pytest.mark.long
def test_make_run_gives_the_shell_this_terminal(chapter, tmp_path):
    # make run and make debug share build/run/ (the firmware's variables).
    with chapter.taking_turns("console"), \
            make_on_a_terminal(chapter, "run", tmp_path / "run.txt") as term:
        term.expect(r"this terminal is the UEFI console", timeout=BOOT_TIMEOUT_S)
        term.expect(r"To quit: press Ctrl-A, then X")
        term.expect(r"bootcamp> ?$", timeout=BOOT_TIMEOUT_S)
        mark = term.mark()
        term.send("cpuid" + ENTER)
        term.expect(r"Vendor: ", since=mark, timeout=ENTER_WAIT_S)
        term.expect(r"bootcamp> ?$", since=mark, timeout=ENTER_WAIT_S)
        mark = term.mark()
        term.send(QUIT_KEYS)
        term.expect("QEMU stopped: you quit it", since=mark)
        assert term.wait(timeout=30) == 0, f"output in {term.logfile}"
        assert term.survivors() == [], "an emulator outlived make run"


@pytest.mark.long
def test_make_console_types_into_the_shell_while_gdb_runs(chapter, tmp_path):
    with chapter.taking_turns("console"), \
            make_on_a_terminal(chapter, "debug", tmp_path / "debug.txt") as debug:
        debug.expect(r"run `make console` in a second terminal", timeout=BOOT_TIMEOUT_S)
        debug.expect(r"Breakpoint \d+, shell_run", timeout=BOOT_TIMEOUT_S)
        debug.expect(GDB_PROMPT)
        # The lesson's way in: a breakpoint on a command, reached by typing it.
        mark = debug.mark()
        debug.send("break command_cpuid\r")
        debug.expect(GDB_PROMPT, since=mark)
        mark = debug.mark()
        debug.send("continue\r")
        debug.expect("Continuing.", since=mark)

        with make_on_a_terminal(chapter, "console", tmp_path / "console.txt") as console:
            console.expect(r"Ctrl-\] leaves")
            # What the shell printed before the console connected is in
            # build/serial.txt; Enter asks for a fresh prompt. Pressed the
            # moment the banner shows: the console is raw by then, and keeps it.
            mark = console.mark()
            console.send(ENTER)
            console.expect(r"bootcamp> ?$", since=mark, timeout=ENTER_WAIT_S)
            mark = console.mark()
            console.send("cpuid" + ENTER)
            debug.expect(r"Breakpoint \d+, command_cpuid", timeout=60)
            debug.expect(GDB_PROMPT)
            assert "Vendor:" not in console.text(mark), "the guest ran on past the breakpoint"
            debug.send("continue\r")
            console.expect(r"Vendor:", since=mark, timeout=60)
            console.expect(r"bootcamp> ?$", since=mark, timeout=60)

            # A console that falls behind (its processes stopped while the
            # guest prints) still gets every byte, and build/serial.txt keeps
            # the same bytes, each once.
            mark = console.mark()
            console.send(PEEK + ENTER)
            console.expect(PEEK, since=mark)
            os.killpg(console.session, signal.SIGSTOP)
            try:
                # Not a wait for something to happen: the hold is the experiment.
                time.sleep(HOLD_S)
            finally:
                os.killpg(console.session, signal.SIGCONT)
            console.expect(r"bootcamp> ?$", since=mark, timeout=60)
            shown = console.output[mark:]
            saved = (chapter.root / "build" / "serial.txt").read_bytes()
            rows = re.findall(rb"^[0-9A-F]{16}: ", shown, re.M)
            assert len(rows) == PEEK_ROWS, (
                f"make console showed {len(rows)} of the {PEEK_ROWS} rows of `{PEEK}`: the "
                f"guest dropped what its serial port could not take; output in {console.logfile}")
            assert shown in saved, (
                f"build/serial.txt does not hold what make console showed of `{PEEK}`, byte for "
                f"byte: {len(shown)} bytes shown; output in {console.logfile}")
            console.send(LEAVE_KEY)
            console.expect("Left the console")
            assert console.wait(timeout=30) == 0, f"output in {console.logfile}"

        # gdb still has the guest: stop it, look, and quit. A console that
        # is still open says that QEMU has ended with it.
        mark = debug.mark()
        interrupt_gdb(debug, since=mark, build=chapter.root / "build")
        debug.expect(GDB_PROMPT, since=mark)
        with make_on_a_terminal(chapter, "console", tmp_path / "console-again.txt") as console:
            console.expect(r"Ctrl-\] leaves")
            quit_gdb(debug)
            console.expect("QEMU has ended: the console is closed")
            assert console.wait(timeout=30) == 0, f"output in {console.logfile}"
    assert not (chapter.root / "build" / "run" / "console.txt").exists(), \
        "make debug left the note that points make console to its socket"


def test_make_console_without_make_debug_says_what_to_do(chapter, tmp_path):
    with chapter.taking_turns("console"), \
            make_on_a_terminal(chapter, "console", tmp_path / "console.txt") as console:
        console.expect(r"no `make debug` is running for this chapter: start it in another "
                       r"terminal first")
        assert console.wait(timeout=30) != 0
