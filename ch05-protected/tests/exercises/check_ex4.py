"""Exercise 4: the page fault (vector 14) runs on a stack of its own, IST 2, and
still reports; the double fault keeps IST 1."""
import re

from bootcamp import Spec
from bootcamp.exercise import expect

GATE_BYTES = 16
DOUBLE_FAULT = 8
PAGE_FAULT = 14
IST_BYTE = 4                 # byte 4 of a 64-bit gate: bits 0-2 are the IST index
IST_MASK = 0x7
TSS_IST2_OFFSET = 0x2C       # 64-bit TSS: RSP0-2 at 4, IST1 at 0x24, IST2 at 0x2C (8 bytes)


def test_page_fault_on_ist2(chapter, boot):
    machine = boot(Spec(chapter.image("kernel.iso"), media="cdrom"))
    machine.wait_for("kmain: done", source="debug", timeout=60)
    machine.wait_halted(timeout=30)
    info = machine.hmp("info registers")
    idt = re.search(r"^IDT=\s*([0-9a-f]+)", info, re.M)
    tr = re.search(r"^TR =[0-9a-f]{4} ([0-9a-f]+)", info, re.M)
    expect(idt and tr, 4, "an IDT and a loaded TSS", info)
    base = int(idt.group(1), 16)
    page = machine.read_memory(base + PAGE_FAULT * GATE_BYTES, GATE_BYTES)
    double = machine.read_memory(base + DOUBLE_FAULT * GATE_BYTES, GATE_BYTES)
    expect(page[IST_BYTE] & IST_MASK == 2, 4, "IST 2 in the page fault's gate", page.hex(" "))
    expect(double[IST_BYTE] & IST_MASK == 1, 4, "IST 1 still in the double fault's gate",
           double.hex(" "))
    ist2 = int.from_bytes(machine.read_memory(int(tr.group(1), 16) + TSS_IST2_OFFSET, 8), "little")
    expect(ist2 != 0, 4, "the TSS's IST2 to point at a stack (not 0)", f"IST2 = {ist2:#x}")

    fault = boot(Spec(chapter.image("fault_page.iso"), media="cdrom"))
    fault.wait_for("halted.", source="debug", timeout=60)
    out = fault.debug_output()
    expect("page fault (#PF)" in out, 4, "fault_page.iso to still report its page fault", out)
