"""A checkout under a folder with a space in its name ("/home/Ann Lee/...") builds and tests.

make splits words at spaces, so the make rules use paths relative to the
folder make runs in (../common), which never hold one; the harness passes
paths to QEMU, Bochs (in quotes, in its bochsrc) and gdb as single words.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_SECONDS = 600


def copy_of_the_course(tmp_path: Path) -> Path:
    copy = tmp_path / "Ann Lee" / "boot camp"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", "build", "__pycache__",
                                                              ".pytest_cache"))
    return copy


def make(folder: Path, *targets: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "-C", str(folder), *targets],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=TIMEOUT_SECONDS)


@pytest.mark.long
def test_a_checkout_under_a_folder_with_a_space(tmp_path):
    copy = copy_of_the_course(tmp_path)
    # Boot sectors, booted in QEMU and Bochs by the chapter's own tests.
    tested = make(copy / "ch01-bootsector", "test")
    assert tested.returncode == 0, tested.stdout
    assert " passed" in tested.stdout and "failed" not in tested.stdout, tested.stdout
    # The loader rules (stage 1 from common/, sfdisk, install_mbr.sh) and the
    # kernel rules (common sources compiled into their own folders).
    for chapter, target in (("ch03-disk-load", "all"), ("ch04-multiboot", "build/kernel.elf")):
        built = make(copy / chapter, target)
        assert built.returncode == 0, built.stdout
    images = make(copy / "ch03-disk-load", "-s", "print-image")
    assert images.returncode == 0, images.stdout
    listed = [Path(line) for line in images.stdout.splitlines()]
    assert listed and all(path.exists() for path in listed), images.stdout
