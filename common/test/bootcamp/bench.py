"""make bench: how fast each chapter builds, boots and tests, against floors
measured in the same run.

    python3 -m bootcamp.bench CHAPTER_DIR...      (make bench, make -C chNN-x bench)

The host is shared and loaded, so seconds drift 2-3x from run to run: every
figure is printed as a ratio to a floor measured in the same run, on the same
host, under the same load. The floors (common/bench/) are the least a chapter
can cost on what it stands on:
  bios  a boot sector that prints a marker and exits the emulator at once
  grub  GRUB booting a Multiboot2 kernel that does the same (ch04, ch05)
  uefi  a UEFI application that does the same (ch06, ch07)
Each floor is built and booted exactly as a chapter is. For each chapter, over
RUNS runs (median, min, max):
  - a clean build, and a rebuild after touching one source file, each over
    the same for its floor;
  - the time from starting the emulator to the chapter's ready marker, in QEMU
    (and in Bochs for BIOS chapters), over its floor's, the two booted in
    turn (floor, chapter, chapter, floor, ...) so that both see the same load
    (a floor timed minutes earlier, under another load, once read a chapter
    that boots as fast as it as 1.4-2x slower);
  - boot sectors: bytes used over the budget.
A chapter that measures something of its own (ch07: the network, against the
firmware's TCP4 ceiling) names where its `make bench` leaves its figures
(BENCH_FIGURES); that bench runs here too, and its ratios join the report and
the chart as it computed them.
Then each chapter's `make test`, once, in units of its floor's QEMU boot; for
the UEFI chapters (whose tests start from a snapshot at the prompt) also with
BOOTCAMP_SNAPSHOTS=0, side by side, and the ratio of the two. The only
seconds printed are the floors' own (the units of everything else: all the
floor's boots of the run, with whichever chapter they were taken) and the
whole `make test`, whose goal is absolute; each with the load average.

The report is printed, saved as JSON (build/bench/latest.json, and a copy
named by the time) and drawn as a chart of the ratios (build/bench/bench.png,
with gnuplot); the previous latest.json's ratios are shown beside the new ones.
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
FLOOR_DIR = ROOT / "common" / "bench"
FLOORS = {"bios": FLOOR_DIR / "bios", "grub": FLOOR_DIR / "grub", "uefi": FLOOR_DIR / "uefi"}
# The environment that makes the UEFI tests boot cold (bootcamp/snapshot.py).
COLD = {"BOOTCAMP_SNAPSHOTS": "0"}


def make(folder: Path, *targets: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "-C", str(folder), *targets],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stats(samples: list[float]) -> dict:
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples),
            "runs": len(samples), "samples": samples}


def timed(action) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def load_average() -> float:
    """The 1-minute load average: how busy the shared host was."""
    return round(os.getloadavg()[0], 1)


def config(folder: Path) -> dict[str, str]:
    out = make(folder, "-s", "bench-config")
    if out.returncode != 0:
        raise SystemExit(f"{folder.name}: make bench-config failed:\n{out.stdout}")
    return dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)


def floor_of(cfg: dict[str, str]) -> str:
    """The floor a folder stands on: its own word (kernel.mk says grub), else
    the firmware its launch line names."""
    if cfg.get("floor"):
        return cfg["floor"]
    return "uefi" if "--media efi" in cfg["launch"] else "bios"


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


def measure_builds(folder: Path, cfg: dict[str, str]) -> dict:
    """A clean build and a rebuild after touching one source, RUNS times each."""
    result: dict = {}
    output = {}

    def clean_build() -> None:
        make(folder, "clean")
        out = make(folder, "all")
        if out.returncode != 0:
            raise SystemExit(f"{folder.name}: the build failed:\n{out.stdout}")
        output["last"] = out.stdout

    result["clean_build"] = stats([timed(clean_build) for _ in range(RUNS)])
    touch = folder / cfg["touch"] if cfg.get("touch") else None
    if touch and touch.exists():
        def rebuild() -> None:
            touch.touch()
            make(folder, "all")
        result["rebuild"] = stats([timed(rebuild) for _ in range(RUNS)])
        result["rebuild_touches"] = cfg["touch"]
    result["build_output"] = output["last"]
    return result


def boots_in_turn(kind, targets: list[dict], logroot: Path) -> list[list[float]]:
    """Time each target's boot (a dict: name, spec, marker, source) RUNS times,
    taking them in turn and the other way round every other round (A B, B A,
    A B, ...): boots compared with each other see the same host under the same
    load, and none is always the first after a build (that boot is the slowest)."""
    times: list[list[float]] = [[] for _ in targets]
    for i in range(RUNS):
        order = range(len(targets)) if i % 2 == 0 else reversed(range(len(targets)))
        for k in order:
            t = targets[k]
            times[k].append(boot_to_ready(kind, t["spec"], logroot / f"{t['name']}-"
                                          f"{kind.name.lower()}-{i}", t["marker"], t["source"]))
    return times


def measure_floors(wanted: set[str]) -> tuple[dict, dict]:
    """Each wanted floor: its builds, and what it takes to boot it. Its boots are
    timed in turn with each chapter's (measure_chapter), then pooled (pool_floor_boots)."""
    floors, boots = {}, {}
    for name in ("bios", "grub", "uefi"):
        if name not in wanted:
            continue
        folder = FLOORS[name]
        cfg = config(folder)
        print(f"  floor {name}: builds...", flush=True)
        builds = measure_builds(folder, cfg)
        builds.pop("build_output")
        floors[name] = {**builds, "load": load_average()}
        boots[name] = {"name": f"floor-{name}", "spec": spec_for(folder, cfg["launch"]),
                       "marker": cfg["marker"], "source": cfg["source"],
                       "bochs": cfg.get("bochs") == "yes"}
    return floors, boots


