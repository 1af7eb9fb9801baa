"""Exercise 3: the sector writes 'A', white on blue (0x1F), to the top-left
cell of the text screen, without the BIOS."""
from bootcamp import Spec
from bootcamp.exercise import expect


def test_an_A_white_on_blue_at_the_top_left(chapter, boot):
    machine = boot(Spec(chapter.image("boot.floppy.img")))
    machine.wait_halted(timeout=30)
    screen = machine.screen()
    cell = screen.cell(0, 0)
    expect(cell.char == "A" and (cell.foreground, cell.background) == ("white", "blue"), 3,
           "'A' in white on blue at row 0, column 0",
           f"{cell.char!r} in {cell.foreground} on {cell.background}\n{screen.framed()}")
