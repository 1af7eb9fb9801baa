"""ch07: the guest's HTTP client against a server on the host (QEMU user networking).

Each test starts at the shell's prompt, from a snapshot taken after `ip` had
run DHCP (the net_shell fixture), and types its commands one after another.
"""

import gzip
import os
import re
import resource
import subprocess
import time
from pathlib import Path

import pytest
from bootcamp import Spec
from bootcamp.esp import build_esp
from bootcamp.gdbstub import elf_symbols
from bootcamp.machine import parse_qemu_registers

from conftest import (BOOT_LIMIT_S, ENTER, GATEWAY, GUEST_CPUS, GUEST_MEMORY_MB, UPLOAD,
                      UPLOAD_NAME, HostServer, clean, free_port, run, section,
                      sha256)

SMALL = b"Hello from the host.\nA small text file for GET.\n"
BIG_BYTES = 16 * 1024 * 1024
BIG_GET_TIMEOUT_S = 200
GDB_STUB_TIMEOUT_S = 30
STATUS_POLL_S = 0.05
CTRL_C = "\x03"                    # what a terminal sends for Ctrl-C
DHCP_WAIT_S = 20                   # net.c's DHCP_TIMEOUT_MS
LEAVING = "Leaving bootcamp; the firmware takes over again."
ADDRESS = re.compile(r"^address (\S+) netmask (\S+) gateway (\S+)$", re.M)


@pytest.mark.long
def test_dhcp_get_and_post(net_shell, host_server):
    big = os.urandom(BIG_BYTES)
    server = host_server({"/small.txt": SMALL, "/big.bin": big})
    machine = net_shell()

    # DHCP: user networking hands out 10.0.2.15/24 with the gateway 10.0.2.2.
    ip = run(machine, "ip")
    match = ADDRESS.search(ip)
    assert match and match.groups() == ("10.0.2.15", "255.255.255.0", GATEWAY), ip

    small = run(machine, f"get {server.url('/small.txt')}")
    assert "status: 200 OK" in small, small
    assert f"length: {len(SMALL)} bytes" in small, small
    assert f"sha256: {sha256(SMALL)}" in small, small
    assert "body: Hello from the host." in small, small
    assert "hashed on: this processor: the body was short" in small, small

    large = run(machine, f"get {server.url('/big.bin')}", timeout=BIG_GET_TIMEOUT_S)
    assert f"length: {BIG_BYTES} bytes" in large, large
    assert f"received {BIG_BYTES} bytes" in large, large
    assert f"sha256: {sha256(big)}" in large, large
    assert "body:" not in large, large                 # binary, and far too long to show
    assert "hashed on: processor 1, a second processor, beside the network" in large, large

    chunked = run(machine, f"get {server.url('/chunked/small.txt')}")
    assert "length: chunked" in chunked, chunked
    assert f"received {len(SMALL)} bytes" in chunked, chunked
    assert f"sha256: {sha256(SMALL)}" in chunked, chunked

    # POST of a file from the boot volume: the host got every byte.
    posted = run(machine, f"post {server.url('/upload')} @{UPLOAD_NAME}")
    uploads = dict(server.uploads)
    assert uploads.get("/upload") == UPLOAD, "the host did not receive the file intact"
    assert f"sent sha256: {sha256(UPLOAD)}" in posted, posted
    assert f"body: {sha256(UPLOAD)}" in posted, posted       # the host's answer

    run(machine, f"post {server.url('/note')} hello from the firmware")
    assert dict(server.uploads).get("/note") == b"hello from the firmware"

    # A redirect is reported and not followed: the host saw one request for it.
    redirect = run(machine, f"get {server.url('/redirect/small.txt')}")
    assert "status: 302" in redirect, redirect
    assert "redirect to /small.txt (not followed)" in redirect, redirect
    assert server.requests.count("/small.txt") == 1, server.requests


def test_connection_faults_and_the_shell_carries_on(net_shell, host_server):
    server = host_server({"/small.txt": SMALL})
    closed = free_port()
    truncated = server.url("/truncated")
    machine = net_shell()

    # User networking answers a SYN to a closed port with a reset.
    refused = run(machine, f"get http://{GATEWAY}:{closed}/")
    assert f"error: connect to {GATEWAY}:{closed} failed: connection refused" in refused, refused

    cut = run(machine, f"get {truncated}")
    promise, sent = HostServer.TRUNCATED_PROMISE, HostServer.TRUNCATED_SENT
    assert f"the body ended after {sent} of {promise} bytes: connection closed" in cut, cut
    assert "sha256:" not in cut, cut

    bad = run(machine, "get ftp://10.0.2.2/file")
    assert "error: bad URL" in bad, bad

    # ...and the next command works.
    after = run(machine, f"get {server.url('/small.txt')}")
    assert f"sha256: {sha256(SMALL)}" in after, after



