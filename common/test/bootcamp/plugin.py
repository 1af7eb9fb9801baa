"""pytest fixtures for chapter tests. Chapters load it with `-p bootcamp.plugin`.

Fixtures:
  chapter   - the chapter folder: its build/ folder, `make` and `image()`
  emulator  - "qemu" and "bochs": a test that takes it runs once in each
  boot      - boot(spec, emulator) starts a Machine that is stopped after the test;
              its output goes to build/test-logs/<test>/<n>-<emulator>/
  restore   - restore(app, ...) starts a QEMU at the UEFI shell's prompt from a
              snapshot made once per build (bootcamp.snapshot), for tests that
              do not test the boot itself; output in build/test-logs/<test>/<n>-restored/

Lab parts (bootcamp.lab): each test a chapter's lab.toml maps to a part is told
to the harness, which then stops the test the moment that part's stub says
`LAB TODO: <part>`. With BOOTCAMP_GRADE=FILE in the environment (make grade),
only the graded tests run, and each one's outcome is written to FILE as JSON.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from . import fuzz
from .emulators import Spec, bochs_binary, qemu_binary
from . import lab
from . import machine as machine_module
from . import schedule
from .machine import Bochs, Machine, Qemu
from .snapshot import FileLock, Restored, Snapshot

EMULATORS = {"qemu": Qemu, "bochs": Bochs}
TURN_LIMIT_S = 600            # Chapter.taking_turns: the longest another test may hold a turn


class Chapter:
    def __init__(self, root: Path):
        self.root = root
        self.build = root / "build"
        self._config: dict[str, str] | None = None

    def make(self, *arguments: str) -> subprocess.CompletedProcess:
        """Run make in the chapter; the result keeps stdout+stderr for the test to read."""
        return subprocess.run(["make", "--no-print-directory", "-C", str(self.root), *arguments],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=300)

    def image(self, name: str) -> Path:
        """A built artifact under build/; fails clearly if the build did not make it."""
        path = self.build / name
        if not path.exists():
            raise AssertionError(f"{path} was not built; run `make -C {self.root}` and read its "
                                 "errors")
        machine_module.lab_todo_in_file(path)     # a lab stub in it: the test fails now
        return path

    def define(self, source: str, name: str) -> int:
        """The value of `#define NAME number` in one of the chapter's sources: tests
        take the program's limits from it, never typed again."""
        text = (self.root / source).read_text()
        match = re.search(rf"^#define {name}\s+(\d+)\b", text, re.M)
        assert match, f"{source} has no #define {name} NUMBER"
        return int(match.group(1))

    def config(self) -> dict[str, str]:
        """What the build knows (`make config`): addresses, sizes, images, as strings."""
        if self._config is None:
            out = self.make("-s", "config")
            if out.returncode != 0:
                raise AssertionError(f"`make -C {self.root} config` failed:\n{out.stdout}")
            try:
                self._config = json.loads(out.stdout)
            except json.JSONDecodeError as error:
                raise AssertionError(f"`make -C {self.root} config` did not print JSON "
                                     f"({error}):\n{out.stdout}") from None
        return self._config

    def number(self, name: str) -> int:
        """A number the build knows (`make config`): 0x8000, 2048 ..."""
        config = self.config()
        if name not in config:
            raise AssertionError(f"the build of {self.root.name} does not say {name} "
                                 f"(`make config` has {sorted(config)})")
        return int(config[name], 0)

    def images(self) -> list[Path]:
        """What `make print-image` lists."""
        out = self.make("-s", "print-image")
        assert out.returncode == 0, out.stdout
        return [Path(line) for line in out.stdout.splitlines() if line]

    @contextlib.contextmanager
    def taking_turns(self, what: str, limit: float = TURN_LIMIT_S):
        """Tests that share one thing of the chapter's own hold it in turns while
        they run on different workers, a lock in the chapter's build/ folder.
        "console": `make run`, `make debug` and `make run-bochs` each keep the
        UEFI console in build/serial.txt, which `make console` and `make
        bochs-screen` show, and `make debug` leaves one note for `make console`
        (build/run/console.txt), which a test that runs `make console` without
        it must not see; "tests": a run of the chapter's tests clears
        build/test-logs/."""
        with FileLock(self.build / f".turn-{what}", limit,
                      held_for=f"another test is still using {what}"):
            yield


