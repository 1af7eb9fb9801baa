"""Exercise 4: hello.asm without its far jump still greets, in both emulators."""
import pytest

from bootcamp.exercise import expect, halted

FAR_JUMP_OPCODE = 0xEA


@pytest.mark.parametrize("emulator", ["qemu", "bochs"])
def test_no_far_jump_and_still_a_greeting(chapter, boot, emulator):
    first = chapter.image("hello.bin").read_bytes()[0]
    expect(first != FAR_JUMP_OPCODE, 4, "hello.bin not to start with a far jump (0xEA)",
           f"first byte {first:#04x}")
    _, out = halted(boot, chapter.image("hello.floppy.img"), emulator)
    expect("Hello, world!" in out, 4, "the greeting", out)