# Heads real servers send: more than 64 KiB of fields, a field line over 8 KiB.
MANY_FIELDS = b"".join(b"X-Field-%04d: %s\r\n" % (i, b"v" * 60) for i in range(1100))
LONG_FIELD = b"Set-Cookie: " + b"c" * 12000 + b"\r\n"
RESETS = 3            # a reset can land with or without a Receive outstanding: try a few


def head_then(fields: bytes, body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\n" + fields + b"Content-Length: %d\r\n\r\n" % len(body) + body


def test_responses_by_the_standard(net_shell, host_server):
    """RFC 9110/9112 cases against the guest's client, one machine: an interim
    100 (Continue) is skipped, conflicting lengths and codings it cannot undo
    are refused, big heads pass, a bad status line and a reset are named."""
    assert len(MANY_FIELDS) >= 64 * 1024 and len(LONG_FIELD) >= 8 * 1024
    chunks = gzip.compress(SMALL)
    server = host_server({"/small.txt": SMALL}, raw={
        "/conflicting-length": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n"
                               b"\r\nhello!",
        "/gzip-chunked": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                         b"%x\r\n%s\r\n0\r\n\r\n" % (len(chunks), chunks),
        "/version-only": b"HTTP/1.\r\n\r\n",
        "/many-fields": head_then(MANY_FIELDS, SMALL),
        "/long-field": head_then(LONG_FIELD, SMALL),
    })
    urls = {name: server.url(path) for name, path in [
        ("continue", "/continue/small.txt"), ("conflicting", "/conflicting-length"),
        ("gzip", "/gzip-chunked"), ("version", "/version-only"), ("many", "/many-fields"),
        ("long", "/long-field")]}
    resets = [server.url(f"/reset/{i}") for i in range(RESETS)]
    # The firmware's TCP refuses the address 0.0.0.0 (EFI_INVALID_PARAMETER)
    # before anything is sent: a firmware error on demand.
    nowhere = "http://0.0.0.0:80/"
    machine = net_shell()
    out = {name: run(machine, f"get {url}") for name, url in urls.items()}

    # RFC 9110 15.2: 1xx before the final response; the body is the 200's.
    assert "interim: 100 Continue" in out["continue"], out["continue"]
    assert "status: 200 OK" in out["continue"], out["continue"]
    assert f"sha256: {sha256(SMALL)}" in out["continue"], out["continue"]

    # RFC 9112 6.3 item 5: different lengths: the response is discarded.
    assert "conflicting Content-Length" in out["conflicting"], out["conflicting"]
    assert "sha256:" not in out["conflicting"], out["conflicting"]

    # Chunk framing around gzip is not the body: it says which coding it cannot undo.
    assert "Transfer-Encoding 'gzip, chunked'" in out["gzip"], out["gzip"]
    assert "not supported" in out["gzip"] and "sha256:" not in out["gzip"], out["gzip"]

    assert "not an HTTP/1.x response: 'HTTP/1.'" in out["version"], out["version"]

    for name in ("many", "long"):
        assert f"sha256: {sha256(SMALL)}" in out[name], (name, out[name])

    # A reset is named as one. QEMU's user network does not always pass the
    # host's RST on: sometimes it sends a FIN instead, which is "connection
    # closed". Never "firmware error": the driver refuses a Receive posted
    # after a reset with EFI_ACCESS_DENIED, which socket.c now recognises.
    for url in resets:
        reset = run(machine, f"get {url}")
        assert "the body ended after" in reset, reset
        assert ("connection reset by peer" in reset or "connection closed" in reset), reset
        assert "firmware error" not in reset and "sha256:" not in reset, reset

    # A status net.h has no code for is shown in the firmware's words.
    firmware = run(machine, f"get {nowhere}")
    assert re.search(r"firmware error \(.+\)", firmware), firmware


def test_one_processor_hashes_by_itself(chapter, net_boot, host_server):
    """A machine with one processor: a body long enough for the hand-off is hashed
    where it is received, and says why; the digest is the same."""
    data = os.urandom(2 * chapter.define("hash_worker.h", "HASH_HANDOFF"))
    server = host_server({"/file.bin": data})
    machine = net_boot(["ip", f"get {server.url('/file.bin')}", "shutdown"], cpus=1)
    exit = machine.wait_exit(timeout=BIG_GET_TIMEOUT_S)
    serial = clean(machine.serial_output())
    assert exit.kind == "shutdown", (exit, serial[-2000:])
    got = section(serial, f"get {server.url('/file.bin')}")
    assert f"sha256: {sha256(data)}" in got, got
    assert "hashed on: this processor: this machine has one processor" in got, got



def image_extent(serial: str, image) -> range:
    """Where the firmware loaded a PE32+ image: the base the program printed,
    and the image's SizeOfImage (PE format: the optional header's offset 56)."""
    base = re.search(r"Image base (0x[0-9A-Fa-f]+)", serial)
    assert base, "the program did not say where it was loaded"
    pe = image.read_bytes()
    header = int.from_bytes(pe[0x3C:0x40], "little") + 24     # past "PE\0\0" and the COFF header
    assert pe[header:header + 2] == b"\x0b\x02", "not a PE32+ image"
    size = int.from_bytes(pe[header + 56:header + 60], "little")
    return range(int(base.group(1), 16), int(base.group(1), 16) + size)


def gdb_on(machine, port: int, commands: list[str], ready) -> subprocess.Popen:
    """gdb on QEMU's stub, running `commands` in batch mode; one of them makes
    the file `ready` once gdb has set what it sets before it first continues
    (gdb's output to a pipe comes at its end), and QEMU's state says when it
    has continued. Returns gdb's process, which goes on until stopped."""
    gdb = subprocess.Popen(
        ["gdb", "-q", "-nx", "-batch", "-ex", f"target remote 127.0.0.1:{port}",
         *(a for c in commands for a in ("-ex", c))],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_CORE, (0, 0)))  # never a core file
    deadline = time.monotonic() + GDB_STUB_TIMEOUT_S
    while not (ready.exists() and machine.qmp("query-status")["running"]):
        if gdb.poll() is not None or time.monotonic() > deadline:
            gdb.kill()
            raise AssertionError(f"gdb did not set its breakpoint and continue:\n"
                                 f"{gdb.communicate()[0].decode()}")
        time.sleep(STATUS_POLL_S)
    return gdb


