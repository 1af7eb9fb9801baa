"""Exercise 4: a TSS is loaded (TR is not 0) and the double fault's gate
(vector 8) names IST 1."""
import re

from bootcamp import Spec
from bootcamp.exercise import expect

GATE_BYTES = 16
DOUBLE_FAULT = 8
IST_BYTE = 4                 # byte 4 of a 64-bit gate: bits 0-2 are the IST index


def test_tss_and_ist_for_double_fault(chapter, boot):
    machine = boot(Spec(chapter.image("kernel.iso"), media="cdrom"))
    machine.wait_for("kmain: done", source="debug", timeout=60)
    machine.wait_halted(timeout=30)
    info = machine.hmp("info registers")
    tr = re.search(r"^TR =([0-9a-f]{4})", info, re.M)
    expect(tr and int(tr.group(1), 16) != 0, 4, "TR to hold a TSS selector (ltr was run)", info)
    idt = re.search(r"^IDT=\s*([0-9a-f]+)", info, re.M)
    gate = machine.read_memory(int(idt.group(1), 16) + DOUBLE_FAULT * GATE_BYTES, GATE_BYTES)
    expect(gate[IST_BYTE] & 0x7 == 1, 4, "IST 1 in the double fault's gate", gate.hex(" "))
