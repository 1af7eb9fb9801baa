"""make bench produces a complete report. It measures; nothing here asserts a time."""

import json
import os
import subprocess
import sys
from pathlib import Path

COMMON = Path(__file__).resolve().parents[1]
FLOOR = COMMON / "bench" / "bios"      # a folder with the chapter contract, cheap to boot


def test_bench_reports_every_figure():
    env = dict(os.environ, BENCH_RUNS="1", PYTHONPATH=str(COMMON / "test"))
    result = subprocess.run([sys.executable, "-m", "bootcamp.bench", str(FLOOR), "--no-tests"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout
    report = json.loads((FLOOR / "build" / "bench" / "latest.json").read_text())
    assert set(report["floors"]) == {"qemu-bios", "bochs-bios"}
    (chapter,) = report["chapters"]
    for figure in ("clean_build", "rebuild", "qemu_ready", "bochs_ready"):
        assert {"median", "min", "max", "runs"} <= set(chapter[figure]), figure
    assert chapter["boot_sectors"]["exit"]["budget"] == 510
    assert chapter["images"]["exit.floppy.img"] == 1_474_560
    assert "x" in result.stdout and "of the floor" in result.stdout
    assert (FLOOR / "build" / "bench" / "bench.png").exists(), result.stdout
