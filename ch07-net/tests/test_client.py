"""ch07: the guest's HTTP client against a server on the host (QEMU user networking).

One boot runs several commands from \\autorun.txt; each test then reads what the
shell printed for each command. A DHCP lease and a boot cost ~10 s, so the
happy path and the faults are one boot each.
"""

import os
import re

from conftest import GATEWAY, HostServer, clean, free_port, section, sha256

SMALL = b"Hello from the host.\nA small text file for GET.\n"
BIG_BYTES = 16 * 1024 * 1024
UPLOAD_BYTES = 1024 * 1024
ADDRESS = re.compile(r"IP configuration complete: (\d+\.\d+\.\d+\.\d+)/(\d+\.\d+\.\d+\.\d+)")


def test_dhcp_get_and_post(net_boot, host_server):
    big = os.urandom(BIG_BYTES)
    upload = os.urandom(UPLOAD_BYTES)
    server = host_server({"/small.txt": SMALL, "/big.bin": big})
    machine = net_boot([
        "ip",
        f"get {server.url('/small.txt')}",
        f"get {server.url('/big.bin')}",
        f"get {server.url('/chunked/small.txt')}",
        f"post {server.url('/upload')} @upload.bin",
        f"post {server.url('/note')} hello from the firmware",
        f"get {server.url('/redirect/small.txt')}",
        "shutdown",
    ], files={"upload.bin": upload})
    exit = machine.wait_exit(timeout=200)
    serial = machine.serial_output()
    assert exit.kind == "shutdown", (exit, clean(serial)[-2000:])

    # DHCP: user networking hands out 10.0.2.15/24 with the gateway 10.0.2.2.
    ip = section(serial, "ip")
    match = ADDRESS.search(ip)
    assert match and match.groups() == ("10.0.2.15", "255.255.255.0"), ip
    assert f"gateway {GATEWAY}" in ip, ip

    small = section(serial, f"get {server.url('/small.txt')}")
    assert "status: 200 OK" in small, small
    assert f"length: {len(SMALL)} bytes" in small, small
    assert f"sha256: {sha256(SMALL)}" in small, small
    assert "body: Hello from the host." in small, small

    large = section(serial, f"get {server.url('/big.bin')}")
    assert f"length: {BIG_BYTES} bytes" in large, large
    assert f"received {BIG_BYTES} bytes" in large, large
    assert f"sha256: {sha256(big)}" in large, large

    chunked = section(serial, f"get {server.url('/chunked/small.txt')}")
    assert "length: chunked" in chunked, chunked
    assert f"received {len(SMALL)} bytes" in chunked, chunked
    assert f"sha256: {sha256(SMALL)}" in chunked, chunked

    # POST of a file from the boot volume: the host got every byte.
    posted = section(serial, f"post {server.url('/upload')} @upload.bin")
    uploads = dict(server.uploads)
    assert uploads.get("/upload") == upload, "the host did not receive the file intact"
    assert f"sent sha256: {sha256(upload)}" in posted, posted
    assert f"body: {sha256(upload)}" in posted, posted       # the host's answer

    assert uploads.get("/note") == b"hello from the firmware"

    # A redirect is reported and not followed: the host saw one request for it.
    redirect = section(serial, f"get {server.url('/redirect/small.txt')}")
    assert "status: 302" in redirect, redirect
    assert "redirect to /small.txt (not followed)" in redirect, redirect
    assert server.requests.count("/small.txt") == 1, server.requests


def test_connection_faults_and_the_shell_carries_on(net_boot, host_server):
    server = host_server({"/small.txt": SMALL})
    closed = free_port()
    truncated = server.url("/truncated")
    machine = net_boot([
        f"get http://{GATEWAY}:{closed}/",
        f"get {truncated}",
        "get ftp://10.0.2.2/file",
        f"get {server.url('/small.txt')}",
        "shutdown",
    ])
    exit = machine.wait_exit(timeout=120)
    serial = machine.serial_output()
    assert exit.kind == "shutdown", (exit, clean(serial)[-2000:])

    # User networking answers a SYN to a closed port with a reset.
    refused = section(serial, f"get http://{GATEWAY}:{closed}/")
    assert f"error: connect to {GATEWAY}:{closed} failed: connection refused" in refused, refused

    cut = section(serial, f"get {truncated}")
    promise, sent = HostServer.TRUNCATED_PROMISE, HostServer.TRUNCATED_SENT
    assert f"the body ended after {sent} of {promise} bytes: connection closed" in cut, cut
    assert "sha256:" not in cut, cut

    bad = section(serial, "get ftp://10.0.2.2/file")
    assert "error: bad URL" in bad, bad

    # ...and the next command works.
    after = section(serial, f"get {server.url('/small.txt')}")
    assert f"sha256: {sha256(SMALL)}" in after, after

