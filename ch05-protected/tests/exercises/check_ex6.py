"""Exercise 6: the 32-bit code prints the GDT it runs on, from sgdt:
`GDT: base 0x... limit 0x0017` (three 8-byte descriptors)."""
import re

from bootcamp import Spec
from bootcamp.exercise import expect


def test_gdt_line(chapter, boot):
    machine = boot(Spec(chapter.image("payload.hd.img"), media="hd"))
    machine.wait_for("kmain: done", source="debug", timeout=60)
    text = machine.screen().text + "\n" + machine.debug_output()
    expect(re.search(r"GDT: base 0x[0-9A-Fa-f]+ limit 0x0017", text), 6,
           "`GDT: base 0x... limit 0x0017` from the loader path", text)
