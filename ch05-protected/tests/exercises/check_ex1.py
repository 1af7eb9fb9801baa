"""Exercise 1: 4 GiB mapped, and fault_page writing to 4 GiB (0x100000000),
the first unmapped byte now: CR2 says so."""
from bootcamp import Spec
from bootcamp.exercise import expect


def test_fault_page_at_4_gib(chapter, boot):
    machine = boot(Spec(chapter.image("fault_page.iso"), media="cdrom"))
    machine.wait_for("halted.", source="debug", timeout=60)
    out = machine.debug_output()
    expect("CR2 0x0000000100000000" in out, 1, "`CR2 0x0000000100000000` in the page-fault report",
           out)
