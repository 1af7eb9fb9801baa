"""Exercise 4: a `pci` command lists the PCI functions (EFI_PCI_IO_PROTOCOL):
`BB:DD.F VVVV:DDDD class CC`. QEMU's standard VGA is 1234:1111, class 03."""
import re

from bootcamp.exercise import expect, uefi_script


def test_pci(chapter, boot, logdir):
    _, text = uefi_script(chapter, boot, logdir, "bootcamp", ["pci"])
    expect(re.search(r"[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.\d\s+1234:1111\s+class 03", text), 4,
           "a line `00:01.0 1234:1111 class 03` (the bus:device.function varies)", text)
