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
from pathlib import Path

import pytest

from . import fuzz
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
        return [Path(line) for line in out.stdout.split()]


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


def pytest_collect_file(file_path: Path, parent):
    """tests/fuzz/targets.mk: replay each fuzz target's kept corpus (bootcamp.fuzz)."""
    return fuzz.collect(file_path, parent)