def hold_the_second_processor(machine, chapter, port: int, symbol: str, marker):
    """gdb on QEMU's stub: when the second processor (gdb's thread 2) reaches
    `symbol` in net.efi, it stays there, and the first alone goes on
    (scheduler-locking). Returns gdb's process, which holds it until stopped.
    `marker`: a file gdb makes once its breakpoint is set."""
    image = image_extent(clean(machine.serial_output()), chapter.image("net.efi"))
    address = image.start + elf_symbols(chapter.build / "net.so")[symbol]
    # A condition, not `break ... thread 2`: gdb drops a thread's breakpoint when
    # it re-reads QEMU's thread list.
    return gdb_on(machine, port, [f"break *{address:#x} if $_thread == 2", f"shell touch {marker}",
                                  "continue", "set scheduler-locking on", "thread 1", "continue"],
                  marker)


def release(gdb) -> str:
    """End gdb, and return what it said. Killed, not interrupted: gdb 13 fails an
    internal assertion when a `continue` under scheduler-locking is interrupted."""
    gdb.kill()
    return gdb.communicate()[0].decode()


def test_ctrl_c_stops_a_download_and_the_shell_carries_on(chapter, net_shell, host_server):
    """A body that comes fast for 1 MiB, then trickles in (/drip: 100 bytes
    each half second), would keep `get` busy for hours: its receive limit is
    never reached. Ctrl-C, sent as a terminal sends it once the fast part is
    on its way, ends it, before or after the hand-off to the second processor
    (the message says how far: past it on a quiet host, often not on a busy
    one). Either way the next long body is hashed on the second processor,
    which an interrupted body did not lose."""
    next_data = os.urandom(2 * chapter.define("hash_worker.h", "HASH_HANDOFF"))
    server = host_server({"/next.bin": next_data})
    machine = net_shell()
    url = server.url("/drip")
    machine.serial_write(f"get {url}" + ENTER)
    machine.wait_for(f"length: {HostServer.DRIP_PROMISE} bytes", source="serial", timeout=60)
    machine.wait_until(lambda: "GET /drip first part sent" in server.timeline(),
                       "the server to send the body's fast part", timeout=60)
    machine.serial_write(CTRL_C)
    machine.wait_for("interrupted (Ctrl-C)", source="serial", timeout=30)
    got = section(machine.serial_output(), f"get {url}")
    ended = re.search(r"the body ended after (\d+) of (\d+) bytes: interrupted \(Ctrl-C\)", got)
    assert ended and int(ended.group(2)) == HostServer.DRIP_PROMISE, (got, server.timeline())
    assert "sha256:" not in got, got
    again = run(machine, f"get {server.url('/next.bin')}", timeout=BIG_GET_TIMEOUT_S)
    assert f"sha256: {sha256(next_data)}" in again, again
    assert "hashed on: processor 1, a second processor" in again, again


