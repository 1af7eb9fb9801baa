"""Labs (bootcamp.lab, bootcamp.grade, bootcamp.grade_all): what they promise a
teacher, and the failure paths.

1. The full tree scores full marks (ch01 graded for real; every chapter's
   graded tests are in its own `make test`, which must pass anyway).
2. A handout of every part of every chapter with a lab builds and fails
   exactly the graded tests, each with its own LAB TODO.
3. Putting the solutions back reproduces the tree byte for byte (every chapter).
4. make grade-all grades a class of ch01: a right submission, one with nothing
   in it, one with the file twice, one that does not build.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bootcamp import lab
from conftest import FIRST_CHAPTER

ROOT = lab.ROOT
LAB_CHAPTERS = [c for c in lab.chapters() if (c / lab.PARTS_FILE).exists()]
# Every chapter with a lab: a handout of every part is made and graded.
HANDOUT_CHAPTERS = [c.name for c in LAB_CHAPTERS]
HARNESS_ENV = {"PYTHONPATH": str(ROOT / "common" / "test"), "PYTHONDONTWRITEBYTECODE": "1"}


def run(args: list[str], cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    import os
    return subprocess.run(args, cwd=cwd, env=dict(os.environ, **HARNESS_ENV),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout)


def test_every_chapter_with_a_lab_has_two_parts_or_more():
    assert LAB_CHAPTERS, "no chapter declares lab parts"
    for chapter in LAB_CHAPTERS:
        parts = lab.check_chapter(chapter)
        assert len(parts) >= 2, f"{chapter.name}: {len(parts)} part(s)"


@pytest.mark.parametrize("chapter", LAB_CHAPTERS, ids=lambda c: c.name)
def test_solutions_put_back_reproduce_the_tree(chapter):
    parts = {p.id for p in lab.load_parts(chapter)}
    for path in lab.tracked(chapter):
        if not lab.styles_for(path):
            continue
        original = path.read_text()
        handout, taken = lab.strip(path, parts)
        if not taken:
            continue
        assert "LAB SOLUTION" not in handout, path
        assert lab.restore(path, handout, taken) == original, \
            f"{path}: the handout with its solutions put back differs from the tree"


@pytest.mark.long
@pytest.mark.parametrize("name", HANDOUT_CHAPTERS)
def test_a_handout_fails_exactly_the_graded_tests_each_with_its_own_todo(name, tmp_path):
    made = run([sys.executable, "-m", "bootcamp.lab", "make", name, "--out", str(tmp_path)], ROOT)
    assert made.returncode == 0, made.stdout
    # A boot sector's stub is measured against the reference's own size.
    assert "reference None" not in made.stdout, made.stdout
    handout = tmp_path / "handout"
    assert (handout / ".git").is_dir() and not (handout / name / "build").exists()
    log = run(["git", "log", "--oneline"], handout).stdout.splitlines()
    assert len(log) == 1, f"the handout has history: {log}"
    manifest = json.loads((handout / lab.HANDOUT_MANIFEST).read_text())
    for rel in manifest["owned"]:
        assert "LAB SOLUTION" not in (handout / rel).read_text(), rel
    # What the learner reads first says what this copy is; no link leads to
    # the teacher's guide, and the top's make test runs only the chapters here.
    assert not (handout / "TEACHING.md").exists() and not (handout / "common" / "tests").exists()
    readme = (handout / "README.md").read_text()
    assert "A lab handout" in readme.split("\n## ")[0] and f"`{name}/`" in readme, readme[:600]
    assert "TEACHING.md" not in readme and "## For teachers" not in readme
    folders = subprocess.run(
        [sys.executable, "-c", "from bootcamp.course import test_folders\n"
         "print(*(f.name for f in test_folders([])))"], cwd=handout,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(handout / "common" / "test")},
        stdout=subprocess.PIPE, text=True, timeout=60).stdout.split()
    assert name in folders and "common" not in folders, folders
    graded = run(["make", "--no-print-directory", "-C", name, "grade"], handout)
    assert graded.returncode != 0, graded.stdout          # make: the recipe failed
    summary = json.loads((handout / name / "build" / "grade" / "grade.json").read_text())
    (chapter,) = summary["chapters"]
    assert chapter["build_failure"] is None, chapter["build_failure"]
    parts = {p.id for p in lab.load_parts(ROOT / name)}
    assert {p["id"] for p in chapter["parts"]} == parts
    for part in chapter["parts"]:
        assert part["score"] == 0 and part["tests"], part
        for test in part["tests"]:
            assert test["outcome"] == "failed", test
            # A boot that failed for want of time is retried alone (grade.py):
            # what counts is what that retry saw.
            final = test.get("retry", test)
            assert final["message"].startswith(f"LAB TODO: {part['id']}:"), test
    assert "Score: 0/" in graded.stdout and " passed, " in graded.stdout, graded.stdout


def test_the_full_tree_scores_full_marks(tmp_path, first_chapter_to_ourselves):
    graded = run([sys.executable, "-m", "bootcamp.grade", "--out", str(tmp_path),
                  str(first_chapter_to_ourselves)], ROOT)
    assert graded.returncode == 0, graded.stdout
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["score"] == sum(t["max_score"] for t in results["tests"]) > 0, results
    assert (tmp_path / "junit.xml").read_text().startswith("<?xml")


@pytest.mark.long
def test_grade_all_scores_each_learner_and_keeps_what_a_teacher_uploads(tmp_path):
    made = run([sys.executable, "-m", "bootcamp.lab", "make", FIRST_CHAPTER.name,
                "--out", str(tmp_path / "lab")], ROOT)
    assert made.returncode == 0, made.stdout
    (owned,) = (tmp_path / "lab" / "grader" / "owned.txt").read_text().split()
    reference = (ROOT / owned).read_text()
    name = Path(owned).name
    learners = tmp_path / "submissions"
    for folder, files in {
        "right": {name: reference},                                # by name, at the top
        "nothing": {"notes.txt": "I ran out of time\n"},
        "twice": {f"try1/{name}": reference, f"try2/{name}": reference},
        "broken": {owned: reference + "    not_an_instruction eax\n"},   # at its course path
    }.items():
        for rel, text in files.items():
            (learners / folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (learners / folder / rel).write_text(text)
    out = tmp_path / "grades"
    graded = run([sys.executable, "-m", "bootcamp.grade_all", "--submissions", str(learners),
                  "--lab", str(tmp_path / "lab"), "--out", str(out)], ROOT)
    assert graded.returncode == 0, graded.stdout
    assert "4 submissions graded" in graded.stdout, graded.stdout

    with open(out / "grades.csv", newline="") as f:
        rows = {row["learner"]: row for row in csv.DictReader(f)}
    assert set(rows) == {"right", "nothing", "twice", "broken"}, rows
    maximum = sum(p.points for p in lab.load_parts(FIRST_CHAPTER))
    assert rows["right"]["score"] == rows["right"]["max"] == str(maximum), rows["right"]
    assert rows["right"]["first_failure"] == rows["right"]["missing"] == "", rows["right"]
    for learner in ("nothing", "twice", "broken"):
        assert rows[learner]["score"] == "0", rows[learner]
    assert rows["nothing"]["missing"] == f"{owned} (not found)", rows["nothing"]
    assert f"found 2 times, not at its course path: try1/{name}, try2/{name}" \
        in rows["twice"]["missing"], rows["twice"]
    assert rows["broken"]["missing"] == "", rows["broken"]
    assert "the build failed: " in rows["broken"]["first_failure"], rows["broken"]
    assert "instruction expected" in rows["broken"]["first_failure"], rows["broken"]

    for learner, row in rows.items():
        feedback = (out / "feedback" / f"{learner}.txt").read_text()
        kept = out / "results" / learner
        assert f"(results: {kept}/grade.json, results.json, junit.xml)" in feedback, feedback
        assert "***" not in feedback, f"make's own error line in {learner}'s feedback:\n{feedback}"
        assert f"Score: {row['score']}/{maximum}" in feedback, feedback
        results = json.loads((kept / "results.json").read_text())      # Gradescope's format
        assert sum(t["score"] for t in results["tests"]) == int(row["score"]), results
        assert (kept / "junit.xml").read_text().startswith("<?xml"), learner
    assert (out / "feedback" / "twice.txt").read_text().startswith(
        f"missing from the submission: {owned} (found 2 times"), "twice's feedback"


# -- failure paths ---------------------------------------------------------------------

def test_a_region_without_its_end_is_refused(tmp_path):
    source = tmp_path / "x.asm"
    source.write_text("; LAB SOLUTION demo\n    nop\n; LAB STUB\n;|    hlt\n")
    with pytest.raises(lab.LabError, match="has no LAB END line"):
        lab.regions(source)


def test_a_stub_line_without_its_leader_is_refused(tmp_path):
    source = tmp_path / "x.asm"
    source.write_text("; LAB SOLUTION demo\n    nop\n; LAB STUB\n    hlt\n; LAB END\n")
    with pytest.raises(lab.LabError, match=r"must start with ;\|"):
        lab.regions(source)


def test_a_solution_left_in_the_lesson_is_a_leak():
    solution = "    rol dx, 4                   ; bring the next nibble to the bottom\n"
    found = lab.leaks([solution], {"ch02-hello/print16.inc": "print_hex:\n    ret\n",
                                   "ch02-hello/README.md": "text\n" + solution})
    assert found and found[0].startswith("ch02-hello/README.md:2: a solution line"), found


def test_a_copied_solution_in_code_is_a_leak():
    solution = "    xor dx, dx\n    div word [disk_heads]\n    mov dh, dl   ; DH = head\n"
    found = lab.leaks([solution], {"x/copy.inc": "start:\n" + solution})
    assert found and "3 solution lines in a row" in found[0], found


def test_a_test_claimed_by_two_parts_is_refused():
    parts = [lab.Part("a", "A", 1, "chX", [], ["qemu"], ["t.py::test_x"], []),
             lab.Part("b", "B", 1, "chX", [], ["qemu"], ["t.py::test_*"], [])]
    with pytest.raises(lab.LabError, match="belongs to parts a, b"):
        lab.part_of("t.py::test_x[qemu]", parts)


def test_an_unknown_part_is_refused(tmp_path):
    made = run([sys.executable, "-m", "bootcamp.lab", "make", "ch01", "--parts", "nothing",
                "--out", str(tmp_path)], ROOT)
    assert made.returncode == 1 and "no part nothing in ch01-bootsector" in made.stdout, \
        made.stdout


def test_a_built_file_holding_the_graded_parts_stub_fails_the_test(tmp_path, monkeypatch):
    from bootcamp import machine
    image = tmp_path / "app.efi"
    image.write_bytes(b"MZ\0" + "LAB TODO: select\n".encode("utf-16-le") + b"\0")
    monkeypatch.setattr(machine, "LAB_PART", "select")
    with pytest.raises(machine.LabTodo, match=r"^LAB TODO: select: app.efi holds the lab stub"):
        machine.lab_todo_in_file(image)
    monkeypatch.setattr(machine, "LAB_PART", "sel")        # a prefix of a part is not the part
    machine.lab_todo_in_file(image)
    monkeypatch.setattr(machine, "LAB_PART", None)         # a test no part grades boots anyway
    machine.lab_todo_in_file(image)


def test_a_host_program_that_says_lab_todo_fails_the_test(monkeypatch):
    from bootcamp import machine
    monkeypatch.setattr(machine, "LAB_PART", "chunked")
    with pytest.raises(machine.LabTodo, match=r"^LAB TODO: sha256: .*this test grades chunked"):
        machine.lab_todo_in_output("LAB TODO: sha256\n{}\n", "http_check chunked")
    machine.lab_todo_in_output('{"ok": true}\n', "http_check chunked")
