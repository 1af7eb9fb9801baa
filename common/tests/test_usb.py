"""common/mk/usb.sh: `make usb DEVICE=...` writes an image only to a removable,
unused, whole disk that is not the system's, and only after the learner types yes.

The devices are loop devices (losetup on a file in tmp_path). A loop device is
not removable, so the write path uses the script's documented --allow-loop; the
removable and system-disk decisions are made through device nodes with other
names (mknod on the loop device's numbers) and a small fake /sys (--sys).
Needs root, losetup and mknod: skipped, saying so, without them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

USB = Path(__file__).resolve().parents[1] / "mk" / "usb.sh"
DEVICE_BYTES = 4 * 1024 * 1024
IMAGE_BYTES = 64 * 1024
SECTOR_BYTES = 512

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("losetup") or not Path("/dev/loop-control").exists(),
    reason="needs root and loop devices (losetup) to make a device to write to")


def run(*arguments: str, answer: str = "yes") -> subprocess.CompletedProcess:
    return subprocess.run([str(USB), *arguments], input=answer + "\n", text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)


def refused(result: subprocess.CompletedProcess, why: str) -> None:
    assert result.returncode == 1, f"expected a refusal ({why}), got:\n{result.stdout}"
    assert why in result.stdout, f"expected {why!r} in:\n{result.stdout}"
    assert "nothing was written" in result.stdout, result.stdout


@pytest.fixture
def image(tmp_path: Path) -> Path:
    path = tmp_path / "boot.img"
    path.write_bytes(bytes(range(256)) * (IMAGE_BYTES // 256))
    return path


@pytest.fixture
def loop(tmp_path: Path):
    """A fresh loop device over a zeroed file; detached after the test."""
    backing = tmp_path / "stick.raw"
    backing.write_bytes(bytes(DEVICE_BYTES))
    attached = subprocess.run(["losetup", "--find", "--show", "--partscan", str(backing)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=30)
    if attached.returncode != 0:
        pytest.skip(f"losetup could not attach a loop device: {attached.stdout.strip()}")
    device = Path(attached.stdout.strip())
    yield device, backing
    subprocess.run(["losetup", "--detach", str(device)], timeout=30)


def fake_sys(tmp_path: Path, name: str, removable: int) -> Path:
    """A /sys with one whole disk NAME of DEVICE_BYTES, removable or not."""
    root = tmp_path / "sys"
    disk = root / "block" / name
    (disk / "device").mkdir(parents=True)
    (disk / "removable").write_text(f"{removable}\n")
    (disk / "size").write_text(f"{DEVICE_BYTES // SECTOR_BYTES}\n")
    (disk / "device" / "model").write_text("Test Stick      \n")
    (root / "class" / "block").mkdir(parents=True)
    (root / "class" / "block" / name).symlink_to(disk)
    return root


def node_named(tmp_path: Path, name: str, device: Path) -> Path:
    """A second device node for the same loop device, under another name."""
    st = device.stat()
    node = tmp_path / "dev" / name
    node.parent.mkdir(exist_ok=True)
    os.mknod(node, 0o600 | 0o060000, st.st_rdev)       # S_IFBLK
    return node


def test_writes_a_loop_device_after_yes(image, loop):
    device, backing = loop
    result = run("--allow-loop", str(image), str(device))
    assert result.returncode == 0, result.stdout
    assert f"Device: {device}" in result.stdout and "MiB" in result.stdout, result.stdout
    assert "Type yes" in result.stdout
    assert backing.read_bytes()[:IMAGE_BYTES] == image.read_bytes()


def test_anything_but_yes_writes_nothing(image, loop):
    device, backing = loop
    refused(run("--allow-loop", str(image), str(device), answer="y"), "not yes")
    assert backing.read_bytes() == bytes(DEVICE_BYTES)


def test_a_loop_device_is_refused_without_the_test_flag(image, loop):
    device, backing = loop
    refused(run(str(image), str(device)), "is a loop device, not a USB stick")
    assert backing.read_bytes() == bytes(DEVICE_BYTES)


def test_a_file_is_not_a_block_device(image, tmp_path):
    target = tmp_path / "not-a-disk"
    target.write_bytes(bytes(1024))
    refused(run(str(image), str(target)), "is not a block device")
    refused(run(str(image), str(tmp_path / "missing")), "does not exist")
    refused(run(str(image), ""), "say which device")


def test_a_partition_is_refused(image, loop):
    device, backing = loop
    subprocess.run(["/sbin/sfdisk", "--quiet", str(device)], input="2048,,83\n", text=True,
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30, check=True)
    subprocess.run(["partx", "--add", str(device)], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=30)
    partition = Path(f"{device}p1")
    if not partition.exists():
        pytest.skip(f"the kernel made no {partition} for the loop device's partition")
    refused(run("--allow-loop", str(image), str(partition)), "is a partition, not a whole disk")


def test_a_mounted_device_is_refused(image, loop, tmp_path):
    device, backing = loop
    if not shutil.which("mkfs.ext2"):
        pytest.skip("mkfs.ext2 is not installed")
    subprocess.run(["mkfs.ext2", "-q", str(device)], timeout=60, check=True)
    mountpoint = tmp_path / "mnt"
    mountpoint.mkdir()
    mounted = subprocess.run(["mount", str(device), str(mountpoint)], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=30)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount here: {mounted.stdout.strip()}")
    try:
        refused(run("--allow-loop", str(image), str(device)), "is mounted on")
    finally:
        subprocess.run(["umount", str(mountpoint)], timeout=30)


def test_an_image_bigger_than_the_device_is_refused(tmp_path, loop):
    device, backing = loop
    big = tmp_path / "big.img"
    big.write_bytes(bytes(DEVICE_BYTES + SECTOR_BYTES))
    refused(run("--allow-loop", str(big), str(device)), "more than the")


def test_a_non_removable_disk_is_refused_and_a_removable_one_written(image, loop, tmp_path):
    device, backing = loop
    disk = node_named(tmp_path, "sdz", device)
    refused(run("--sys", str(fake_sys(tmp_path / "fixed", "sdz", 0)), str(image), str(disk)),
            "is not removable")
    result = run("--sys", str(fake_sys(tmp_path / "stick", "sdz", 1)), str(image), str(disk))
    assert result.returncode == 0, result.stdout
    assert "Test Stick" in result.stdout, result.stdout
    assert backing.read_bytes()[:IMAGE_BYTES] == image.read_bytes()


def test_the_system_disk_is_refused_even_if_it_says_removable(image, loop, tmp_path):
    device, backing = loop
    root_source = next((line.split()[0] for line in Path("/proc/mounts").read_text().splitlines()
                        if line.split()[1] == "/" and line.startswith("/dev/")), None)
    if root_source is None:
        pytest.skip("/ is not on a /dev device here")
    name = Path(root_source).name.rstrip("0123456789")
    if name.endswith("p") and name[:-1][-1:].isdigit():
        name = name[:-1]                                  # nvme0n1p2 -> nvme0n1
    disk = node_named(tmp_path, name, device)
    refused(run("--sys", str(fake_sys(tmp_path, name, 1)), str(image), str(disk)),
            "holds the running system")
    assert backing.read_bytes() == bytes(DEVICE_BYTES)
