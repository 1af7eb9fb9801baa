"""Grade lab parts: build, run each part's tests, score, and write the results.

    python3 -m bootcamp.grade [--out DIR] CHAPTER_DIR...

For each chapter: `make all` (a build that fails scores 0 for every part, with
the compiler's first error), then its graded tests (lab.toml) under pytest.
A test that failed by running out of time is run once more, alone, with every
limit RETRY_SCALE times longer; the retry is recorded beside the first try.
A part scores its points when every one of its tests passed, else 0.

Prints one line per part (points and the first failure), `Score: X/Y`, then the
course's `N passed, N failed` line, and writes into DIR (default build/grade):
    grade.json    every part and test, with messages, retries and times
    results.json  the same in Gradescope's autograder format
    junit.xml     one <testcase> per test, in a <testsuite> per part
Exit status: 0 when every part has full marks, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from . import lab

RETRY_SCALE = 3.0
BUILD_TIMEOUT_S = 900
TESTS_TIMEOUT_S = 1800
MESSAGE_CHARS = 160


def _harness_env(extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(lab.ROOT / "common" / "test"),
               PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env


def _jobs() -> list[str]:
    try:
        import xdist  # noqa: F401
    except ImportError:
        return []
    return ["-n", str(os.cpu_count() or 2)]


def run_tests(chapter: Path, raw: Path, nodeids: list[str] | None = None,
              scale: float | None = None) -> list[dict]:
    """pytest on the chapter's graded tests (or on nodeids alone); their outcomes."""
    raw.unlink(missing_ok=True)
    extra = {"BOOTCAMP_GRADE": str(raw)}
    if scale is not None:
        extra["BOOTCAMP_TIMEOUT_SCALE"] = str(scale)
    args = [sys.executable, "-m", "pytest", "-p", "bootcamp.plugin", "-q", "-p", "no:cacheprovider",
            "-rfE"]
    args += (["-n", "0"] if nodeids else _jobs())
    args += nodeids or ["tests"]
    try:
        out = subprocess.run(args, cwd=chapter, env=_harness_env(extra), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=TESTS_TIMEOUT_S)
        log = out.stdout
    except subprocess.TimeoutExpired as err:
        log = (err.stdout or b"").decode(errors="replace") if isinstance(err.stdout, bytes) \
            else (err.stdout or "")
    (raw.parent / ("pytest-retry.log" if nodeids else "pytest.log")).write_text(log)
    if not raw.exists():
        return [{"test": "(pytest)", "part": None, "outcome": "failed", "seconds": 0.0,
                 "message": "the tests did not run: " + (log.strip().splitlines() or ["?"])[-1]}]
    return json.loads(raw.read_text())


def first_error(build_log: str) -> str:
    """The line that says what broke: a compiler's `file:line: error:` first."""
    for pattern in (r":\d+: (fatal )?error:|^error:", r"\*\*\*"):
        for line in build_log.splitlines():
            if re.search(pattern, line):
                return line.strip()
    return (build_log.strip().splitlines() or ["the build failed"])[-1]


