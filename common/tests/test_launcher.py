"""The launcher behind `make run`, on a terminal with no window: it says why
QEMU stopped, and `make screenshot` saves the running QEMU's screen as a PNG."""

import os
import struct
import subprocess
import sys
from pathlib import Path

from bootcamp.pty_session import Terminal

MK = Path(__file__).resolve().parents[1] / "mk"
HERE = Path(__file__).resolve().parent
HARNESS = HERE.parent / "test"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CURSES_MONITOR = b"\x1b2"            # Esc then 2: QEMU's monitor in its curses display


def build_sector(tmp_path: Path, name: str) -> Path:
    (tmp_path / "Makefile").write_text(f"IMAGES := build/{name}.floppy.img\n"
                                       f"vpath %.asm {HERE}\ninclude {MK}/bios.mk\n")
    result = subprocess.run(["make", "-C", str(tmp_path)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, timeout=60)
    assert result.returncode == 0, result.stdout
    return tmp_path / "build" / f"{name}.floppy.img"


def launcher(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "bootcamp.run", *arguments]


def environment() -> dict:
    return dict(os.environ, PYTHONPATH=str(HARNESS))


def test_a_triple_fault_is_said_when_qemu_stops(tmp_path):
    image = build_sector(tmp_path, "triple_fault")
    with Terminal(launcher("qemu", str(image), "--media", "floppy"), cwd=tmp_path,
                  logfile=tmp_path / "terminal.txt", env=environment()) as term:
        term.expect("QEMU stopped: the CPU triple-faulted", timeout=60)
        term.expect(str(image.parent / "qemu.log"))       # where the CPU state is
        term.wait(timeout=30)
        assert term.survivors() == []


def test_screenshot_of_a_running_qemu_then_quit(tmp_path):
    image = build_sector(tmp_path, "halt")
    shot = image.parent / "screen.png"
    with Terminal(launcher("qemu", str(image), "--media", "floppy"), cwd=tmp_path,
                  logfile=tmp_path / "terminal.txt", env=environment()) as term:
        term.expect("No graphical display: QEMU draws the screen here")
        term.expect("Booting from Floppy", timeout=60)
        taken = subprocess.run(launcher("screenshot", str(image)), env=environment(),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               timeout=60)
        assert taken.returncode == 0, taken.stdout
        assert f"The screen is in {shot}" in taken.stdout
        data = shot.read_bytes()
        assert data.startswith(PNG_SIGNATURE), f"{shot} is not a PNG file"
        width, height = struct.unpack(">II", data[16:24])     # the IHDR chunk
        assert width > 0 and height > 0
        mark = term.mark()
        term.send(CURSES_MONITOR)
        term.expect(r"\(qemu\)", since=mark)
        term.send("quit\r")
        term.expect("QEMU stopped: you quit it.", since=mark)
        term.wait(timeout=30)
        assert term.survivors() == []


def test_screenshot_with_no_qemu_running_says_what_to_do(tmp_path):
    image = tmp_path / "build" / "halt.floppy.img"
    taken = subprocess.run(launcher("screenshot", str(image)), env=environment(),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=60)
    assert taken.returncode != 0
    assert "no QEMU is running for this chapter: start `make run`" in taken.stdout