def chapter_of(test_file: str) -> Chapter:
    """The chapter a test file belongs to (<chapter>/tests/test_x.py), for module-level
    values: LOAD_ADDRESS = chapter_of(__file__).number("LOAD_ADDRESS")."""
    return Chapter(Path(test_file).resolve().parents[1])


def _chapter_root(config: pytest.Config) -> Path:
    # Tests live in <chapter>/tests/; pytest's rootdir may be either.
    root = Path(config.rootpath)
    return root.parent if root.name == "tests" else root


@pytest.fixture(scope="session")
def chapter(pytestconfig: pytest.Config) -> Chapter:
    return Chapter(_chapter_root(pytestconfig))


@pytest.fixture(params=sorted(EMULATORS))
def emulator(request: pytest.FixtureRequest) -> str:
    return request.param


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")


@pytest.fixture
def logdir(chapter: Chapter, request: pytest.FixtureRequest) -> Path:
    path = chapter.build / "test-logs" / _safe(request.node.name)
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob("*"):
        if old.is_dir():
            for f in old.glob("*"):
                f.unlink()
    return path


@pytest.fixture
def boot(logdir: Path):
    """boot(spec, "qemu" | "bochs", **options) -> a started Machine."""
    machines: list[Machine] = []

    def start(spec: Spec, emulator: str = "qemu", **options) -> Machine:
        kind = EMULATORS[emulator]
        machine = kind(spec, logdir / f"{len(machines) + 1}-{emulator}", **options)
        machines.append(machine)
        machine.start()
        return machine

    yield start
    for machine in machines:
        machine.stop()


@pytest.fixture
def restore(chapter: Chapter, logdir: Path):
    """restore(app, files=None, memory_mb=None, cpus=1, network=False, commands=(), hostfwd=(),
    limit=60) -> a running Qemu at the shell prompt of `app` booted from an ESP with
    `files`, after `commands` were typed; the snapshot lives in build/snapshots/."""
    machines: list[Machine] = []

    def start(app: Path, *, files: dict[str, bytes] | None = None, memory_mb: int | None = None,
              cpus: int = 1, network: bool = False, commands: tuple[str, ...] = (),
              hostfwd: tuple[tuple[int, int], ...] = (), limit: float = 60.0) -> Qemu:
        snap = Snapshot.prepare(app, chapter.build / "snapshots", files=files,
                                memory_mb=memory_mb, cpus=cpus, network=network,
                                commands=commands)
        machine = Restored(snap, logdir / f"{len(machines) + 1}-restored", hostfwd=hostfwd,
                           limit=limit)
        machines.append(machine)
        machine.start()
        return machine

    yield start
    for machine in machines:
        machine.stop()


_config: pytest.Config | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _config
    _config = config
    config.addinivalue_line("markers", schedule.MARKER_HELP)


if schedule.LoadScheduling is not None:
    def pytest_xdist_make_scheduler(config: pytest.Config, log):
        """`-n N`: long tests first, a test at a time (bootcamp.schedule)."""
        return schedule.OneAtATime(config, log) if config.getvalue("dist") == "load" else None


def pytest_keyboard_interrupt(excinfo) -> None:
    """A Ctrl-C. make will say so in one line (`make: *** [...] Interrupt`); what
    pytest would add (a banner, where it was interrupted, a summary) is noise
    then. So the line being drawn is ended and the rest of this process's
    output goes nowhere. Teardown still runs, and stops every emulator.
    (Only in the process that writes to the terminal: an xdist worker's
    output travels to it through a pipe that must stay open.)"""
    if _config is None or hasattr(_config, "workerinput"):
        return
    reporter = _config.pluginmanager.get_plugin("terminalreporter")
    writer = getattr(reporter, "_tw", None)
    if writer is not None and writer.width_of_current_line:
        writer.line()
    sys.stdout.flush()
    sys.stderr.flush()
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    os.close(quiet)


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = []
    for label, binary in (("qemu", qemu_binary()), ("bochs", bochs_binary())):
        try:
            out = subprocess.run([binary, "--version"] if label == "qemu" else [binary, "--help"],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                 timeout=10).stdout
            version = re.search(r"(?:version|Bochs x86 Emulator) ([\d.]+)", out)
            lines.append(f"{label}: {binary} {version.group(1) if version else '?'}")
        except (OSError, subprocess.TimeoutExpired):
            lines.append(f"{label}: {binary} not found (run `make doctor`)")
    if os.environ.get("BOOTCAMP_TIMEOUT_SCALE"):
        lines.append(f"timeouts scaled by {os.environ['BOOTCAMP_TIMEOUT_SCALE']}")
    return lines


