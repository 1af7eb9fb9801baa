"""Exercise 1: an `acpi` command follows the ACPI 2.0 RSDP from the
configuration tables: it prints `RSD PTR ` and the XSDT's address, then the
XSDT's own signature `XSDT`."""
from bootcamp.exercise import expect, uefi_script


def test_acpi(chapter, boot, logdir):
    _, text = uefi_script(chapter, boot, logdir, "bootcamp", ["acpi"])
    expect("RSD PTR" in text and "XSDT" in text, 1, "`acpi` to print `RSD PTR` and `XSDT`", text)
