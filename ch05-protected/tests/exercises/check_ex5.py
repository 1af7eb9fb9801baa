"""Exercise 5: the 32-bit checkpoint prints EFLAGS and the CPU vendor string."""
import re

from bootcamp import Spec
from bootcamp.exercise import expect


def test_eflags_and_vendor(chapter, boot):
    machine = boot(Spec(chapter.image("kernel.iso"), media="cdrom"))
    machine.wait_for("kmain: done", source="debug", timeout=60)
    screen = machine.screen().text + "\n" + machine.debug_output()
    expect(re.search(r"EFLAGS[ =:]+0x[0-9A-Fa-f]+", screen), 5, "`EFLAGS 0x...`", screen)
    expect(re.search(r"GenuineIntel|AuthenticAMD", screen), 5,
           "the vendor string (QEMU's CPU says AuthenticAMD or GenuineIntel)", screen)
