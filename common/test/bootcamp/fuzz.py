"""make test replays each fuzz target's kept corpus (common/mk/fuzz.mk).

bootcamp.plugin collects every tests/fuzz/targets.mk as a test file: one item
per target and architecture, `corpus[NAME-64]`, `corpus[NAME-32]`. Each builds
build/fuzz/NAME-replay-BITS (the target's sources with gcc, AddressSanitizer,
UndefinedBehaviorSanitizer and a replay main instead of libFuzzer's) and runs
it once over every file in tests/fuzz/corpus/NAME/: the inputs that once made a
parser fail must not make it fail again. A few seconds, no clang needed.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from . import host

# Replaying a corpus of a few dozen small files takes well under a second
# natively, a few seconds under qemu-i386; a hang is caught per input by the
# replay program itself (FUZZ_INPUT_SECONDS in fuzz.mk).
REPLAY_SECONDS = 300
MAKE_SECONDS = 300


class CorpusFailure(Exception):
    """A replay that failed: the message is all a reader needs."""


class FuzzTargets(pytest.File):
    """tests/fuzz/targets.mk: the targets, as make lists them."""

    def collect(self):
        folder = self.path.parents[2]              # <folder>/tests/fuzz/targets.mk
        listing = subprocess.run(["make", "-s", "--no-print-directory", "-C", str(folder),
                                  "fuzz-targets"], stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True, timeout=MAKE_SECONDS)
        if listing.returncode != 0:
            raise CorpusFailure(f"`make fuzz-targets` failed in {folder}:\n{listing.stdout}")
        for line in listing.stdout.splitlines():
            name, *arches = line.split()
            for bits in arches:
                yield CorpusReplay.from_parent(self, name=f"corpus[{name}-{bits}]",
                                               folder=folder, target=name, bits=int(bits))


class CorpusReplay(pytest.Item):
    def __init__(self, *, folder: Path, target: str, bits: int, **kwargs):
        super().__init__(**kwargs)
        self.folder, self.target, self.bits = folder, target, bits

    def runtest(self):
        relative = Path("build") / "fuzz" / f"{self.target}-replay-{self.bits}"
        build = subprocess.run(["make", "--no-print-directory", "-C", str(self.folder),
                                str(relative)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, timeout=MAKE_SECONDS)
        if build.returncode != 0:
            hint = " (32-bit builds need gcc-multilib: make doctor)" if self.bits == 32 else ""
            raise CorpusFailure(f"the replay program did not build{hint}:\n{build.stdout}")
        corpus = self.folder / "tests" / "fuzz" / "corpus" / self.target
        inputs = sorted(p for p in corpus.glob("*") if p.is_file()) if corpus.is_dir() else []
        if not inputs:
            raise CorpusFailure(f"{corpus} holds no inputs: keep at least a seed there")
        try:
            run = host.run(self.folder / relative, [str(p) for p in inputs], self.bits,
                           timeout=REPLAY_SECONDS)
        except subprocess.TimeoutExpired:
            raise CorpusFailure(f"replaying {corpus} took more than {REPLAY_SECONDS} s") from None
        if run.returncode != 0 or f"replay: {len(inputs)} inputs ran to the end" not in run.stdout:
            raise CorpusFailure(
                f"{self.target} ({self.bits}-bit) fails on an input of {corpus}:\n{run.stdout}\n"
                f"reproduce: make -C {self.folder} {relative} && {relative} FILE")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CorpusFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"{self.target} corpus, {self.bits}-bit"


def collect(file_path: Path, parent):
    if file_path.name == "targets.mk" and file_path.parent.name == "fuzz":
        return FuzzTargets.from_parent(parent, path=file_path)
    return None
