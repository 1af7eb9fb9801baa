"""Exercise 1: your name on the second line, yellow on blue (int 0x10, AH=09h)."""
from bootcamp import Spec
from bootcamp.exercise import expect


def test_second_line_has_yellow_on_blue_text(chapter, boot):
    machine = boot(Spec(chapter.image("hello.floppy.img")))
    machine.wait_halted(timeout=30)
    screen = machine.screen()
    row = screen.find("Hello, world!")
    expect(row is not None, 1, "the greeting still on screen", screen.framed())
    below = row[0] + 1
    cells = [screen.cell(below, c) for c in range(80)]
    coloured = [c for c in cells if c.char.strip() and (c.foreground, c.background) == ("yellow", "blue")]
    expect(len(coloured) >= 2, 1, f"text in yellow on blue on line {below} (the line under the greeting)",
           screen.framed())
