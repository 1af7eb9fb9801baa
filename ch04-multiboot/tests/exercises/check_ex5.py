"""Exercise 5: the ACPI RSDP tag (type 14) printed, with its signature."""
from bootcamp import Spec
from bootcamp.exercise import expect


def test_the_rsdp_signature(chapter, boot):
    machine = boot(Spec(chapter.image("kernel.iso"), media="cdrom"))
    machine.wait_for("kmain: done", source="debug", timeout=60)
    out = machine.debug_output()
    expect("RSD PTR " in out, 5, "the RSDP's signature `RSD PTR ` on a line of its own", out)