def pool_floor_boots(floors: dict, chapters: list[dict]) -> None:
    """A floor's boot times, the units of the report: every boot of it in this
    run, with whichever chapter it was timed."""
    for name, floor in floors.items():
        for key in ("qemu_ready", "bochs_ready"):
            samples = [x for ch in chapters if ch["floor"] == name
                       for x in (ch.get(f"floor_{key}") or {}).get("samples", [])]
            if samples:
                floor[key] = stats(samples)


def measure_chapter(folder: Path, cfg: dict[str, str], logroot: Path, floor: dict) -> dict:
    """The chapter's builds, and its boots timed in turn with its floor's."""
    result: dict = {"chapter": folder.name, "floor": floor_of(cfg)}
    print(f"  {folder.name}: builds...", flush=True)
    result.update(measure_builds(folder, cfg))
    result["images"] = {Path(i).name: (folder / i).stat().st_size
                        for i in cfg["images"].split() if (folder / i).exists()}
    budgets = re.findall(r"^(\S+): (\d+) of (\d+) bytes used", result.pop("build_output"), re.M)
    result["boot_sectors"] = {name: {"used": int(used), "budget": int(budget)}
                              for name, used, budget in budgets}

    spec = spec_for(folder, cfg["launch"])
    marker, source = cfg.get("marker", ""), cfg.get("source", "debug")
    result["ready_marker"] = marker or "(CPU halted)"
    result["firmware"] = spec.firmware
    print(f"  {folder.name}: boots, in turn with the {result['floor']} floor's...", flush=True)
    result["load"] = load_average()
    chapter = {"name": folder.name, "spec": spec, "marker": marker, "source": source}
    floor_boot = {**floor, "name": f"{floor['name']}-with-{folder.name}"}
    theirs, ours = boots_in_turn(Qemu, [floor_boot, chapter], logroot)
    result["qemu_ready"], result["floor_qemu_ready"] = stats(ours), stats(theirs)
    if cfg.get("bochs") == "yes":
        if floor["bochs"]:
            theirs, ours = boots_in_turn(Bochs, [floor_boot, chapter], logroot)
            result["bochs_ready"], result["floor_bochs_ready"] = stats(ours), stats(theirs)
        else:
            result["bochs_ready"] = stats(boots_in_turn(Bochs, [chapter], logroot)[0])
    return result