def test_ctrl_c_stops_the_wait_for_dhcp(net_boot):
    """A NIC with nothing behind it (a QEMU device without a network backend):
    no DHCP server ever answers, and `ip` would wait its 20 s. Ctrl-C ends
    the wait at once, and the shell carries on."""
    machine = net_boot([], network=False, qemu_extra=("-device", "virtio-net-pci"))
    machine.wait_for("bootcamp> ", source="serial", timeout=BOOT_LIMIT_S["qemu"])
    machine.serial_write("ip" + ENTER)
    machine.wait_for("waiting for DHCP", source="serial", timeout=60)
    machine.serial_write(CTRL_C)
    machine.wait_for("error: stopped waiting for DHCP: interrupted (Ctrl-C)", source="serial",
                     timeout=DHCP_WAIT_S / 2)
    assert "no DHCP answer" not in machine.serial_output()
    # How long "0 ms" measures depends on the host's load; that it answers at all is the point.
    assert re.search(r"clock: \d+ ms passed", run(machine, "clock 0"))


@pytest.mark.long
@pytest.mark.parametrize("where,first,reason", [
    ("second_processor", "hashed on: this processor: the second processor did not start",
     "the second processor did not start"),
    ("sha256_update", "no SHA-256: the second processor stopped hashing",
     "the second processor did not come back from an earlier body"),
], ids=["before-it-starts", "while-it-hashes"])
def test_a_second_processor_held_back_is_named(chapter, net_boot, host_server, tmp_path, where,
                                              first, reason):
    """The second processor held by gdb (a breakpoint for its thread, then only
    the first resumed) where it starts, when `ip` starts it, or where it hashes
    a body: the first waits its bounded time and says what went wrong instead
    of hanging or printing a wrong digest. One that did not start costs no
    body its digest: the first hashes it. Later long bodies are hashed on the
    first, which says why: the firmware would wait for ever to start a job on
    the second. `exit` then says that the second did not return to the
    firmware."""
    handoff = chapter.define("hash_worker.h", "HASH_HANDOFF")
    data = os.urandom(8 * handoff)
    # Just past the hand-off: the first processor hashes it all, and under
    # gdb each sha256_update it calls stops at the breakpoint (for nothing).
    next_data = os.urandom(handoff + 4096)
    server = host_server({"/file.bin": data, "/next.bin": next_data})
    port = free_port()
    machine = net_boot([], gdb_port=port)
    machine.wait_for("bootcamp> ", source="serial", timeout=BOOT_LIMIT_S["qemu"])
    gdb = hold_the_second_processor(machine, chapter, port, where, tmp_path / "gdb-ready")
    try:
        started = run(machine, "ip", timeout=BIG_GET_TIMEOUT_S)
        got = run(machine, f"get {server.url('/file.bin')}", timeout=BIG_GET_TIMEOUT_S)
        again = run(machine, f"get {server.url('/next.bin')}", timeout=BIG_GET_TIMEOUT_S)
        machine.serial_write("exit" + ENTER)
        machine.wait_for(LEAVING, source="serial", timeout=BIG_GET_TIMEOUT_S)
    finally:
        said = release(gdb)
    assert ("warning: the second processor did not return within 2000 ms\n" + LEAVING
            in clean(machine.serial_output())), clean(machine.serial_output())[-2000:]
    held_at_start = where == "second_processor"
    did_not_start = "warning: the second processor did not start within 2000 ms"
    assert (did_not_start in started) == held_at_start, (started, said)
    assert first in got, (got, said, server.timeline())
    if held_at_start:
        assert f"sha256: {sha256(data)}" in got, got
    else:
        assert "sha256:" not in got, got
    assert f"sha256: {sha256(next_data)}" in again, (again, said)
    assert f"hashed on: this processor: {reason}" in again, again


