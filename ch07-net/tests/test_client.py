"""ch07: the guest's HTTP client against a server on the host (QEMU user networking).

Each test starts at the shell's prompt, from a snapshot taken after `ip` had
run DHCP (the net_shell fixture), and types its commands one after another.
"""

import os
import re

from conftest import (GATEWAY, UPLOAD, UPLOAD_NAME, HostServer, free_port, run, section,
                      sha256)

SMALL = b"Hello from the host.\nA small text file for GET.\n"
BIG_BYTES = 16 * 1024 * 1024
BIG_GET_TIMEOUT_S = 200
ADDRESS = re.compile(r"^address (\S+) netmask (\S+) gateway (\S+)$", re.M)


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

    large = run(machine, f"get {server.url('/big.bin')}", timeout=BIG_GET_TIMEOUT_S)
    assert f"length: {BIG_BYTES} bytes" in large, large
    assert f"received {BIG_BYTES} bytes" in large, large
    assert f"sha256: {sha256(big)}" in large, large
    assert "body:" not in large, large                 # binary, and far too long to show

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


def test_no_network_interface(net_boot, emulator):
    """QEMU without a NIC, and Bochs, whose NICs OVMF has no driver for: the
    commands say so and the shell carries on to the end of the script."""
    machine = net_boot(["ip", "get http://10.0.2.2:80/", "shutdown"], network=False,
                       emulator=emulator)
    machine.wait_for("Powering off", source="serial", timeout=180)
    serial = machine.serial_output()
    assert "error: no network interface" in section(serial, "ip")
    assert "no network interface" in section(serial, "get http://10.0.2.2:80/")
    assert machine.wait_exit(timeout=60).kind == "shutdown"
