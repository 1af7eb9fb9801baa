"""ch01 as a learner drives it from a terminal: `make debug` and `make run-bochs`,
typed into a pseudo-terminal, Ctrl-C included (the lesson says to press it
while the CPU sleeps)."""

import re

from bootcamp.pty_session import (BOCHS_PROMPT, Terminal, end_make_run_bochs, interrupt_gdb,
                                  leave_bochs_screen, quit_gdb)

GDB_PROMPT = r"\(gdb\) $"


def test_ctrl_c_in_make_debug_stops_the_guest_and_gdb_goes_on(chapter, tmp_path):
    with Terminal(["make", "--no-print-directory", "debug"], cwd=chapter.root,
                  logfile=tmp_path / "terminal.txt") as term:
        term.expect(r"Breakpoint 1, start \(\)", timeout=120)
        term.expect(GDB_PROMPT)
        mark = term.mark()
        term.send("continue\r")
        term.expect("Continuing.", since=mark)
        mark = term.mark()
        interrupt_gdb(term, since=mark, build=chapter.root / "build")
        term.expect(r"CS:IP 0000:7c0", since=mark)        # where16: still in the boot sector
        term.expect(GDB_PROMPT, since=mark)
        # The guest is still there: gdb reads its registers once more.
        mark = term.mark()
        term.send("print/x $cs\r")
        term.expect(r"= 0x0\b", since=mark)
        term.expect(GDB_PROMPT, since=mark)
        quit_gdb(term)


def test_ctrl_c_in_make_run_bochs_returns_to_its_debugger(chapter, tmp_path):
    with Terminal(["make", "--no-print-directory", "run-bochs"], cwd=chapter.root,
                  logfile=tmp_path / "terminal.txt") as term:
        term.expect("make bochs-screen", timeout=120)    # how to see the screen, said first
        term.expect(BOCHS_PROMPT.format(n=1), timeout=60)
        mark = term.mark()
        term.send("c\r")
        # Bochs runs until Ctrl-C; its prompt comes back with the next number.
        term.expect(r"\bc\r?\n", since=mark)
        # A second terminal shows the screen Bochs draws on its own pty.
        with Terminal(["make", "--no-print-directory", "bochs-screen"], cwd=chapter.root,
                      logfile=tmp_path / "screen.txt") as screen:
            screen.expect(r"Bochs's screen \(/dev/pts/\d+\)", timeout=60)
            screen.expect(r"Booting from Floppy", timeout=60)
            leave_bochs_screen(screen)
        end_make_run_bochs(term)
        assert not re.search(r"Traceback|KeyboardInterrupt", term.text()), term.text()
