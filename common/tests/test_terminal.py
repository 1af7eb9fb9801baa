"""bootcamp.terminal: a UEFI serial console as a terminal shows it."""

from bootcamp.terminal import lines, plain


def test_plain_removes_escape_sequences():
    # What OVMF sends: clear screen, home, mode switch, colours, a cursor move.
    raw = "\x1b[2J\x1b[01;01H\x1b[=3h\x1b[0m\x1b[37m\x1b[40mbootcamp> \x1b[12;57Ho"
    assert plain(raw) == "bootcamp> o"


def test_plain_removes_curses_escapes_inside_words():
    # QEMU's curses display: a character-set choice in the middle of a word,
    # keypad mode, and a saved and restored cursor.
    raw = "\x1b=\x1b7Booting fr\x1b(Bom Floppy...\x1b(B\x1b8\x1b>"
    assert plain(raw) == "Booting from Floppy..."


def test_lines_apply_backspaces_and_carriage_returns():
    # A line editor fixing "pxek zz": five steps left, rub out x, type e.
    typed = ("bootcamp> pxek zz" + "\b" * 5 + "\b" + "ek zz " + "\b" * 6
             + "e" + "ek zz" + "\b" * 5 + "\r\nnext\r\n")
    assert lines(typed) == ["bootcamp> peek zz", "next", ""]
    assert lines("12345\rab\r\n") == ["ab345", ""]
    assert lines("\b\bx") == ["x"]                  # never left of column 0