def grade_chapter(chapter: Path, out: Path) -> dict:
    parts = lab.load_parts(chapter)
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    build = subprocess.run(["make", "--no-print-directory", "-C", str(chapter), "all"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=BUILD_TIMEOUT_S)
    (out / f"build-{chapter.name}.log").write_text(build.stdout)
    tests: list[dict] = []
    build_failure = None
    if build.returncode != 0:
        build_failure = f"the build failed: {first_error(build.stdout)}"
    else:
        raw = out / f"outcomes-{chapter.name}.json"
        tests = run_tests(chapter, raw)
        scale = float(os.environ.get("BOOTCAMP_TIMEOUT_SCALE", "1")) * RETRY_SCALE
        for test in tests:
            if test["outcome"] == "failed" and test.get("timed_out"):
                (again,) = run_tests(chapter, out / "retry.json", [f"tests/{test['test']}"],
                                     scale=scale) or [{"outcome": "failed", "message": "?"}]
                test["retry"] = {"outcome": again["outcome"], "message": again["message"],
                                 "timeout_scale": scale, "seconds": again.get("seconds", 0.0)}
                if again["outcome"] == "passed":
                    test["outcome"] = "passed"
    result_parts = []
    for part in parts:
        mine = [t for t in tests if t.get("part") == part.id]
        failed = [t for t in mine if t["outcome"] != "passed"]
        if build_failure:
            first = build_failure
        elif not mine:
            first = "no test of this part ran"
        elif failed:
            first = f"{failed[0]['test']}: {failed[0]['message']}"
        else:
            first = ""
        result_parts.append({"chapter": chapter.name, "id": part.id, "title": part.title,
                             "max": part.points, "score": 0 if first else part.points,
                             "first_failure": first, "tests": mine})
    return {"chapter": chapter.name, "parts": result_parts, "tests": tests,
            "build_failure": build_failure, "seconds": round(time.monotonic() - started, 1)}


def write_results(chapters: list[dict], out: Path) -> dict:
    parts = [p for c in chapters for p in c["parts"]]
    tests = [t for c in chapters for t in c["tests"]]
    score, total = sum(p["score"] for p in parts), sum(p["max"] for p in parts)
    passed = sum(t["outcome"] == "passed" for t in tests)
    failed = len(tests) - passed + sum(1 for c in chapters if c["build_failure"])
    summary = {"score": score, "max_score": total, "passed": passed, "failed": failed,
               "chapters": chapters}
    (out / "grade.json").write_text(json.dumps(summary, indent=1) + "\n")

    # Gradescope: one entry per part, the first failure as its output.
    gradescope = {"score": score, "output": f"Score: {score}/{total}", "tests": [
        {"name": f"{p['chapter']} {p['id']}: {p['title']}", "score": p["score"],
         "max_score": p["max"], "status": "passed" if p["score"] == p["max"] else "failed",
         "output": p["first_failure"] or "all tests passed"} for p in parts]}
    (out / "results.json").write_text(json.dumps(gradescope, indent=1) + "\n")

    suites = ET.Element("testsuites", tests=str(len(tests)), failures=str(failed))
    for p in parts:
        suite = ET.SubElement(suites, "testsuite", name=f"{p['chapter']}.{p['id']}",
                              tests=str(len(p["tests"])),
                              failures=str(sum(t["outcome"] != "passed" for t in p["tests"])))
        ET.SubElement(ET.SubElement(suite, "properties"), "property", name="points",
                      value=f"{p['score']}/{p['max']}")
        for t in p["tests"]:
            case = ET.SubElement(suite, "testcase", classname=f"{p['chapter']}.{p['id']}",
                                 name=t["test"], time=f"{t.get('seconds', 0.0):.2f}")
            if t["outcome"] != "passed":
                ET.SubElement(case, "failure", message=t["message"][:MESSAGE_CHARS])
            if "retry" in t:
                ET.SubElement(case, "system-out").text = \
                    f"timed out, retried alone: {t['retry']['outcome']}"
        if not p["tests"] and p["first_failure"]:
            case = ET.SubElement(suite, "testcase", classname=f"{p['chapter']}.{p['id']}",
                                 name="build")
            ET.SubElement(case, "failure", message=p["first_failure"][:MESSAGE_CHARS])
    ET.ElementTree(suites).write(out / "junit.xml", encoding="unicode", xml_declaration=True)
    return summary


def report(summary: dict, out: Path) -> str:
    lines = []
    for chapter in summary["chapters"]:
        for p in chapter["parts"]:
            why = p["first_failure"]
            if len(why) > MESSAGE_CHARS:
                why = why[:MESSAGE_CHARS - 3] + "..."
            lines.append(f"  {p['chapter'][:4]} {p['id']:<16} {p['score']:>3}/{p['max']:<3} "
                         f"{'ok' if not why else why}")
        for t in chapter["tests"]:
            if "retry" in t:
                lines.append(f"  (retried {t['test']} alone after a timeout, limits x"
                             f"{t['retry']['timeout_scale']:g}: {t['retry']['outcome']})")
    lines.append(f"Score: {summary['score']}/{summary['max_score']}")
    lines.append(f"{summary['passed']} passed, {summary['failed']} failed")
    lines.append(f"(results: {out}/grade.json, results.json, junit.xml)")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bootcamp.grade")
    parser.add_argument("--out", default="")
    parser.add_argument("chapters", nargs="*")
    args = parser.parse_args(argv)
    try:
        if args.chapters:
            chapters = [Path(c).resolve() if Path(c).is_dir() else lab.find_chapter(c)
                        for c in args.chapters]
        elif (lab.ROOT / lab.HANDOUT_MANIFEST).exists():
            manifest = json.loads((lab.ROOT / lab.HANDOUT_MANIFEST).read_text())
            chapters = [lab.ROOT / c for c in manifest["chapters"]]
        else:
            chapters = [c for c in lab.chapters() if (c / lab.PARTS_FILE).exists()]
        # A chapter's make grade writes into its build/; the course's, into the top's.
        out = Path(args.out).resolve() if args.out else (
            chapters[0] / "build" / "grade" if args.chapters and Path(args.chapters[0]).is_dir()
            else lab.ROOT / "build" / "grade")
        results = [grade_chapter(c, out) for c in chapters]
    except lab.LabError as err:
        print(f"make grade: {err}", file=sys.stderr)
        return 2
    summary = write_results(results, out)
    print(report(summary, out))
    return 0 if summary["score"] == summary["max_score"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