# -- lab parts and grading ------------------------------------------------------------

GRADE_ENV = "BOOTCAMP_GRADE"
TIMED_OUT = re.compile(r"waited [\d.]+ s for|the harness killed it at its|Timeout")


def _test_id(item: pytest.Item, root: Path) -> str:
    """The test's node id under the chapter's tests/: test_hello.py::test_print_hex[qemu]."""
    try:
        rel = item.path.relative_to(root / "tests")
    except ValueError:
        rel = Path(item.path.name)
    return f"{rel.as_posix()}::{item.name}"


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    root = _chapter_root(config)
    parts = lab.load_parts(root) if (root / lab.PARTS_FILE).exists() else []
    grading = bool(os.environ.get(GRADE_ENV))
    kept, dropped = [], []
    for item in items:
        part = lab.part_of(_test_id(item, root), parts)
        item.lab_part = part
        callspec = getattr(item, "callspec", None)
        emulator = callspec.params.get("emulator") if callspec else None
        if grading and (part is None or (emulator and emulator not in part.emulators)):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    if hasattr(config, "workerinput"):         # an xdist worker: the controller hands them out
        schedule.in_order(items)


@pytest.fixture(autouse=True)
def _lab_part(request: pytest.FixtureRequest):
    """Tell the harness which part this test grades (see machine.LAB_PART)."""
    part = getattr(request.node, "lab_part", None)
    machine_module.LAB_PART = part.id if part else None
    yield
    machine_module.LAB_PART = None


def _message(report: pytest.TestReport) -> str:
    crash = getattr(getattr(report, "longrepr", None), "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr or "")
    text = re.sub(r"^bootcamp\.machine\.(LabTodo|BootError): ", "", text.strip())
    return text.strip().splitlines()[0] if text.strip() else report.outcome


_outcomes: dict[str, dict] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if not os.environ.get(GRADE_ENV):
        return
    if report.when == "call" or report.outcome != "passed":
        entry = _outcomes.setdefault(report.nodeid, {"outcome": "passed", "message": "",
                                                     "seconds": 0.0})
        entry["seconds"] += report.duration
        if report.outcome != "passed" and entry["outcome"] == "passed":
            entry["outcome"] = report.outcome
            entry["message"] = _message(report) if report.outcome == "failed" else "skipped"
            text = str(report.longrepr or "")
            entry["timed_out"] = bool(TIMED_OUT.search(text)) and "LAB TODO: " not in text
    elif report.when == "teardown":
        _outcomes.setdefault(report.nodeid, {"outcome": "passed", "message": "", "seconds": 0.0})


def pytest_sessionfinish(session: pytest.Session) -> None:
    target = os.environ.get(GRADE_ENV)
    if not target or hasattr(session.config, "workerinput"):
        return        # an xdist worker: the controller sees every report and writes the file
    root = _chapter_root(session.config)
    parts = lab.load_parts(root) if (root / lab.PARTS_FILE).exists() else []
    results = []
    for nodeid, entry in _outcomes.items():
        test_id = nodeid.split("tests/", 1)[1] if nodeid.startswith("tests/") else nodeid
        part = lab.part_of(test_id, parts)
        results.append(dict(entry, test=test_id, part=part.id if part else None))
    Path(target).write_text(json.dumps(results, indent=1) + "\n")


def pytest_collect_file(file_path: Path, parent):
    """tests/fuzz/targets.mk: replay each fuzz target's kept corpus (bootcamp.fuzz)."""
    return fuzz.collect(file_path, parent)
