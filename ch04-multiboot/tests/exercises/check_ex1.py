"""Exercise 1: a checksum byte changed: grub-file rejects build/kernel.elf and
GRUB says it found no Multiboot2 header."""
import subprocess

from bootcamp import Spec
from bootcamp.exercise import expect


def test_a_broken_checksum_is_refused(chapter, boot):
    verdict = subprocess.run(["grub-file", "--is-x86-multiboot2", str(chapter.image("kernel.elf"))],
                             timeout=30).returncode
    expect(verdict != 0, 1, "grub-file --is-x86-multiboot2 build/kernel.elf to fail", f"exit {verdict}")
    machine = boot(Spec(chapter.image("kernel.iso"), media="cdrom"))
    machine.wait_for("no multiboot header found", source="screen", timeout=60)
