"""make bench: how fast each chapter builds, boots and tests.

    python3 -m bootcamp.bench CHAPTER_DIR...      (make bench, make -C chNN-x bench)

For each chapter, over RUNS runs (median, min, max):
  - a clean build, and a rebuild after touching one source file;
  - the size of each image, and for boot sectors the bytes used of the budget;
  - the time from starting the emulator to the chapter's ready marker, in QEMU
    (and in Bochs for BIOS chapters);
and, in the same run, the floor: the same emulator and firmware booting a
program that prints a marker and exits at once (common/bench/), timed the same
way, and each chapter's ratio to it.
Then each chapter's `make test`, once, and their sum: the whole `make test`.

The report is printed, saved as JSON (build/bench/latest.json, and a copy
named by the time) and drawn as a chart (build/bench/bench.png, with
gnuplot); the previous latest.json is shown beside the new figures.
Tests never time themselves: figures live here.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from . import interrupt
from . import machine as machine_module
from .course import ROOT, run_folder_tests
from .machine import Bochs, Qemu
from .run import add_spec_arguments, spec_from

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
BOOT_LIMIT_SECONDS = 120
BENCH_POLL_SECONDS = 0.005          # finer than the tests' polling: we are timing
FLOORS = {"bios": ROOT / "common" / "bench" / "bios", "uefi": ROOT / "common" / "bench" / "uefi"}


def make(folder: Path, *targets: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "-C", str(folder), *targets],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stats(samples: list[float]) -> dict:
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples),
            "runs": len(samples)}


def timed(action) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def config(folder: Path) -> dict[str, str]:
    out = make(folder, "-s", "bench-config")
    if out.returncode != 0:
        raise SystemExit(f"{folder.name}: make bench-config failed:\n{out.stdout}")
    return dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)


def spec_for(folder: Path, launch: str):
    parser = argparse.ArgumentParser()
    add_spec_arguments(parser)
    cwd = os.getcwd()
    os.chdir(folder)                 # the image path is relative to the chapter
    try:
        return spec_from(parser.parse_args(launch.split()))
    finally:
        os.chdir(cwd)


def boot_to_ready(kind, spec, logdir: Path, marker: str, source: str) -> float:
    """Seconds from starting the emulator to the marker (or to a halted CPU)."""
    with kind(spec, logdir, limit=BOOT_LIMIT_SECONDS) as m:
        if marker:
            m.wait_for(marker, source=source, timeout=BOOT_LIMIT_SECONDS)
        else:
            m.wait_halted(timeout=BOOT_LIMIT_SECONDS)
        return time.monotonic() - m.started




def measure_floors(logroot: Path, need_bochs: bool, need_uefi: bool) -> dict:
    floors = {}
    for name, folder in FLOORS.items():
        if name == "uefi" and not need_uefi:
            continue
        result = make(folder, "all")
        if result.returncode != 0:
            raise SystemExit(f"building the {name} floor failed:\n{result.stdout}")
    wanted = [("qemu-bios", Qemu, "bios")] + ([("bochs-bios", Bochs, "bios")] if need_bochs else []) \
        + ([("qemu-uefi", Qemu, "uefi")] if need_uefi else [])
    for name, kind, firmware in wanted:
        cfg = config(FLOORS[firmware])
        spec = spec_for(FLOORS[firmware], cfg["launch"])
        floors[name] = stats([boot_to_ready(kind, spec, logroot / f"floor-{name}-{i}",
                                            cfg["marker"], cfg["source"]) for i in range(RUNS)])
    return floors


def measure_chapter(folder: Path, logroot: Path) -> dict:
    cfg = config(folder)
    result: dict = {"chapter": folder.name}
    print(f"  {folder.name}: builds...", flush=True)

    def clean_build() -> None:
        make(folder, "clean")
        out = make(folder, "all")
        if out.returncode != 0:
            raise SystemExit(f"{folder.name}: the build failed:\n{out.stdout}")
        result["build_output"] = out.stdout

    result["clean_build"] = stats([timed(clean_build) for _ in range(RUNS)])
    touch = folder / cfg["touch"] if cfg.get("touch") else None
    if touch and touch.exists():
        def rebuild() -> None:
            touch.touch()
            make(folder, "all")
        result["rebuild"] = stats([timed(rebuild) for _ in range(RUNS)])
        result["rebuild_touches"] = cfg["touch"]

    result["images"] = {Path(i).name: (folder / i).stat().st_size
                        for i in cfg["images"].split() if (folder / i).exists()}
    budgets = re.findall(r"^(\S+): (\d+) of (\d+) bytes used", result.pop("build_output"), re.M)
    result["boot_sectors"] = {name: {"used": int(used), "budget": int(budget)}
                              for name, used, budget in budgets}

    spec = spec_for(folder, cfg["launch"])
    marker, source = cfg.get("marker", ""), cfg.get("source", "debug")
    result["ready_marker"] = marker or "(CPU halted)"
    result["firmware"] = spec.firmware
    print(f"  {folder.name}: boots...", flush=True)
    result["qemu_ready"] = stats([boot_to_ready(Qemu, spec, logroot / f"{folder.name}-qemu-{i}",
                                                marker, source) for i in range(RUNS)])
    if cfg.get("bochs") == "yes":
        result["bochs_ready"] = stats([boot_to_ready(Bochs, spec,
                                                     logroot / f"{folder.name}-bochs-{i}",
                                                     marker, source) for i in range(RUNS)])
    return result


def chart(report: dict, out: Path) -> str:
    if not shutil.which("gnuplot"):
        return "no chart: gnuplot is not installed (make doctor)"
    rows = []
    for ch in report["chapters"]:
        floor = report["floors"].get(f"qemu-{ch['firmware']}", {}).get("median", 0)
        rows.append(f"{ch['chapter']} {ch['clean_build']['median']:.3f} "
                    f"{ch['qemu_ready']['median']:.3f} {floor:.3f} "
                    f"{ch.get('test_seconds', 0):.3f}")
    data = out.with_suffix(".dat")
    data.write_text("# chapter build ready floor tests\n" + "\n".join(rows) + "\n")
    script = f"""
