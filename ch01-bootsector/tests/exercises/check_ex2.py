"""Exercise 2: the signature changed to 0xAA56: the sector ends in 56 AA and
the BIOS refuses it."""
from bootcamp import Spec
from bootcamp.exercise import expect


def test_a_wrong_signature_is_refused(chapter, boot):
    tail = chapter.image("boot.bin").read_bytes()[510:]
    expect(tail == b"\x56\xaa", 2, "build/boot.bin to end in 56 aa", tail.hex(" "))
    machine = boot(Spec(chapter.image("boot.floppy.img")))
    machine.wait_for("not a bootable disk", source="screen", timeout=30)