def own_bench(folder: Path, figures_file: str, logroot: Path) -> dict:
    """The chapter's own `make bench`, which leaves {"figures": [{"name",
    "title", "ratio", "goal_at_least"?}, ...]} in figures_file: its figures,
    or why there are none."""
    path = folder / figures_file
    log = logroot / f"{folder.name}-own-bench.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)           # an earlier run's file is not this run's figures
    print(f"  {folder.name}: its own make bench (output in {log})...", flush=True)
    with open(log, "w") as out:
        done = subprocess.run(["make", "--no-print-directory", "-C", str(folder), "bench"],
                              stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        return {"error": f"its make bench failed (exit status {done.returncode}); see {log}"}
    try:
        figures = json.loads(path.read_text())["figures"]
        incomplete = [f for f in figures if not {"name", "title", "ratio"} <= f.keys()]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        return {"error": f"its make bench left no figures in {path} "
                         f"({type(e).__name__}: {e}); see {log}"}
    if incomplete:
        return {"error": f"its make bench left a figure without a name, title or ratio in "
                         f"{path}: {incomplete[0]}"}
    return {"figures": figures}


def timed_tests(folder: Path, log, extra_env: dict[str, str]) -> tuple[int, dict, float]:
    """make test in folder, with extra_env on top of ours."""
    saved = {k: os.environ.get(k) for k in extra_env}
    os.environ.update(extra_env)
    try:
        return run_folder_tests(folder, out=log)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def measure_tests(report: dict, folders: list[Path], log) -> None:
    """Each chapter's make test once; the UEFI chapters also cold, right after."""
    for ch, folder in zip(report["chapters"], folders):
        ch["test_load"] = load_average()
        code, found, seconds = timed_tests(folder, log, {})
        ch["test_seconds"], ch["test_counts"], ch["test_exit"] = seconds, found, code
        if ch["floor"] == "uefi":
            print(f"  {folder.name}: make test again, cold (BOOTCAMP_SNAPSHOTS=0)...", flush=True)
            code, found, seconds = timed_tests(folder, log, COLD)
            ch["test_cold_seconds"], ch["test_cold_counts"], ch["test_cold_exit"] = \
                seconds, found, code
    report["test_total_seconds"] = sum(ch["test_seconds"] for ch in report["chapters"])


# -- ratios: computed from the report's own measurements, nothing else ---------
def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def ratios(report: dict) -> dict:
    """Every figure make bench prints, as a ratio to a floor measured in the same
    run: per chapter, and for the snapshots of the UEFI chapters as a whole."""
    out: dict = {"chapters": {}}
    floors = report["floors"]
    for ch in report["chapters"]:
        floor = floors.get(ch["floor"], {})
        median = lambda d, key: (d.get(key) or {}).get("median")   # noqa: E731
        r = {
            "clean_build": ratio(median(ch, "clean_build"), median(floor, "clean_build")),
            "rebuild": ratio(median(ch, "rebuild"), median(floor, "rebuild")),
            # Boots over the floor's boots taken in turn with them (measure_chapter).
            "qemu_ready": ratio(median(ch, "qemu_ready"), median(ch, "floor_qemu_ready")),
            "bochs_ready": ratio(median(ch, "bochs_ready"), median(ch, "floor_bochs_ready")),
            "test_in_floor_boots": ratio(ch.get("test_seconds"), median(floor, "qemu_ready")),
            "test_snapshots_over_cold": ratio(ch.get("test_seconds"), ch.get("test_cold_seconds")),
        }
        r["boot_sectors"] = {name: b["used"] / b["budget"] for name, b in ch["boot_sectors"].items()}
        # The chapter's own bench's ratios, each to its own ceiling of the same run.
        r["own"] = {f["name"]: f["ratio"] for f in ch.get("own_bench", {}).get("figures", [])
                    if f["ratio"] is not None} or None
        out["chapters"][ch["chapter"]] = {k: v for k, v in r.items() if v is not None}
    cold = [ch for ch in report["chapters"] if ch.get("test_cold_seconds")]
    if cold:
        out["uefi_tests_snapshots_over_cold"] = ratio(sum(ch["test_seconds"] for ch in cold),
                                                      sum(ch["test_cold_seconds"] for ch in cold))
        out["uefi_tests_chapters"] = [ch["chapter"] for ch in cold]
    return out


STANDARD_FIGURES = [("clean_build", "clean build / floor build"),
                    ("qemu_ready", "QEMU to ready / floor"),
                    ("bochs_ready", "Bochs to ready / floor"),
                    ("test_snapshots_over_cold", "make test: snapshots / cold")]


def chart(report: dict, out: Path) -> str:
    """Every chapter's ratios, its own bench's beside the standard ones."""
    chapters = report["ratios"]["chapters"]
    own_titles = {f["name"]: f["title"] for ch in report["chapters"]
                  for f in ch.get("own_bench", {}).get("figures", [])}
    columns = STANDARD_FIGURES + [(f"own:{name}", title) for name, title in own_titles.items()]
    rows = [(name, {**r, **{f"own:{k}": v for k, v in r.get("own", {}).items()}})
            for name, r in chapters.items()]
    return bar_chart(out, f"bootcamp: each chapter over its floor, same run (medians of "
                          f"{report['runs']} runs; tests: one run)", columns, rows)


def bar_chart(out: Path, title: str, columns: list[tuple[str, str]],
              rows: list[tuple[str, dict]]) -> str:
    """Clustered bars of ratios, a cluster per row, on a log scale with 1 marked:
    out (PNG, beside its .dat). Says where it is, or why there is none."""
    if not shutil.which("gnuplot"):
        return "no chart: gnuplot is not installed (make doctor)"
    # One bar per column that some row has (gnuplot refuses a column of no points).
    columns = [(key, legend) for key, legend in columns
               if any(isinstance(r.get(key), (int, float)) for _, r in rows)]
    if not columns:
        return "no chart: no ratios to draw"
    lines = [name.replace(" ", "_") + "".join(f" {r.get(key, 0):.3f}" for key, _ in columns)
             for name, r in rows]
    data = out.with_suffix(".dat")
    data.write_text("# row " + " ".join(key for key, _ in columns) + "\n" + "\n".join(lines) + "\n")

    def quoted(text) -> str:                   # a gnuplot string: ' doubles
        return "'" + str(text).replace("'", "''") + "'"
    plots = [f"{quoted(data) if i == 0 else quoted('')} using (${i + 2} > 0 ? ${i + 2} : 1/0)"
             + (":xtic(1)" if i == 0 else "") + f" title {quoted(legend)}"
             for i, (_, legend) in enumerate(columns)]
    script = f"""
set terminal pngcairo size 1200,600 noenhanced
set output {quoted(out)}
set title {quoted(title)}
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel 'ratio (1 = the floor or ceiling)'
set logscale y
set yrange [0.05:*]
set key top left
set xtics rotate by -30
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
plot {", ".join(plots)}
"""
    done = subprocess.run(["gnuplot"], input=script, text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT)
    if done.returncode != 0:
        return f"no chart: gnuplot said {done.stdout.strip()}"
    return f"chart: {out}"


def fmt_seconds(s: dict | None) -> str:
    if not s:
        return "-"
    return f"{s['median']:.3f} s ({s['min']:.3f}-{s['max']:.3f})"


def fmt_ratio(value: float | None, last: float | None = None) -> str:
    if value is None:
        return "-"
    return f"x{value:.2f}" + (f"  (last x{last:.2f})" if last else "")


FLOOR_TITLES = {"bios": "a boot sector that exits", "grub": "GRUB, a Multiboot2 kernel that exits",
                "uefi": "a UEFI application that exits"}


def print_report(report: dict, previous: dict | None) -> None:
    r = report["ratios"]
    old = (previous or {}).get("ratios", {}).get("chapters", {})
    print(f"\nbootcamp bench, {report['date']}, {report['runs']} runs each, "
          f"{report['machine']['cores']} cores, load average "
          f"{report['machine']['load_start']} at the start, {report['machine']['load_end']} at the end")
    print("\nfloors, the units below (seconds: median (min-max)):")
    for name, f in report["floors"].items():
        print(f"  {name:<5} {FLOOR_TITLES.get(name, name)}  (load {f['load']})")
        print(f"        build {fmt_seconds(f['clean_build'])}, rebuild {fmt_seconds(f.get('rebuild'))}")
        print(f"        QEMU to marker {fmt_seconds(f.get('qemu_ready'))}"
              + (f", Bochs {fmt_seconds(f['bochs_ready'])}" if "bochs_ready" in f else ""))
    print("\nchapters, each over its floor (x1.00 = the floor; medians; boots over the "
          "floor's boots taken in turn with them):")
    for ch in report["chapters"]:
        c, last = r["chapters"][ch["chapter"]], old.get(ch["chapter"], {})
        print(f"\n{ch['chapter']}  (floor: {ch['floor']}; ready: {ch['ready_marker']}; "
              f"load {ch['load']})")
        print(f"  clean build      {fmt_ratio(c.get('clean_build'), last.get('clean_build'))}")
        if "rebuild" in c:
            print(f"  rebuild          {fmt_ratio(c['rebuild'], last.get('rebuild'))}"
                  f"  after touching {ch['rebuild_touches']}")
        for name, used in c["boot_sectors"].items():
            print(f"  boot sector      {name}: {used:.0%} of its budget")
        print(f"  QEMU to ready    {fmt_ratio(c.get('qemu_ready'), last.get('qemu_ready'))}")
        if "bochs_ready" in c:
            print(f"  Bochs to ready   {fmt_ratio(c['bochs_ready'], last.get('bochs_ready'))}")
        if "test_in_floor_boots" in c:
            print(f"  make test        {c['test_in_floor_boots']:.0f} floor boots "
                  f"({ch['test_counts']['passed']} passed; load {ch['test_load']})")
        own = ch.get("own_bench", {})
        if "error" in own:
            print(f"  its own bench    {own['error']}")
        width = max((len(f["title"]) for f in own.get("figures", [])), default=0) + 1
        for f in own.get("figures", []):
            goal = f"  (goal: x{f['goal_at_least']:.2f} or more)" if "goal_at_least" in f else ""
            print(f"  {f['title'] + ':':<{width}} "
                  f"{fmt_ratio(c.get('own', {}).get(f['name']), last.get('own', {}).get(f['name']))}"
                  f"{goal}")
        if "test_snapshots_over_cold" in c:
            print(f"  make test        snapshots / cold (BOOTCAMP_SNAPSHOTS=0): "
                  f"{fmt_ratio(c['test_snapshots_over_cold'], last.get('test_snapshots_over_cold'))}"
                  f" ({ch['test_cold_counts']['passed']} passed cold)")
    if "uefi_tests_snapshots_over_cold" in r:
        last = (previous or {}).get("ratios", {}).get("uefi_tests_snapshots_over_cold")
        print(f"\n{' + '.join(r['uefi_tests_chapters'])} make test, snapshots / cold, same run: "
              f"{fmt_ratio(r['uefi_tests_snapshots_over_cold'], last)}  (goal: x0.33 or less)")
    if "test_total_seconds" in report:
        print(f"whole make test: {report['test_total_seconds']:.1f} s at a load average of "
              f"{report['machine']['load_end']}  (goal: under 60 s on 2 cores; seconds, "
              f"not a ratio: this goal is absolute)")


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
    wanted = {floor_of(c) for c in configs.values()}
    print(f"bench: {len(folders)} chapter(s), {RUNS} runs each; floors first "
          f"({', '.join(sorted(wanted))})", flush=True)
    report = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "runs": RUNS,
              "machine": {"cores": os.cpu_count(), "load_start": load_average()},
              "chapters": []}
    report["floors"], floor_boots = measure_floors(wanted)
    for folder in folders:
        cfg = configs[folder]
        report["chapters"].append(measure_chapter(folder, cfg, logroot,
                                                  floor_boots[floor_of(cfg)]))
        if cfg.get("figures"):
            report["chapters"][-1]["own_bench"] = own_bench(folder, cfg["figures"], logroot)
    pool_floor_boots(report["floors"], report["chapters"])

    if not args.no_tests:
        print("  make test in each chapter (output in build/bench/tests.log)...", flush=True)
        with open(outdir / "tests.log", "w") as log:
            measure_tests(report, folders, log)
    report["machine"]["load_end"] = load_average()
    report["ratios"] = ratios(report)

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
