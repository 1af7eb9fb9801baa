"""Grade every learner's submission of a lab, each in a sandbox.

    python3 -m bootcamp.grade_all --submissions DIR [--lab LAB] [--out OUT]

DIR holds one folder per learner. Only the files the learner owns (the lab's
grader/owned.txt) are taken from it: at their path in the course
(ch03-disk-load/disk16.inc) or, failing that, by their name anywhere in the
folder. Each submission is graded on a fresh copy of the pristine handout,
with the grader's hidden tests added, by `make grade` run under bubblewrap:
the file system read-only but for that copy, no network but loopback, the
course tree and the grader's folder (the solutions) out of sight.

Writes OUT/grades.csv (a row per learner: each part's points, the total,
the first failure, retries, the owned files not found), OUT/feedback/<learner>.txt
(what make grade printed) and OUT/results/<learner>/ (its grade.json,
results.json and junit.xml). LAB defaults to the only folder in build/lab/;
OUT to LAB/grades.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import lab

SUBMISSION_TIMEOUT_S = 3600
RESULT_FILES = ("grade.json", "results.json", "junit.xml")     # what make grade writes
# make's own last words when a recipe fails (make grade does, below full
# marks): "make[1]: *** [Makefile:54: grade] Error 1". The score said it all.
MAKE_GAVE_UP = re.compile(r"^make(\[\d+\])?: \*\*\* \[[^\]]*\] Error \d+$")


def find_owned(submission: Path, rel: str) -> tuple[Path | None, str]:
    """The learner's copy of `rel`, or None and why it was not taken."""
    direct = submission / rel
    if direct.is_file():
        return direct, ""
    same_name = [p for p in submission.rglob(Path(rel).name) if p.is_file()]
    if len(same_name) == 1:
        return same_name[0], ""
    if not same_name:
        return None, f"{rel} (not found)"
    found = ", ".join(str(p.relative_to(submission)) for p in sorted(same_name))
    return None, f"{rel} (found {len(same_name)} times, not at its course path: {found})"


def without_make_noise(printed: str) -> str:
    lines = printed.splitlines()
    while lines and MAKE_GAVE_UP.match(lines[-1]):
        lines.pop()
    return "\n".join(lines) + "\n"


