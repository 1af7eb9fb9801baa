"""The whole course, from the top-level Makefile.

    python3 -m bootcamp.course test  [CHAPTER...]   every chapter's `make test`, then a summary
    python3 -m bootcamp.course pick                  choose a chapter to `make run`
    python3 -m bootcamp.course chapters              the chapter folders, one a line
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from . import interrupt

ROOT = Path(__file__).resolve().parents[3]
# After a Ctrl-C, how long a chapter's make may take to stop its tests (they
# got the SIGINT too) before the harness stops them itself.
STOP_SECONDS = 30
SUMMARY = re.compile(r"^=*\s*(.*?\b(?:passed|failed|error|errors|skipped)\b.*?) in [\d.]+s", re.M)


def chapters() -> list[Path]:
    """Chapter folders that exist: chNN-name with a Makefile."""
    return sorted(p for p in ROOT.glob("ch[0-9][0-9]-*") if (p / "Makefile").exists())


def title(chapter: Path) -> str:
    readme = chapter / "README.md"
    if readme.exists():
        for line in readme.read_text().splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return chapter.name


def counts(output: str) -> dict[str, int]:
    found = {"passed": 0, "failed": 0, "skipped": 0, "error": 0}
    matches = SUMMARY.findall(output)
    if matches:
        for number, word in re.findall(r"(\d+) (passed|failed|skipped|errors?)", matches[-1]):
            found["error" if word.startswith("error") else word] += int(number)
    return found


def test_folders(selected: list[str]) -> list[Path]:
    """The chapters asked for; with none named, every chapter and then common/,
    whose tests check the harness and the make rules against the whole course
    (a lab handout has none)."""
    if selected:
        return [c for c in chapters() if c.name in selected]
    common = [ROOT / "common"] if (ROOT / "common" / "tests").is_dir() else []
    return chapters() + common


def run_folder_tests(folder: Path, out=sys.stdout) -> tuple[int, dict[str, int], float]:
    """`make test` in one folder, its output copied to `out`: (exit code, counts, seconds)."""
    print(f"\n===== {folder.name}: make test =====", file=out, flush=True)
    started = time.monotonic()
    proc = subprocess.Popen(["make", "--no-print-directory", "-C", str(folder), "test"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        for line in proc.stdout:
            out.write(line)
            lines.append(line)
        proc.wait()
    except KeyboardInterrupt:
        # The chapter's make, its tests and emulators got the SIGINT too. Show
        # none of what they say as they stop (make's own line will say it was
        # interrupted), but wait for them: nothing may outlive `make test`.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            proc.communicate(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
        raise
    found = counts("".join(lines))
    if proc.returncode != 0 and not (found["failed"] or found["error"]):
        found["error"] += 1              # the build or set-up failed before any test ran
    return proc.returncode, found, time.monotonic() - started


def run_tests(selected: list[str]) -> int:
    results = [(folder.name, *run_folder_tests(folder)) for folder in test_folders(selected)]

    print("\n===== summary =====")
    for name, code, found, seconds in results:
        state = "ok" if code == 0 else "FAILED"
        print(f"  {name:<18} {state:<7} {found['passed']:>4} passed  {found['failed']:>3} failed"
              f"  {found['error']:>3} errors  {seconds:6.1f} s")
    total = {k: sum(r[2][k] for r in results) for k in ("passed", "failed", "skipped", "error")}
    failed = total["failed"] + total["error"]
    line = f"{total['passed']} passed, {failed} failed"
    if total["skipped"]:
        line += f", {total['skipped']} skipped"
    print(line)
    return 0 if all(code == 0 for _, code, _, _ in results) else 1


def pick() -> int:
    """Ask which chapter to boot; print its folder name on standard output.

    The Makefile captures standard output as the chapter's name, so the menu
    and the question go to the terminal through standard error."""
    folders = chapters()
    if not folders:
        print("no chapters found", file=sys.stderr)
        return 1
    if not sys.stdin.isatty():
        print(folders[-1].name)
        return 0
    for number, folder in enumerate(folders, 1):
        print(f"  {number}. {title(folder)}  ({folder.name})", file=sys.stderr)
    print(f"Boot which chapter? [1-{len(folders)}, Enter for {len(folders)}] ",
          end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline().strip()
    if not answer:
        print(folders[-1].name)
        return 0
    if not (answer.isdigit() and 1 <= int(answer) <= len(folders)):
        print(f"no chapter {answer!r}: type a number from 1 to {len(folders)}", file=sys.stderr)
        return 1
    print(folders[int(answer) - 1].name)
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("test", "pick", "chapters"):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[0] == "test":
        return run_tests(argv[1:])
    if argv[0] == "pick":
        return pick()
    for folder in chapters():
        print(folder.name)
    return 0


if __name__ == "__main__":
    sys.exit(interrupt.quietly(main, sys.argv[1:]))
