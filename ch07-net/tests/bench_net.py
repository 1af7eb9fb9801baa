"""ch07 benchmark (`make bench`): TCP throughput of our sockets on the firmware's
TCP4, and of iPXE's own stack, in the same QEMU configuration.

    python3 tests/bench_net.py CHAPTER_DIR

Both guests fetch the same 16 MiB random file from a server on the host
(127.0.0.1, reached as 10.0.2.2 through QEMU's user network) on a q35 machine
with OVMF, 256 MiB and a virtio NIC. The host times each download the same
way: from the request for the file to the request for /done, which each
guest sends when it has the whole file. Ours also uploads the file (POST) and
the host times the body's arrival. The same program built to count the body's
bytes without hashing them (build/net_count.efi) shows what the check costs.
Figures go to the terminal and to
build/bench.json. Nothing here is a test: no time is asserted anywhere.
"""

from __future__ import annotations

import json
import re
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "common" / "test"))

from bootcamp import Qemu, Spec  # noqa: E402
from bootcamp.esp import build_esp  # noqa: E402
from conftest import HostServer, clean, sha256  # noqa: E402

FILE_BYTES = 16 * 1024 * 1024
MIB = 1024 * 1024
MEMORY_MB = 256
BENCH_ESP_BYTES = 64 * 1024 * 1024      # room for the 16 MiB file to upload
IPXE_ROM = "/usr/lib/ipxe/qemu/efi-virtio.rom"      # Debian's ipxe-qemu
BOOT_LIMIT_S = 300


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


def run_ipxe(chapter: Path, out: Path, server: HostServer) -> dict:
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
    machine = Qemu(Spec(esp, media="efi", memory_mb=MEMORY_MB, qemu_extra=extra), out / "ipxe",
                   limit=BOOT_LIMIT_S)
    with machine:
        machine.wait_for("ipxe-bench-done", source="serial", timeout=BOOT_LIMIT_S - 10)
    return {
        "download_mib_s": rate(elapsed(server.times, "GET /bench.bin", "GET /done")),
        # Debian's iPXE build has no sha256sum command: it checks the length only.
        "download_checked": "length (iPXE has no sha256sum here)",
        "log": str(machine.logdir),
    }


def main(argv: list[str]) -> int:
    chapter = Path(argv[1] if len(argv) > 1 else HERE.parent).resolve()
    out = chapter / "build" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    data = os.urandom(FILE_BYTES)
    files = {"/bench.bin": data, "/done": b"done\n"}
    started = time.monotonic()
    print(f"ch07 bench: {FILE_BYTES // MIB} MiB over QEMU user networking, virtio-net, "
          f"q35 + OVMF, {MEMORY_MB} MiB, TCG", flush=True)
    with HostServer(files) as server:
        ours = run_ours(chapter, out, server, data)
    print(f"  ours (UEFI TCP4 + our sockets, SHA-256 of every byte): download "
          f"{ours['download_mib_s']} MiB/s (guest clock {ours['download_mib_s_guest_clock']}), "
          f"sha256 {'ok' if ours['download_sha256_ok'] else 'WRONG'}; upload "
          f"{ours['upload_mib_s']} MiB/s, sha256 {'ok' if ours['upload_sha256_ok'] else 'WRONG'}",
          flush=True)
    with HostServer(files) as server:
        counted = run_ours(chapter, out, server, data, app="net_count.efi", name="ours-count")
    print(f"  ours, counting bytes only (net_count.efi, no hash): download "
          f"{counted['download_mib_s']} MiB/s", flush=True)
    with HostServer(files) as server:
        ipxe = run_ipxe(chapter, out, server)
    print(f"  iPXE (its own TCP/IP and virtio driver, length only): download "
          f"{ipxe['download_mib_s']} MiB/s")

    def ratio(a, b):
        return round(a / b, 2) if a and b else None
    ratios = {"ours_over_ipxe": ratio(ours["download_mib_s"], ipxe["download_mib_s"]),
              "ours_count_over_ipxe": ratio(counted["download_mib_s"], ipxe["download_mib_s"]),
              "hash_over_count": ratio(ours["download_mib_s"], counted["download_mib_s"])}
    print(f"  ratios (download, same run): ours/iPXE {ratios['ours_over_ipxe']}, "
          f"ours counting only/iPXE {ratios['ours_count_over_ipxe']}, "
          f"with hash/without {ratios['hash_over_count']}")
    result = {"file_bytes": FILE_BYTES, "ours": ours, "ours_count": counted, "ipxe": ipxe,
              **ratios, "wall_seconds": round(time.monotonic() - started, 1)}
    (chapter / "build" / "bench.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"  saved {chapter / 'build' / 'bench.json'}")
    ok = ours["download_sha256_ok"] and ours["upload_sha256_ok"] and ratios["ours_over_ipxe"] is not None
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