set terminal pngcairo size 1000,560 noenhanced
set output '{out}'
set title 'bootcamp: seconds per chapter (medians of {RUNS} runs; tests: one run)'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel 'seconds'
set logscale y
set yrange [0.01:*]
set key top left
set xtics rotate by -30
plot '{data}' using 2:xtic(1) title 'clean build', '' using 3 title 'QEMU boot to ready', \\
     '' using 4 title 'QEMU floor (firmware only)', '' using 5 title 'make test'
"""
    done = subprocess.run(["gnuplot"], input=script, text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT)
    if done.returncode != 0:
        return f"no chart: gnuplot said {done.stdout.strip()}"
    return f"chart: {out}"


def fmt(s: dict | None) -> str:
    if not s:
        return "-"
    return f"{s['median']:.3f} ({s['min']:.3f}-{s['max']:.3f})"


def print_report(report: dict, previous: dict | None) -> None:
    old = {c["chapter"]: c for c in (previous or {}).get("chapters", [])}
    print(f"\nbootcamp bench, {report['date']}, {report['runs']} runs each; seconds: median (min-max)")
    print("\nfloors (emulator + firmware to a program that prints a marker and exits):")
    for name, s in report["floors"].items():
        last = (previous or {}).get("floors", {}).get(name)
        print(f"  {name:<11} {fmt(s):<26} last: {last['median']:.3f}" if last
              else f"  {name:<11} {fmt(s)}")
    for ch in report["chapters"]:
        floor = report["floors"].get(f"qemu-{ch['firmware']}")
        print(f"\n{ch['chapter']}  (ready: {ch['ready_marker']})")
        print(f"  clean build      {fmt(ch['clean_build'])}")
        if "rebuild" in ch:
            print(f"  rebuild          {fmt(ch['rebuild'])}  after touching {ch['rebuild_touches']}")
        for name, size in ch["images"].items():
            print(f"  image            {name}: {size} bytes")
        for name, b in ch["boot_sectors"].items():
            print(f"  boot sector      {name}: {b['used']} of {b['budget']} bytes")
        ratio = f"  x{ch['qemu_ready']['median'] / floor['median']:.2f} of the floor" if floor else ""
        last = old.get(ch["chapter"], {}).get("qemu_ready")
        print(f"  QEMU to ready    {fmt(ch['qemu_ready'])}{ratio}"
              + (f"  last: {last['median']:.3f}" if last else ""))
        if "bochs_ready" in ch:
            bfloor = report["floors"].get("bochs-bios")
            ratio = f"  x{ch['bochs_ready']['median'] / bfloor['median']:.2f} of the floor" if bfloor else ""
            print(f"  Bochs to ready   {fmt(ch['bochs_ready'])}{ratio}")
        if "test_seconds" in ch:
            last = old.get(ch["chapter"], {}).get("test_seconds")
            print(f"  make test        {ch['test_seconds']:.1f} s ({ch['test_counts']['passed']} passed)"
                  + (f"  last: {last:.1f} s" if last else ""))
    if "test_total_seconds" in report:
        last = (previous or {}).get("test_total_seconds")
        print(f"\nwhole make test: {report['test_total_seconds']:.1f} s"
              + (f"  (last: {last:.1f} s)" if last else ""))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bootcamp.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="+", type=Path)
    parser.add_argument("--no-tests", action="store_true", help="skip timing make test")
    args = parser.parse_args(argv)
    folders = [c.resolve() for c in args.chapters]
    single = len(folders) == 1
    outdir = (folders[0] if single else ROOT) / "build" / "bench"
    logroot = outdir / "logs"
    shutil.rmtree(logroot, ignore_errors=True)
    outdir.mkdir(parents=True, exist_ok=True)
    machine_module.POLL_SECONDS = BENCH_POLL_SECONDS

    configs = {f: config(f) for f in folders}
    need_bochs = any(c.get("bochs") == "yes" for c in configs.values())
    need_uefi = any("--media efi" in c["launch"] for c in configs.values())
    print(f"bench: {len(folders)} chapter(s), {RUNS} runs each; floors first", flush=True)
    report = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "runs": RUNS,
              "machine": {"cores": os.cpu_count()},
              "floors": measure_floors(logroot, need_bochs, need_uefi), "chapters": []}
    for folder in folders:
        report["chapters"].append(measure_chapter(folder, logroot))

    if not args.no_tests:
        print("  make test in each chapter (output in build/bench/tests.log)...", flush=True)
        with open(outdir / "tests.log", "w") as log:
            total = 0.0
            for ch, folder in zip(report["chapters"], folders):
                code, found, seconds = run_folder_tests(folder, out=log)
                ch["test_seconds"], ch["test_counts"], ch["test_exit"] = seconds, found, code
                total += seconds
        report["test_total_seconds"] = total

    latest = outdir / "latest.json"
    previous = json.loads(latest.read_text()) if latest.exists() else None
    print_report(report, previous)
    text = json.dumps(report, indent=2)
    latest.write_text(text)
    stamp = report["date"].replace(":", "").replace("-", "")
    (outdir / f"bench-{stamp}.json").write_text(text)
    print(f"\nreport: {latest}")
    print(chart(report, outdir / "bench.png"))
    return 0


if __name__ == "__main__":
    sys.exit(interrupt.quietly(main, sys.argv[1:]))
