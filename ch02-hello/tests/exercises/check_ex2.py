"""Exercise 2: print_dec. hex.asm also prints 0, 9, 10 and 65535 in decimal,
on a line of their own: `0 9 10 65535` (spaces around them do not matter)."""
from bootcamp.exercise import expect, halted

DECIMALS = ["0", "9", "10", "65535"]


def test_print_dec_on_its_own_line(chapter, boot):
    machine, out = halted(boot, chapter.image("hex.floppy.img"))
    expect(any(line.split() == DECIMALS for line in out.replace("\r", "").split("\n")), 2,
           "a line `0 9 10 65535` from hex.floppy.img on the debug port", out)
