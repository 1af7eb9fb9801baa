"""The harness's scheduling (bootcamp.schedule): on two workers the long tests
start first, one on each; and tests that share a thing of the chapter's own
take turns (Chapter.taking_turns)."""

import subprocess
import sys
from pathlib import Path

import pytest

from bootcamp import snapshot
from bootcamp.machine import BootError
from bootcamp.plugin import Chapter
from bootcamp.pty_session import outside_make

ROOT = Path(__file__).resolve().parents[2]
SHORT_TESTS = 6

# Each test writes its worker and its name to SCHEDULE_LOG as it runs. The
# long ones come last in the file, on purpose: the harness must move them.
TESTS = '''
import os

import pytest

def record(name):
    with open(os.environ["SCHEDULE_LOG"], "a") as log:
        log.write(f"{os.environ.get('PYTEST_XDIST_WORKER', '-')} {name}\\n")

''' + "".join(f"def test_short_{n}():\n    record('short_{n}')\n\n" for n in range(SHORT_TESTS)) + '''
@pytest.mark.long
def test_long_a():
    record("long_a")

@pytest.mark.long
def test_long_b():
    record("long_b")
'''


def test_on_two_workers_the_long_tests_start_first_one_on_each(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_mixed.py").write_text(TESTS)
    log = tmp_path / "schedule.log"
    env = dict(outside_make(), PYTHONPATH=str(ROOT / "common" / "test"), SCHEDULE_LOG=str(log),
               PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTEST_XDIST_WORKER", None)        # this test's own worker, if it has one
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "bootcamp.plugin", "-q",
                          "-p", "no:cacheprovider", "-n", "2", "tests"],
                         cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, timeout=120)
    assert run.returncode == 0, run.stdout
    first: dict[str, str] = {}
    names = []
    for line in log.read_text().splitlines():
        worker, name = line.split()
        first.setdefault(worker, name)
        names.append(name)
    assert sorted(names) == sorted(["long_a", "long_b"] +
                                   [f"short_{n}" for n in range(SHORT_TESTS)]), names
    assert sorted(first) == ["gw0", "gw1"], first
    assert sorted(first.values()) == ["long_a", "long_b"], \
        f"each worker's first test should be a long one: {first}"


def test_a_turn_held_by_another_test_is_waited_for_then_named(tmp_path, monkeypatch):
    monkeypatch.setattr(snapshot, "TIMEOUT_SCALE", 1)
    chapter = Chapter(tmp_path)
    with chapter.taking_turns("console"):
        with pytest.raises(BootError, match=r"waited 1 s for .*\.turn-console: another "
                                            r"test is still using console"):
            with chapter.taking_turns("console", limit=1):
                pass
    with chapter.taking_turns("console", limit=1):      # given back: free at once
        pass
