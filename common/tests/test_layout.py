"""The course's layout: a chapter owns what it teaches.

- A later chapter builds on an earlier one through one line in its Makefile,
  `BUILDS_ON := chNN-name ...`, and only on chapters before it.
- No source names another chapter's folder (no ../chNN path, no symlink, no copy
  reached by a path): the build's search paths find what a chapter builds on.
- Every file a chapter's lesson lists in its "What is new" table is in that
  chapter's folder.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted(p for p in ROOT.glob("ch[0-9][0-9]-*") if (p / "Makefile").exists())
CHAPTER_NAME = re.compile(r"\bch[0-9][0-9]-[a-z0-9-]+")
CHAPTER_PATH = re.compile(r"\.\./ch[0-9][0-9]-")
BUILDS_ON_LINE = re.compile(r"^BUILDS_ON\s*:?=(.*)$", re.M)
# What counts as a source: everything a build or a test reads, not the lesson.
SOURCE_SUFFIXES = {".asm", ".inc", ".S", ".s", ".c", ".h", ".ld", ".mk", ".py", ".sh", ".gdb",
                   ".cfg", ".txt"}


def tracked_files(folder: Path) -> list[Path]:
    """The files git tracks under folder (a clone's view: no build/ output)."""
    out = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--", str(folder)],
                         stdout=subprocess.PIPE, check=True).stdout
    return [ROOT / name for name in out.decode().split("\0") if name]


def sources(chapter: Path) -> list[Path]:
    return [f for f in tracked_files(chapter)
            if f.suffix in SOURCE_SUFFIXES or f.name == "Makefile"]


def builds_on(chapter: Path) -> list[str]:
    lines = BUILDS_ON_LINE.findall((chapter / "Makefile").read_text())
    assert len(lines) <= 1, f"{chapter.name}/Makefile declares BUILDS_ON {len(lines)} times"
    return lines[0].split() if lines else []


def number(name: str) -> int:
    return int(name[2:4])


def test_every_chapter_is_found():
    assert len(CHAPTERS) >= 7, [c.name for c in CHAPTERS]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.name)
def test_a_chapter_builds_only_on_earlier_chapters(chapter):
    for name in builds_on(chapter):
        assert (ROOT / name / "Makefile").exists(), \
            f"{chapter.name}/Makefile: BUILDS_ON names {name}, which is not a chapter folder"
        assert number(name) < number(chapter.name), \
            f"{chapter.name}/Makefile: BUILDS_ON names {name}, which is not an earlier chapter"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.name)
def test_no_source_names_another_chapter(chapter):
    found = []
    for path in sources(chapter):
        if path.is_symlink():
            found.append(f"{path.relative_to(ROOT)}: a symbolic link")
            continue
        text = path.read_text(errors="replace")
        for lineno, line in enumerate(text.splitlines(), 1):
            if path.name == "Makefile" and BUILDS_ON_LINE.match(line):
                continue
            if CHAPTER_PATH.search(line):
                found.append(f"{path.relative_to(ROOT)}:{lineno}: a ../chNN path: {line.strip()}")
            for name in CHAPTER_NAME.findall(line):
                if name != chapter.name:
                    found.append(f"{path.relative_to(ROOT)}:{lineno}: names {name}: "
                                 f"{line.strip()}")
    assert not found, ("a chapter reaches an earlier one through BUILDS_ON in its Makefile, "
                       "never by naming its folder:\n" + "\n".join(found))


def test_nothing_in_common_names_a_chapter_folder():
    found = []
    for path in tracked_files(ROOT / "common"):
        if path.suffix not in SOURCE_SUFFIXES and path.name != "Makefile":
            continue
        if path == Path(__file__).resolve():
            continue
        for lineno, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if CHAPTER_PATH.search(line):
                found.append(f"{path.relative_to(ROOT)}:{lineno}: {line.strip()}")
    assert not found, "common/ reaches into a chapter by path:\n" + "\n".join(found)


def new_files(chapter: Path) -> list[str]:
    """The first-column `file` names of the lesson's "What is new" table."""
    text = (chapter / "README.md").read_text()
    section = re.search(r"^## What is new.*?$(.*?)^## ", text, re.M | re.S)
    assert section, f"{chapter.name}/README.md has no 'What is new' section"
    names = []
    for row in re.findall(r"^\|\s*(.*?)\s*\|", section.group(1), re.M):
        names += re.findall(r"`([^`]+)`", row)
    return names


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.name)
def test_what_a_lesson_calls_new_is_in_its_chapter(chapter):
    missing = []
    for name in new_files(chapter):
        for part in re.split(r",\s*", name):
            if part.startswith("build/"):
                # Made by the build (ch07's build/e1000.efi): a rule must make it,
                # whether or not this checkout has built it yet.
                plan = subprocess.run(["make", "--no-print-directory", "-n", "-C", str(chapter),
                                       part], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True, timeout=60)
                if plan.returncode != 0:
                    missing.append(f"{part} (no rule makes it: {plan.stdout.strip()})")
            elif not (chapter / part).exists():
                missing.append(part)
    assert not missing, (f"{chapter.name}/README.md lists as new files that are not in "
                         f"{chapter.name}/: {missing}")


def make_print_image(chapter: Path, *overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "-C", str(chapter), "print-image",
                           *overrides], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=60)


def test_the_build_refuses_to_build_on_a_later_chapter():
    result = make_print_image(CHAPTERS[2], f"BUILDS_ON={CHAPTERS[4].name}")
    assert result.returncode != 0, result.stdout
    assert (f"{CHAPTERS[2].name} builds on {CHAPTERS[4].name}: a chapter may only build on the "
            "chapters before it") in result.stdout


def test_the_build_refuses_a_folder_that_is_not_a_chapter():
    result = make_print_image(CHAPTERS[2], "BUILDS_ON=ch99-nowhere")
    assert result.returncode != 0, result.stdout
    assert "builds on ch99-nowhere, which is not a chapter folder of this course" in result.stdout