@pytest.mark.long
def test_a_body_closed_while_the_second_processor_looks_is_hashed_to_its_end(
        chapter, net_boot, host_server, tmp_path):
    """The two processors in the worst order at a body's end, every time
    (tests/gdb_close_race.py): the server sends three quarters of the body and
    waits; the second processor catches up with the ring, reads `taken` and
    is held before it reads `closed`; the first alone takes in the rest of the
    body, now sent, and closes it; then both run on. The second must go on to
    hash the bytes it has not seen, not take the close for the end, or the
    digest lacks the body's tail."""
    data = os.urandom(2 * chapter.define("hash_worker.h", "HASH_HANDOFF"))
    server = host_server({"/file.bin": data})
    port = free_port()
    machine = net_boot([], gdb_port=port)
    machine.wait_for("bootcamp> ", source="serial", timeout=BOOT_LIMIT_S["qemu"])
    started = run(machine, "ip", timeout=BIG_GET_TIMEOUT_S)     # starts the second processor
    assert "warning" not in started, started
    image = image_extent(clean(machine.serial_output()), chapter.image("net.efi"))
    ready, held, done = (tmp_path / f"gdb-{name}" for name in ("ready", "held", "done"))
    server.release_file = held
    gdb = gdb_on(machine, port, [
        f"add-symbol-file {chapter.build / 'net.so'} -o {image.start:#x}",
        f"source {Path(__file__).parent / 'gdb_close_race.py'}",
        f'python hold_at_close("{ready}", "{held}", "{done}")'], ready)
    try:
        got = run(machine, f"get {server.url('/held/file.bin')}", timeout=BIG_GET_TIMEOUT_S)
    except Exception:
        print(f"gdb said:\n{release(gdb)}\nserver: {server.timeline()}")  # shown with the failure
        raise
    said = release(gdb)
    assert done.exists(), (f"gdb did not put the processors in that order:\n{said}\n"
                           f"server: {server.timeline()}")
    assert f"sha256: {sha256(data)}\nhashed on: processor 1" in got, (got, said)


def test_the_second_processor_goes_back_to_the_firmware_at_exit(chapter, net_boot, host_server):
    """`exit` after a long body hashed on the second processor: the program
    lets the second go back to the firmware before it leaves
    (hash_worker_stop). QEMU then finds it halted outside the program's image,
    whose memory the firmware takes back; left in its wait for bodies, it would
    halt inside, on code that is no longer there."""
    data = os.urandom(2 * chapter.define("hash_worker.h", "HASH_HANDOFF"))
    server = host_server({"/file.bin": data})
    machine = net_boot(["ip", f"get {server.url('/file.bin')}", "exit"])
    machine.wait_for(LEAVING, source="serial", timeout=BIG_GET_TIMEOUT_S)
    serial = clean(machine.serial_output())
    assert f"sha256: {sha256(data)}\nhashed on: processor 1" in serial, serial[-3000:]
    assert "warning" not in section(serial, "exit"), serial[-3000:]
    image = image_extent(serial, chapter.image("net.efi"))

    def second():
        return parse_qemu_registers(machine.qmp("human-monitor-command", **{
            "command-line": "info registers", "cpu-index": 1}))

    def back_in_the_firmware():
        registers = second()
        return registers.halted and registers.rip not in image
    machine.wait_until(back_in_the_firmware,
                       f"the second processor to halt outside net.efi ({image.start:#x}-"
                       f"{image.stop:#x})", timeout=30, seen=lambda: f"RIP {second().rip:#x}")


def test_with_no_mp_services_the_first_processor_hashes(chapter, boot, host_server, logdir):
    """Two processors, but the firmware's MP services taken away before the
    program starts (tests/mp_services_hidden.c, run first by the bench's
    runner): a long body is hashed on the first processor, right, and `get`
    says why."""
    program = "mp_services_hidden.efi"
    data = os.urandom(2 * chapter.define("hash_worker.h", "HASH_HANDOFF"))
    server = host_server({"/file.bin": data})
    url = server.url("/file.bin")
    esp = build_esp(logdir / "esp.img", chapter.image("bench_runner.efi"), {
        "bench.txt": f"{program}\nnet.efi\n",
        program: chapter.image(program),
        "net.efi": chapter.image("net.efi"),
        "autorun.txt": f"ip\nget {url}\nexit\n",
    })
    machine = boot(Spec(esp, media="efi", memory_mb=GUEST_MEMORY_MB, cpus=GUEST_CPUS,
                        network=True), limit=BOOT_LIMIT_S["qemu"])
    assert machine.wait_exit(timeout=BOOT_LIMIT_S["qemu"] - 10).kind == "shutdown"
    serial = clean(machine.serial_output())
    assert f"mp-services: uninstalled\nbench-runner: \\{program} returned Success" in serial, \
        serial[-3000:]
    got = section(serial, f"get {url}")
    assert f"sha256: {sha256(data)}" in got, got
    assert "hashed on: this processor: the firmware has no MP services" in got, got
