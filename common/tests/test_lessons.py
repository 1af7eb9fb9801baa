"""Every lesson follows the course's template (GLOSSARY.md at the top says the
words, each README the same skeleton), shows its picture, and every exercise
has a check that `make test` does not run."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted(p for p in ROOT.glob("ch[0-9][0-9]-*") if (p / "Makefile").exists())
# The template's sections, in this order; a lesson may add others between them.
TEMPLATE = ("## What you need first", "## The goal", "## What is new",
            "## Build, run, debug, test", "## How it works", "## What can go wrong",
            "## On real hardware", "## Exercises")


def lesson(chapter: Path) -> str:
    return (chapter / "README.md").read_text()


def headings(text: str) -> list[str]:
    """The level-2 headings outside code blocks."""
    found, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("## "):
            found.append(line)
    return found


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_lesson_follows_the_template(chapter):
    text = lesson(chapter)
    number = int(chapter.name[2:4])
    assert text.splitlines()[0].startswith(f"# Chapter {number}: "), \
        f"{chapter.name}/README.md: the title must read '# Chapter {number}: ...'"
    assert text.count("```") % 2 == 0, f"{chapter.name}/README.md has an unclosed code fence"
    seen = headings(text)
    positions = []
    for section in TEMPLATE:
        where = [i for i, h in enumerate(seen) if h.startswith(section)]
        assert where, f"{chapter.name}/README.md has no '{section}' section; it has {seen}"
        positions.append(where[0])
    assert positions == sorted(positions), \
        f"{chapter.name}/README.md: the sections must come in the order {TEMPLATE}; it has {seen}"
    assert "](../GLOSSARY.md)" in text, f"{chapter.name}/README.md does not link the glossary"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_lesson_shows_its_picture(chapter):
    pictures = re.findall(r"!\[[^\]]*\]\((pictures/[^)]+\.png)\)", lesson(chapter))
    assert pictures, f"{chapter.name}/README.md shows no picture (make pictures makes it)"
    for picture in pictures:
        data = (chapter / picture).read_bytes() if (chapter / picture).exists() else b""
        assert data.startswith(b"\x89PNG\r\n\x1a\n"), \
            f"{chapter.name}/{picture} is missing or not a PNG: run make -C {chapter.name} pictures"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_every_exercise_has_a_check(chapter):
    text = lesson(chapter)
    exercises = text[text.index("\n## Exercises\n"):]
    numbers = [int(n) for n in re.findall(r"^(\d+)\. ", exercises, re.M)]
    assert numbers == list(range(1, len(numbers) + 1)), f"{chapter.name}: exercises {numbers}"
    checks = sorted(int(p.stem[len("check_ex"):])
                    for p in (chapter / "tests" / "exercises").glob("check_ex*.py"))
    assert checks == numbers, (f"{chapter.name}: exercises {numbers} but checks {checks} in "
                               "tests/exercises/check_exN.py")
    assert not list((chapter / "tests" / "exercises").glob("test_*.py")), \
        f"{chapter.name}: a test_*.py in tests/exercises would run in make test"


def quoted_make_commands(text: str) -> list[list[str]]:
    """The `make ...` lines in a lesson's code blocks, without a prompt or a comment."""
    found, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif fenced and re.match(r"(\$ )?make( |$)", line):
            command = line.removeprefix("$ ").split("#")[0].split()
            if command not in found:
                found.append(command)
    return found


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_every_make_command_a_lesson_quotes_is_one_its_makefile_knows(chapter):
    """A lesson that quotes a target the Makefile has lost sends a learner to a
    'No rule to make target'. make -n reads the rules and runs nothing. A file
    the lesson has the learner write first (`... > autorun.txt`) may be missing."""
    text = lesson(chapter)
    commands = quoted_make_commands(text)
    assert commands, f"{chapter.name}/README.md quotes no make command"
    for command in commands:
        result = subprocess.run([command[0], "-n", *command[1:]], cwd=chapter, text=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
        missing = re.search(r"No rule to make target '([^']+)'", result.stderr)
        if missing and re.search(rf"> ?{re.escape(missing.group(1))}\b", text):
            continue
        assert result.returncode == 0, \
            f"{chapter.name}/README.md quotes `{' '.join(command)}`, and make says: {result.stderr}"


def test_the_glossary_explains_the_words_the_lessons_use():
    glossary = (ROOT / "GLOSSARY.md").read_text()
    for word in ("Real mode", "LBA", "CHS", "GDT", "IDT", "IST", "TSS", "PAE", "EFER", "GOP",
                 "ESP", "Protocol", "Handle", "Service binding"):
        assert re.search(rf"^\*\*[^*]*\b{re.escape(word)}\b", glossary, re.M | re.I), \
            f"GLOSSARY.md has no entry for {word}"


def test_png_from_ppm_keeps_every_pixel(tmp_path):
    import zlib
    from bootcamp.pictures import ppm_to_png
    width, height = 5, 3
    pixels = bytes(v for y in range(height) for x in range(width) for v in (x * 40, y * 80, x + y))
    ppm = tmp_path / "in.ppm"
    ppm.write_bytes(f"P6\n{width} {height}\n255\n".encode() + pixels)
    png = tmp_path / "out.png"
    assert ppm_to_png(ppm, png) == (width, height)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    # Read it back: IHDR, then the IDAT rows, each a filter byte (0) and RGB.
    idat = data.index(b"IDAT")
    length = int.from_bytes(data[idat - 4:idat], "big")
    raw = zlib.decompress(data[idat + 4:idat + 4 + length])
    rows = [raw[i * (1 + width * 3):(i + 1) * (1 + width * 3)] for i in range(height)]
    assert all(row[0] == 0 for row in rows)
    assert b"".join(row[1:] for row in rows) == pixels
