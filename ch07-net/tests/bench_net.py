"""ch07 benchmark (`make bench`): TCP download throughput of our sockets on
the firmware's TCP4, against the firmware's own ceiling and iPXE, in one run.

    python3 tests/bench_net.py CHAPTER_DIR

Every guest fetches the same 16 MiB random file from a server on the host
(127.0.0.1, reached as 10.0.2.2 through QEMU's user network) on a q35 machine
with OVMF, 256 MiB and a virtio NIC. The host's clock times each download the
same way, from the request for the file to the request for /done, which each
guest sends when it has the whole file (the guest's clock runs slow when the
host is loaded). What runs:
  ceiling     build/tcp4_probe.efi (tests/tcp4_probe.c): the firmware's TCP4
              with nothing above it, one Receive outstanding, bytes dropped;
  ours        build/net.efi, `get`, SHA-256 of every byte (and an upload);
  ours, count build/net_count.efi: the same, the body counted, not hashed;
  iPXE        its own TCP/IP and virtio driver, length only.
The host's load drifts while the bench runs, so they run in rounds (BENCH_RUNS,
default 3) of ours, ours counting and iPXE, each round between two runs of the
ceiling; each rate is read against the mean of the ceilings around it, and
the median over the rounds is reported.
Printed: the ceiling in MiB/s (the unit), everything else as a ratio to it.
Figures go to build/bench.json. Nothing here is a test: no time is asserted.
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
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "common" / "test"))

from bootcamp import Qemu, Spec  # noqa: E402
from bootcamp.esp import build_esp  # noqa: E402
from conftest import GATEWAY, HostServer, clean, sha256  # noqa: E402

FILE_BYTES = 16 * 1024 * 1024
MIB = 1024 * 1024
MEMORY_MB = 256
BENCH_ESP_BYTES = 64 * 1024 * 1024      # room for the 16 MiB file to upload
IPXE_ROM = "/usr/lib/ipxe/qemu/efi-virtio.rom"      # Debian's ipxe-qemu
BOOT_LIMIT_S = 300
# Rounds of (ours, ours counting, iPXE), each between two ceiling runs.
ROUNDS = int(os.environ.get("BENCH_RUNS", "3"))


def elapsed(times: list[tuple[float, str]], start: str, end: str) -> float | None:
    marks = dict((what, when) for when, what in times)
    if start in marks and end in marks:
        return marks[end] - marks[start]
    return None


def rate(seconds: float | None) -> float | None:
    return round(FILE_BYTES / MIB / seconds, 2) if seconds else None


def run_ours(chapter: Path, out: Path, server: HostServer, data: bytes,
             app: str = "net.efi", name: str = "ours") -> dict:
    esp = build_esp(out / f"esp-{name}.img", chapter / "build" / app, {
        "autorun.txt": "\n".join([
            f"get {server.url('/bench.bin')}",
            f"get {server.url('/done')}",
            f"post {server.url('/upload')} @bench.bin",
            "shutdown"]) + "\n",
        "bench.bin": data}, size_bytes=BENCH_ESP_BYTES)
    machine = Qemu(Spec(esp, media="efi", memory_mb=MEMORY_MB, network=True), out / name,
                   limit=BOOT_LIMIT_S)
    with machine:
        machine.wait_exit(timeout=BOOT_LIMIT_S - 10)
    serial = clean(machine.serial_output())
    digest = sha256(data)

    guest = re.search(r"received (\d+) bytes in [\d.]+ s \(([\d.]+) MiB/s\)", serial)
    uploads = dict(server.uploads)
    return {
        "download_mib_s": rate(elapsed(server.times, "GET /bench.bin", "GET /done")),
        "download_mib_s_guest_clock": float(guest.group(2)) if guest else None,
        "download_sha256_ok": f"sha256: {digest}" in serial,
        "upload_mib_s": rate(elapsed(server.times, "POST /upload", "POST /upload done")),
        "upload_sha256_ok": sha256(uploads.get("/upload", b"")) == digest,
        "log": str(machine.logdir),
    }


def run_ceiling(chapter: Path, out: Path, server: HostServer, name: str) -> dict:
    """The firmware's TCP4 alone: tcp4_probe.efi fetches the file and drops it."""
    esp = build_esp(out / f"esp-{name}.img", chapter / "build" / "tcp4_probe.efi", {
        "probe.txt": f"{GATEWAY} {server.port} /bench.bin /done\n"}, size_bytes=BENCH_ESP_BYTES)
    machine = Qemu(Spec(esp, media="efi", memory_mb=MEMORY_MB, network=True), out / name,
                   limit=BOOT_LIMIT_S)
    with machine:
        machine.wait_exit(timeout=BOOT_LIMIT_S - 10)
    serial = clean(machine.serial_output())
    said = re.search(r"tcp4-probe: (\d+) bytes in (\d+) ms", serial)
    error = re.search(r"tcp4-probe: error: .*", serial)
    if not said or int(said.group(1)) < FILE_BYTES:
        raise SystemExit(f"the TCP4 probe did not fetch the file: "
                         f"{error.group(0) if error else 'no result line'} "
                         f"(serial log in {machine.logdir})")
    return {"download_mib_s": rate(elapsed(server.times, "GET /bench.bin", "GET /done")),
            "bytes_received": int(said.group(1)), "log": str(machine.logdir)}


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
    machine = Qemu(Spec(esp, media="efi", memory_mb=MEMORY_MB, qemu_extra=extra), out / name,
                   limit=BOOT_LIMIT_S)
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


