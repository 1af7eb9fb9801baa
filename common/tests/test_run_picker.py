"""`make run` at the top of the course, as a learner types it: the picker asks
on the terminal, the number typed chooses the chapter, and QEMU boots it."""

from pathlib import Path

from bootcamp.pty_session import Terminal

ROOT = Path(__file__).resolve().parents[2]
# QEMU's curses display: Esc then 2 shows its monitor, where `quit` ends it.
CURSES_MONITOR = b"\x1b2"


def first_chapter() -> str:
    return sorted(p.name for p in ROOT.glob("ch01-*"))[0]


def test_typing_a_number_boots_that_chapter(tmp_path):
    with Terminal(["make", "--no-print-directory", "run"], cwd=ROOT,
                  logfile=tmp_path / "terminal.txt") as term:
        term.expect(r"Boot which chapter\? \[1-\d+")
        term.send("1\r")
        # The chapter's own `make run` starts: its folder, then the launcher's words.
        term.expect(r"bootcamp\.run qemu build/boot", timeout=120)
        term.expect("No graphical display: QEMU draws the screen here")
        mark = term.mark()
        term.send(CURSES_MONITOR)
        term.expect(r"\(qemu\)", since=mark)
        term.send("quit\r")
        status = term.wait(timeout=30)
        assert "No such file or directory" not in term.text(), term.text()
        assert status == 0, f"make run ended with status {status}; output in {term.logfile}"
        assert term.survivors() == []


def test_an_answer_that_is_no_chapter_is_refused(tmp_path):
    with Terminal(["make", "--no-print-directory", "run"], cwd=ROOT,
                  logfile=tmp_path / "terminal.txt") as term:
        term.expect(r"Boot which chapter\?")
        term.send("99\r")
        term.expect(r"no chapter '99': type a number from 1 to \d+")
        assert term.wait(timeout=30) != 0
        assert "bootcamp.run" not in term.text()
