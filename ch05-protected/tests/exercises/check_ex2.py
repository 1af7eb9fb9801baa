"""Exercise 2: the keyboard-controller A20 method as a third try. The error
message names it, and the test build that closes A20 first still reaches kmain."""
from bootcamp import Spec
from bootcamp.exercise import expect


def test_three_methods(chapter, boot):
    payload = chapter.image("payload.bin").read_bytes()
    expect(b"keyboard controller" in payload, 2,
           "stage 2's A20 error message to name the keyboard controller as a method tried")
    machine = boot(Spec(chapter.image("a20_off.floppy.img")))
    machine.wait_for("kmain: done", source="debug", timeout=60)
