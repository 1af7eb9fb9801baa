"""ch07: a NIC that OVMF has no driver for, brought up by the program itself
with iPXE's e1000 driver from the ESP (nic_driver.c).

OVMF drives virtio-net only. QEMU's e1000 without its option ROM is such a
NIC, and so is Bochs's e1000. The QEMU boots are quick and check the driver
path and its failures; one Bochs boot (one to three minutes) checks that the
chapter works there: DHCP, downloads checked by SHA-256, and the guest's HTTP
server reached from the host through a port Bochs's slirp forwards.
"""

import http.client
import os
import re

import pytest

from conftest import DRIVER, GATEWAY, clean, free_port, section, sha256

SMALL = b"Hello from the host.\nA small text file for GET.\n"
# Bochs moves a few hundred KiB/s at best through the firmware's stack while
# it emulates every instruction: a file that takes seconds, not minutes.
BOCHS_FILE_BYTES = 256 * 1024
HTTP_PORT = 8080
ADDRESS = re.compile(r"IP configuration complete: (\d+\.\d+\.\d+\.\d+)/(\d+\.\d+\.\d+\.\d+)")
LOADING = "no NIC has a network stack: loading NIC drivers from the boot volume"
BOCHS_SERVER_TIMEOUT_S = 500     # start-up (~60 s quiet), DHCP, two downloads: ~230 s at load 30
BOCHS_CLIENT_TIMEOUT_S = 60      # one request to the guest's server under Bochs


def loaded_the_driver(text: str) -> None:
    """What net_start says when it brings the driver in: it loaded, started with a
    name and a driver binding, and a recursive connect bound it."""
    assert LOADING in text, text
    assert re.search(rf"\\{re.escape(DRIVER)}: loaded at 0x[0-9A-Fa-f]+ \(\d+ bytes\), "
                     r'started: "[^"]+", binding version 0x[0-9A-Fa-f]+', text), text
    snp = re.search(r"connected every controller; handles with SNP: (\d+) before, (\d+) now",
                    text)
    assert snp and int(snp.group(2)) > int(snp.group(1)), text


def test_driver_from_the_esp_in_qemu(net_boot, host_server):
    server = host_server({"/small.txt": SMALL})
    machine = net_boot(["ip", f"get {server.url('/small.txt')}", "shutdown"], nic="e1000")
    exit = machine.wait_exit(timeout=120)
    serial = machine.serial_output()
    assert exit.kind == "shutdown", (exit, clean(serial)[-2000:])

    ip = section(serial, "ip")
    loaded_the_driver(ip)
    match = ADDRESS.search(ip)
    assert match and match.groups() == ("10.0.2.15", "255.255.255.0"), ip
    got = section(serial, f"get {server.url('/small.txt')}")
    assert f"sha256: {sha256(SMALL)}" in got, got
    assert LOADING not in got, "the driver was loaded a second time"


# What the ESP holds under the driver's name, and what net.c must say of it.
REFUSED = {
    "not-an-image": (b"this is not a PE32+ image\n", "LoadImage failed: "),
    "an-application": ("not_a_driver.efi",
                       "started, but it installed no driver binding: not a UEFI driver"),
    "failing-driver": ("failing_driver.efi",
                       "StartImage failed: Unsupported: no supported NIC on this machine"),
}


@pytest.mark.parametrize("driver", ["present", "missing", *REFUSED])
def test_no_network_interface(chapter, net_boot, driver):
    """No NIC: the driver loads and binds to nothing; no driver file, or a file
    that is no driver: the program says so. In each case the commands say
    `no network interface` and the shell carries on to the end of the script."""
    files = {}
    if driver in REFUSED:
        content, _ = REFUSED[driver]
        files[DRIVER] = content if isinstance(content, bytes) else chapter.image(content)
    machine = net_boot(["ip", "get http://10.0.2.2:80/", "shutdown"], network=False,
                       driver=driver == "present", files=files)
    machine.wait_for("Powering off", source="serial", timeout=120)
    serial = machine.serial_output()
    ip = section(serial, "ip")
    assert LOADING in ip, ip
    if driver == "present":
        assert re.search(rf"\\{re.escape(DRIVER)}: loaded at .* started", ip), ip
        assert "handles with SNP: 0 before, 0 now: no NIC here is one this driver supports" \
            in ip, ip
    elif driver == "missing":
        assert f"no NIC driver would start (looked for \\{DRIVER})" in ip, ip
    else:
        assert f"\\{DRIVER}: {REFUSED[driver][1]}" in ip, ip
        assert "no NIC driver would start" in ip, ip
    assert "error: no network interface" in ip, ip
    assert "no network interface" in section(serial, "get http://10.0.2.2:80/")
    assert machine.wait_exit(timeout=60).kind == "shutdown"


@pytest.mark.long
def test_bochs_dhcp_download_and_server(net_boot, host_server):
    """One Bochs boot: the driver from the ESP, DHCP from Bochs's slirp, two
    downloads checked by SHA-256, then the guest's HTTP server, which the host
    reaches through slirp's hostfwd."""
    data = os.urandom(BOCHS_FILE_BYTES)
    server = host_server({"/small.txt": SMALL, "/file.bin": data})
    port = free_port()
    machine = net_boot(["ip", f"get {server.url('/small.txt')}", f"get {server.url('/file.bin')}",
                        f"serve {HTTP_PORT}"], hostfwd=((port, HTTP_PORT),), emulator="bochs")
    machine.wait_for(f"HTTP server listening on 10.0.2.15:{HTTP_PORT}", source="serial",
                     timeout=BOCHS_SERVER_TIMEOUT_S)
    serial = machine.serial_output()

    ip = section(serial, "ip")
    loaded_the_driver(ip)
    match = ADDRESS.search(ip)
    assert match and match.groups() == ("10.0.2.15", "255.255.255.0"), ip
    assert f"gateway {GATEWAY}" in ip, ip

    small = section(serial, f"get {server.url('/small.txt')}")
    assert f"sha256: {sha256(SMALL)}" in small, small
    big = section(serial, f"get {server.url('/file.bin')}")
    assert f"received {BOCHS_FILE_BYTES} bytes" in big, big
    assert f"sha256: {sha256(data)}" in big, big
    assert "hashed on: this processor: this machine has one processor" in big, big

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=BOCHS_CLIENT_TIMEOUT_S)
    try:
        connection.request("GET", "/")
        response = connection.getresponse()
        page = response.read().decode()
    finally:
        connection.close()
    assert response.status == 200, page
    assert "address: 10.0.2.15/255.255.255.0" in page, page
