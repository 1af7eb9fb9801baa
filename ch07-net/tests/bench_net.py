"""ch07 benchmark (`make bench`): TCP download throughput of our sockets on
the firmware's TCP4, against the firmware's own ceiling and iPXE, in one run.

    make bench, or: PYTHONPATH=../common/test python3 tests/bench_net.py CHAPTER_DIR

Every guest fetches the same 16 MiB random file from a server on the host
(127.0.0.1, reached as 10.0.2.2 through QEMU's user network) on a q35 machine
with OVMF, 256 MiB, two processors and a virtio NIC. The host's clock times each download the
same way, from the request for the file to the request for /done, which each
guest sends when it has the whole file (the guest's clock runs slow when the
host is loaded). What runs:
  ceiling     build/tcp4_probe.efi (tests/tcp4_probe.c): the firmware's TCP4
              with nothing above it, one Receive outstanding, bytes dropped;
  ours        build/net.efi, `get`, SHA-256 of every byte (and an upload);
  ours, count build/net_count.efi: the same, the body counted, not hashed;
  iPXE        its own TCP/IP and virtio driver, length only.
A shared host's load drifts by the second, so the first three take turns in
one boot: the ESP's boot program, build/bench_runner.efi
(tests/bench_runner.c), runs the ceiling, ours and ours counting, BENCH_RUNS
times (default 3), then the ceiling once more. Each rate of ours is read
against the mean of the two ceiling runs around it, seconds apart, and the
median over the rounds is reported. iPXE is the NIC's option ROM, so it needs
boots of its own: each between two boots of the ceiling alone.
Printed: the ceiling in MiB/s (the unit), everything else as a ratio to it.
Figures go to build/bench.json (its "figures" are what the course's make bench
shows), the ratios of each round and their medians to build/bench.png.
Nothing here is a test: no time is asserted.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))          # conftest, beside this file; bootcamp: make's HARNESS

from bootcamp import Qemu, Spec  # noqa: E402
from bootcamp.bench import bar_chart  # noqa: E402
from bootcamp.esp import build_esp  # noqa: E402
from conftest import GATEWAY, GUEST_CPUS, HostServer, clean, sha256  # noqa: E402

FILE_BYTES = 16 * 1024 * 1024
MIB = 1024 * 1024
MEMORY_MB = 256
BENCH_ESP_BYTES = 64 * 1024 * 1024      # room for the 16 MiB file to upload
IPXE_ROM = "/usr/lib/ipxe/qemu/efi-virtio.rom"      # Debian's ipxe-qemu
# The programs on the bench's ESP (build/): the boot program, and those it runs in turn.
RUNNER, PROBE, OURS, COUNT = "bench_runner.efi", "tcp4_probe.efi", "net.efi", "net_count.efi"
BOOT_LIMIT_S = 300
# Rounds of (ours, ours counting) after a ceiling run, each followed by one.
ROUNDS = int(os.environ.get("BENCH_RUNS", "3"))
# What the report, the chart and the course's make bench show, each a ratio to
# the ceiling: (name, title, the least it should be, if it has a goal).
FIGURES = [("ours", "download, SHA-256 checked / TCP4 ceiling", 0.90),
           ("ours_count", "download, bytes counted / TCP4 ceiling", None),
           ("ours_upload", "upload, checked by the host / TCP4 download ceiling", None),
           ("ipxe", "iPXE download, its own stack / TCP4 ceiling", None)]


def elapsed(times: list[tuple[float, str]], start: str, end: str) -> float | None:
    marks = dict((what, when) for when, what in times)
    if start in marks and end in marks:
        return marks[end] - marks[start]
    return None


def rate(seconds: float | None) -> float | None:
    return round(FILE_BYTES / MIB / seconds, 2) if seconds else None


def intervals(times: list[tuple[float, str]], start: str, end: str) -> list[float]:
    """Each `start` request to the first `end` request after it, in order."""
    out, began = [], None
    for when, what in times:
        if what == start:
            began = when
        elif what == end and began is not None:
            out.append(when - began)
            began = None
    return out


def run_in_turns(chapter: Path, out: Path, server: HostServer, data: bytes,
                 programs: list[str], name: str) -> list[dict]:
    """One boot: the runner starts `programs` in turn, each fetching the file
    once (and the shell's programs uploading it once); a result each, in order."""
    url = server.url
    files = {
        "bench.txt": "\n".join(programs) + "\n",
        # The ceiling's one target, and the shell's script: fetch, say done, upload, return.
        "probe.txt": f"{GATEWAY} {server.port} /bench.bin /done\n",
        "autorun.txt": f"get {url('/bench.bin')}\nget {url('/done')}\n"
                       f"post {url('/upload')} @bench.bin\nexit\n",
    }
    for program in set(programs):
        files[program] = chapter / "build" / program
    if set(programs) != {PROBE}:
        files["bench.bin"] = data
    esp = build_esp(out / f"esp-{name}.img", chapter / "build" / RUNNER, files,
                    size_bytes=BENCH_ESP_BYTES)
    machine = Qemu(Spec(esp, media="efi", memory_mb=MEMORY_MB, cpus=GUEST_CPUS, network=True),
                   out / name, limit=BOOT_LIMIT_S)
    with machine:
        machine.wait_exit(timeout=BOOT_LIMIT_S - 10)
    serial = clean(machine.serial_output())
    downloads = intervals(server.times, "GET /bench.bin", "GET /done")
    uploads = iter(intervals(server.times, "POST /upload", "POST /upload done"))
    bodies = iter(body for _, body in server.uploads)
    # What each program printed: the runner prints a line as each returns.
    said = re.split(r"^bench-runner: .*$", serial, flags=re.M)
    if len(downloads) != len(programs) or len(said) != len(programs) + 1:
        raise SystemExit(f"the bench's programs did not all fetch the file: {len(downloads)} of "
                         f"{len(programs)} downloads (serial log in {machine.logdir})")
    digest = sha256(data)
    results = []
    for program, seconds, text in zip(programs, downloads, said):
        result = {"program": program, "download_mib_s": rate(seconds)}
        if program != PROBE:
            # `get` prints "sha256: HEX" on a line of its own, the file's first.
            hashed = re.search(r"^sha256: ([0-9a-f]{64})", text, re.M)
            guest = re.search(rf"received {FILE_BYTES} bytes in [\d.]+ s \(([\d.]+) MiB/s\)",
                              text)
            result.update({
                "download_mib_s_guest_clock": float(guest.group(1)) if guest else None,
                "download_sha256_ok": bool(hashed) and hashed.group(1) == digest
                if program == OURS else None,
                "upload_mib_s": rate(next(uploads, None)),
                "upload_sha256_ok": sha256(next(bodies, b"")) == digest,
            })
        results.append(result)
    for result in results:
        result["log"] = str(machine.logdir)
    return results


def run_ipxe(chapter: Path, out: Path, server: HostServer, name: str = "ipxe") -> dict:
    server.files["/boot.ipxe"] = (
        "#!ipxe\n"
        f"imgfetch --name bench {server.url('/bench.bin')}\n"
        f"imgfetch {server.url('/done')}\n"
        "echo ipxe-bench-done\n").encode()
    # The same machine, with iPXE as the NIC's option ROM and first in the boot
    # order; QEMU's DHCP server names the script as the boot file.
    esp = build_esp(out / "esp-empty.img", chapter / "build" / "net.efi", {})
    extra = ("-netdev", f"user,id=net1,bootfile={server.url('/boot.ipxe')}",
             "-device", f"virtio-net-pci,netdev=net1,bootindex=0,romfile={IPXE_ROM}")
    machine = Qemu(Spec(esp, media="efi", memory_mb=MEMORY_MB, cpus=GUEST_CPUS, qemu_extra=extra),
                   out / name, limit=BOOT_LIMIT_S)
    with machine:
        machine.wait_for("ipxe-bench-done", source="serial", timeout=BOOT_LIMIT_S - 10)
    return {
        "download_mib_s": rate(elapsed(server.times, "GET /bench.bin", "GET /done")),
        # Debian's iPXE build has no sha256sum command: it checks the length only.
        "download_checked": "length (iPXE has no sha256sum here)",
        "log": str(machine.logdir),
    }


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def load_average() -> float:
    return round(os.getloadavg()[0], 1)


def median(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 2) if values else None


def round_ratios(ceilings: list[float | None], rounds: list[dict]) -> dict:
    """Each round's download rates over that round's ceiling (the mean of the
    probe runs just before and just after it), then the median over rounds."""
    per_round = []
    for i, r in enumerate(rounds):
        around = [c for c in ceilings[i:i + 2] if c]
        ceiling = sum(around) / len(around) if around else None
        per_round.append({name: ratio(rate, ceiling) for name, rate in r.items()})
    names = rounds[0].keys() if rounds else []
    return {name: {"median": median([p[name] for p in per_round]),
                   "each": [p[name] for p in per_round]} for name in names}


def figures(ratios: dict) -> list[dict]:
    """The medians, named and titled for the course's make bench (BENCH_FIGURES)."""
    out = []
    for name, title, goal in FIGURES:
        figure = {"name": name, "title": title, "ratio": ratios.get(name, {}).get("median")}
        if goal is not None:
            figure["goal_at_least"] = goal
        out.append(figure)
    return out


def chart(ratios: dict, out: Path) -> str:
    """Each round's ratios, then their medians."""
    of = {name: ratios.get(name, {}) for name, _, _ in FIGURES}
    rows = [(f"round {i + 1}", {name: r["each"][i] for name, r in of.items()
                                if i < len(r.get("each", []))})
            for i in range(ROUNDS)]
    rows.append(("median", {name: r.get("median") for name, r in of.items()}))
    return bar_chart(out, f"ch07 bench: {FILE_BYTES // MIB} MiB, each over the firmware's TCP4 "
                          f"ceiling measured around it", [(n, t) for n, t, _ in FIGURES], rows)


def main(argv: list[str]) -> int:
    chapter = Path(argv[1] if len(argv) > 1 else HERE.parent).resolve()
    out = chapter / "build" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    data = os.urandom(FILE_BYTES)
    files = {"/bench.bin": data, "/done": b"done\n"}
    started = time.monotonic()
    print(f"ch07 bench: {FILE_BYTES // MIB} MiB over QEMU user networking, virtio-net, "
          f"q35 + OVMF, {MEMORY_MB} MiB, {GUEST_CPUS} processors, TCG; {ROUNDS} rounds; rates by the host's clock",
          flush=True)
    loads = [load_average()]

    def measure(name, run):
        with HostServer(files) as server:
            result = run(server)
        loads.append(load_average())
        print(f"  {name}: done (load average {loads[-1]})", flush=True)
        return result

    # One boot: the ceiling, then (ours, ours counting, the ceiling) each round.
    programs = [PROBE] + [p for _ in range(ROUNDS) for p in (OURS, COUNT, PROBE)]
    turns = measure(f"one boot, {ROUNDS} rounds of: ceiling, ours (SHA-256), ours counting",
                    lambda srv: run_in_turns(chapter, out, srv, data, programs, "turns"))
    ceilings = [r for r in turns if r["program"] == PROBE]
    runs = [{"ours": ours, "ours_count": counted}
            for ours, counted in zip(turns[1::3], turns[2::3])]
    # iPXE: boots of its own, each between two boots of the ceiling alone.
    ipxe_ceilings = [measure("ceiling alone 1", lambda srv: run_in_turns(
        chapter, out, srv, data, [PROBE], "ceiling-1")[0])]
    for i in range(ROUNDS):
        runs[i]["ipxe"] = measure(f"round {i + 1}: iPXE",
                                  lambda srv: run_ipxe(chapter, out, srv, name=f"ipxe-{i + 1}"))
        ipxe_ceilings.append(measure(f"ceiling alone {i + 2}", lambda srv: run_in_turns(
            chapter, out, srv, data, [PROBE], f"ceiling-{i + 2}")[0]))

    ceiling_rates = [c["download_mib_s"] for c in ceilings]
    ratios = round_ratios(ceiling_rates, [{
        "ours": r["ours"]["download_mib_s"], "ours_count": r["ours_count"]["download_mib_s"],
        "ours_upload": r["ours"]["upload_mib_s"]} for r in runs])
    ratios.update(round_ratios([c["download_mib_s"] for c in ipxe_ceilings],
                               [{"ipxe": r["ipxe"]["download_mib_s"]} for r in runs]))
    checked = all(r["ours"]["download_sha256_ok"] and r["ours"]["upload_sha256_ok"] for r in runs)

    def show(name):
        def x(v):
            return f"x{v:.2f}" if v is not None else "-"
        each = ", ".join(x(v) for v in ratios[name]["each"])
        return f"{x(ratios[name]['median'])}  (rounds: {each})"
    print(f"\nceiling, the firmware's TCP4 receiving and dropping: {median(ceiling_rates)} MiB/s "
          f"(median of {len(ceiling_rates)} in one boot: "
          f"{', '.join(str(c) for c in ceiling_rates)}; load average {min(loads)}-{max(loads)})")
    print("download, each over the ceiling measured around it in the same boot (goal for ours "
          f"with SHA-256: x{FIGURES[0][2]:.2f} or more):")
    print(f"  ours, SHA-256 of every byte      {show('ours')}  "
          f"(sha256 {'ok' if checked else 'WRONG'})")
    print(f"  ours, counting bytes only        {show('ours_count')}")
    print(f"upload (ours, SHA-256 checked by the host), over the download ceiling: "
          f"{show('ours_upload')}")
    print(f"iPXE, its own stack, length only, over the ceiling's boots around it: {show('ipxe')}")
    result = {"file_bytes": FILE_BYTES, "rounds": ROUNDS, "ceiling_mib_s": median(ceiling_rates),
              "ceilings": ceilings, "ipxe_ceilings": ipxe_ceilings, "runs": runs,
              "ratios": ratios, "figures": figures(ratios), "load_average": loads,
              "wall_seconds": round(time.monotonic() - started, 1)}
    (chapter / "build" / "bench.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"saved {chapter / 'build' / 'bench.json'}")
    print(chart(ratios, chapter / "build" / "bench.png"))
    return 0 if checked and ratios["ours"]["median"] is not None else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