def main(argv: list[str]) -> int:
    chapter = Path(argv[1] if len(argv) > 1 else HERE.parent).resolve()
    out = chapter / "build" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    data = os.urandom(FILE_BYTES)
    files = {"/bench.bin": data, "/done": b"done\n"}
    started = time.monotonic()
    print(f"ch07 bench: {FILE_BYTES // MIB} MiB over QEMU user networking, virtio-net, "
          f"q35 + OVMF, {MEMORY_MB} MiB, TCG; {ROUNDS} rounds; rates by the host's clock",
          flush=True)
    loads = [load_average()]

    def measure(name, run):
        with HostServer(files) as server:
            result = run(server)
        loads.append(load_average())
        print(f"  {name}: done (load average {loads[-1]})", flush=True)
        return result

    def ceiling(i):
        return measure(f"ceiling {i + 1} (TCP4 probe)",
                       lambda srv: run_ceiling(chapter, out, srv, f"ceiling-{i + 1}"))
    # Interleaved: the load drifts while the bench runs, so every round of
    # ours and iPXE sits between two measurements of the ceiling.
    ceilings, runs = [ceiling(0)], []
    for i in range(ROUNDS):
        ours = measure(f"round {i + 1}: ours, SHA-256",
                       lambda srv: run_ours(chapter, out, srv, data, name=f"ours-{i + 1}"))
        counted = measure(f"round {i + 1}: ours, counting only", lambda srv: run_ours(
            chapter, out, srv, data, app="net_count.efi", name=f"ours-count-{i + 1}"))
        ipxe = measure(f"round {i + 1}: iPXE",
                       lambda srv: run_ipxe(chapter, out, srv, name=f"ipxe-{i + 1}"))
        runs.append({"ours": ours, "ours_count": counted, "ipxe": ipxe})
        ceilings.append(ceiling(i + 1))

    ceiling_rates = [c["download_mib_s"] for c in ceilings]
    ratios = round_ratios(ceiling_rates, [{
        "ours": r["ours"]["download_mib_s"], "ours_count": r["ours_count"]["download_mib_s"],
        "ipxe": r["ipxe"]["download_mib_s"], "ours_upload": r["ours"]["upload_mib_s"]}
        for r in runs])
    checked = all(r["ours"]["download_sha256_ok"] and r["ours"]["upload_sha256_ok"] for r in runs)

    def show(name):
        def x(v):
            return f"x{v:.2f}" if v is not None else "-"
        each = ", ".join(x(v) for v in ratios[name]["each"])
        return f"{x(ratios[name]['median'])}  (rounds: {each})"
    print(f"\nceiling, the firmware's TCP4 receiving and dropping: {median(ceiling_rates)} MiB/s "
          f"(median of {len(ceiling_rates)}: {', '.join(str(c) for c in ceiling_rates)}; "
          f"load average {min(loads)}-{max(loads)})")
    print("download, each over the ceiling measured around it (goal for ours with SHA-256: "
          "x0.90 or more):")
    print(f"  ours, SHA-256 of every byte      {show('ours')}  "
          f"(sha256 {'ok' if checked else 'WRONG'})")
    print(f"  ours, counting bytes only        {show('ours_count')}")
    print(f"  iPXE, its own stack, length only {show('ipxe')}")
    print(f"upload (ours, SHA-256 checked by the host), over the download ceiling: "
          f"{show('ours_upload')}")
    result = {"file_bytes": FILE_BYTES, "rounds": ROUNDS, "ceiling_mib_s": median(ceiling_rates),
              "ceilings": ceilings, "runs": runs, "ratios": ratios, "load_average": loads,
              "wall_seconds": round(time.monotonic() - started, 1)}
    (chapter / "build" / "bench.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"saved {chapter / 'build' / 'bench.json'}")
    return 0 if checked and ratios["ours"]["median"] is not None else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
