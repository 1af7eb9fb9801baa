"""ch07: the fuzz targets' kept inputs, replayed without libFuzzer.

`make fuzz` runs the targets of tests/fuzz/targets.mk under libFuzzer for a
set time. Every input worth keeping (the seeds, and each input that once
made a target fail) lives in tests/fuzz/corpus/NAME/; here each target is
built with gcc, AddressSanitizer and UndefinedBehaviorSanitizer around a plain
driver (tests/fuzz/replay.c) and fed the whole corpus: seconds, in make test.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from conftest import build_host_program

CHAPTER = Path(__file__).resolve().parent.parent
FUZZ = "tests/fuzz"
REPLAY_LIMIT_S = 120


def targets_mk() -> dict[str, list[str]]:
    """NAME -> NAME_SOURCES, as targets.mk declares them."""
    text = (CHAPTER / FUZZ / "targets.mk").read_text()
    names = [n for line in re.findall(r"^FUZZ_TARGETS\s*\+=\s*(.+)$", text, re.M)
             for n in line.split()]
    sources = dict(re.findall(r"^(\w+)_SOURCES\s*:=\s*(.+)$", text, re.M))
    assert names, "targets.mk declares no FUZZ_TARGETS"
    return {name: sources[name].split() for name in names}


TARGETS = targets_mk()


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_corpus_replays(chapter, tmp_path, target):
    sources = TARGETS[target]
    corpus = sorted((chapter.root / FUZZ / "corpus" / target).glob("*"))
    assert corpus, f"{FUZZ}/corpus/{target}/ is empty: keep at least the seeds"
    replay = build_host_program(chapter, tmp_path, f"replay_{target}",
                                [f"{FUZZ}/replay.c", f"{FUZZ}/fuzz_{target}.c", *sources])
    result = subprocess.run([str(replay), *map(str, corpus)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, timeout=REPLAY_LIMIT_S)
    assert result.returncode == 0, f"{target} failed on its corpus:\n{result.stdout[-3000:]}"
    assert f"replayed {len(corpus)} inputs" in result.stdout, result.stdout
