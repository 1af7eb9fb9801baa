"""Exercise 3: two modules, and the first line of each one's contents printed
(`motd.txt`'s first line among them)."""
from pathlib import Path

from bootcamp import Spec
from bootcamp.exercise import expect


def test_two_modules_and_their_first_lines(chapter, boot):
    machine = boot(Spec(chapter.image("kernel.iso"), media="cdrom"))
    machine.wait_for("kmain: done", source="debug", timeout=60)
    out = machine.debug_output()
    first_line = (chapter.root / "motd.txt").read_text().splitlines()[0].strip()
    expect(out.count("module:") >= 2, 3, "two `module:` lines", out)
    expect(first_line in out, 3, f"motd.txt's first line, {first_line!r}", out)
