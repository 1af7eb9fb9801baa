"""pytest fixtures for chapter tests. Chapters load it with `-p bootcamp.plugin`.

Fixtures:
  chapter   - the chapter folder: its build/ folder, `make` and `image()`
  emulator  - "qemu" and "bochs": a test that takes it runs once in each
  boot      - boot(spec, emulator) starts a Machine that is stopped after the test;
              its output goes to build/test-logs/<test>/<n>-<emulator>/
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .emulators import Spec, bochs_binary, qemu_binary
from .machine import Bochs, Machine, Qemu

EMULATORS = {"qemu": Qemu, "bochs": Bochs}


class Chapter:
    def __init__(self, root: Path):
        self.root = root
        self.build = root / "build"

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
        return path

    def images(self) -> list[Path]:
        """What `make print-image` lists."""
        out = self.make("-s", "print-image")
        assert out.returncode == 0, out.stdout
        return [Path(line) for line in out.stdout.splitlines() if line]


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


_config: pytest.Config | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _config
    _config = config


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