def sandbox(work: Path, hide: list[Path], command: list[str]) -> list[str]:
    args = ["bwrap", "--die-with-parent", "--unshare-all", "--ro-bind", "/", "/",
            "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    for path in hide:
        if path.exists():
            args += ["--tmpfs", str(path)]
    args += ["--bind", str(work), str(work), "--setenv", "HOME", str(work),
             "--chdir", str(work)]
    return args + command


def grade_one(name: str, submission: Path, lab_dir: Path, workroot: Path,
              hide: list[Path]) -> dict:
    grader = json.loads((lab_dir / "grader" / "grader.json").read_text())
    work = workroot / name
    # Not the handout's build/ folders: a teacher who tried make grade there
    # left results in them that are not this learner's.
    shutil.copytree(lab_dir / "handout", work, ignore=shutil.ignore_patterns(".git", "build"))
    missing = []
    for rel in grader["owned"]:
        found, why = find_owned(submission, rel)
        if found is None:
            missing.append(why)
        else:
            shutil.copyfile(found, work / rel)
    for chapter in grader["chapters"]:
        hidden = lab_dir / "grader" / "hidden" / chapter
        if hidden.exists():
            shutil.copytree(hidden, work / chapter / lab.HIDDEN_TESTS)
    out = work / "build" / "grade"
    command = ["make", "--no-print-directory", "grade", f"PYTHON={sys.executable}"]
    try:
        run = subprocess.run(sandbox(work, hide, command), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=SUBMISSION_TIMEOUT_S)
        printed = run.stdout
    except subprocess.TimeoutExpired:
        printed = f"grading stopped after {SUBMISSION_TIMEOUT_S} s\n"
    summary_file = out / "grade.json"
    summary = json.loads(summary_file.read_text()) if summary_file.exists() else None
    note = f"missing from the submission: {'; '.join(missing)}\n" if missing else ""
    return {"name": name, "summary": summary, "printed": note + without_make_noise(printed),
            "missing": missing, "parts": grader["parts"], "results": out}


def keep_results(result: dict, kept: Path) -> None:
    """Copy what make grade wrote out of the learner's copy (a temporary folder)
    into `kept`, and make the feedback's "(results: ...)" line point there."""
    if kept.exists():
        shutil.rmtree(kept)
    kept.mkdir(parents=True)
    for name in RESULT_FILES:
        if (result["results"] / name).exists():
            shutil.copyfile(result["results"] / name, kept / name)
    result["printed"] = result["printed"].replace(f"(results: {result['results']}/",
                                                  f"(results: {kept}/")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bootcamp.grade_all")
    parser.add_argument("--submissions", required=True)
    parser.add_argument("--lab", default="")
    parser.add_argument("--out", default="")
    args = parser.parse_args(argv)
    if args.lab:
        lab_dir = Path(args.lab).resolve()
    else:
        made = sorted(p for p in (lab.ROOT / "build" / "lab").glob("*") if (p / "grader").is_dir())
        if len(made) != 1:
            print("make grade-all: say which lab with LAB=DIR (build/lab/ holds "
                  f"{len(made)} labs; make lab CH=N makes one)", file=sys.stderr)
            return 2
        lab_dir = made[0]
    if not (lab_dir / "grader" / "grader.json").exists() or not (lab_dir / "handout").is_dir():
        print(f"make grade-all: {lab_dir} is not a lab made by make lab (no grader/grader.json "
              "or handout/)", file=sys.stderr)
        return 2
    if shutil.which("bwrap") is None:
        print("make grade-all: bwrap is missing (Debian package bubblewrap; make doctor "
              "installs it)", file=sys.stderr)
        return 2
    submissions = Path(args.submissions).resolve()
    learners = sorted(p for p in submissions.iterdir() if p.is_dir()) \
        if submissions.is_dir() else []
    if not learners:
        print(f"make grade-all: no submission folders in {submissions}", file=sys.stderr)
        return 2
    out = Path(args.out).resolve() if args.out else lab_dir / "grades"
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    (out / "results").mkdir(exist_ok=True)
    parts = json.loads((lab_dir / "grader" / "grader.json").read_text())["parts"]
    header = ["learner"] + [f"{p['chapter'][:4]}:{p['id']}" for p in parts] + \
        ["score", "max", "first_failure", "retried", "missing"]
    rows = []
    hide = [lab.ROOT, submissions, lab_dir]
    with tempfile.TemporaryDirectory(prefix="bootcamp-grade-") as workroot:
        for learner in learners:
            print(f"grading {learner.name} ...", flush=True)
            result = grade_one(learner.name, learner, lab_dir, Path(workroot), hide)
            keep_results(result, out / "results" / learner.name)
            (out / "feedback" / f"{learner.name}.txt").write_text(result["printed"])
            summary = result["summary"]
            scores = {}
            first, retried = "", []
            if summary:
                for chapter in summary["chapters"]:
                    for p in chapter["parts"]:
                        scores[f"{p['chapter']}:{p['id']}"] = p["score"]
                        first = first or (f"{p['id']}: {p['first_failure']}"
                                          if p["first_failure"] else "")
                    retried += [f"{t['test']} ({t['retry']['outcome']})"
                                for t in chapter["tests"] if "retry" in t]
            else:
                first = "make grade did not finish: " + \
                    (result["printed"].strip().splitlines() or ["?"])[-1]
            row = [learner.name] + [scores.get(f"{p['chapter']}:{p['id']}", 0) for p in parts]
            total = sum(p["points"] for p in parts)
            score = sum(scores.values())
            row += [score, total, first, "; ".join(retried), "; ".join(result["missing"])]
            rows.append(row)
            print(f"  {learner.name}: {score}/{total}", flush=True)
    with open(out / "grades.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    print(f"{len(rows)} submissions graded: {out / 'grades.csv'}, feedback in {out / 'feedback'}, "
          f"each one's results in {out / 'results'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
