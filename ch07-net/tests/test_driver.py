"""ch07: a NIC that OVMF has no driver for, brought up by the program itself
with iPXE's e1000 driver from the ESP (nic_driver.c).

OVMF drives virtio-net only. QEMU's e1000 without its option ROM is such a
NIC, and so is Bochs's e1000. These QEMU boots check the driver path and its
failures; test_run_bochs.py checks that the chapter works in Bochs.
"""

import re

import pytest

from conftest import CONFIGURED, DRIVER, LOADING, clean, loaded_the_driver, section, sha256

SMALL = b"Hello from the host.\nA small text file for GET.\n"


def test_driver_from_the_esp_in_qemu(net_boot, host_server):
    server = host_server({"/small.txt": SMALL})
    machine = net_boot(["ip", f"get {server.url('/small.txt')}", "shutdown"], nic="e1000")
    exit = machine.wait_exit(timeout=120)
    serial = machine.serial_output()
    assert exit.kind == "shutdown", (exit, clean(serial)[-2000:])

    ip = section(serial, "ip")
    loaded_the_driver(ip)
    match = CONFIGURED.search(ip)
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
