"""Exercise 3: the exception report shows RAX to R15, each as `NAME 0x...`
(spaces to line up columns, or `NAME=0x...`, are fine too)."""
import re

from bootcamp import Spec
from bootcamp.exercise import expect

REGISTERS = ("RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "R8", "R9", "R10", "R11", "R12",
             "R13", "R14", "R15")


def test_report_has_the_registers(chapter, boot):
    machine = boot(Spec(chapter.image("fault_divide.iso"), media="cdrom"))
    machine.wait_for("halted.", source="debug", timeout=60)
    out = machine.debug_output()
    missing = [r for r in REGISTERS
               if not re.search(rf"\b{r}\s*[=:]?\s*0x[0-9A-Fa-f]+", out)]
    expect(not missing, 3, f"each of {', '.join(REGISTERS)} as `NAME 0x...`", out)
