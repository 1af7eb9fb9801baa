"""What a serial terminal would show of a UEFI console's output.

OVMF mirrors ConOut on the serial port as a VT100/ANSI terminal: the text,
plus escape sequences for clearing the screen, moving the cursor and setting
colours, and the backspaces a line editor uses to step left. Tests of the UEFI
chapters read the serial log through these helpers.

    plain(serial)   the text with escape sequences removed
    lines(serial)   plain() split into lines, with carriage returns and
                    backspaces applied as a terminal would (what a line shows)
    screen(serial, columns, rows)
                    the grid a terminal of that size shows after it all, with
                    the cursor moves and screen clears OVMF sends applied (what
                    a full-screen program such as snake draws)
"""

from __future__ import annotations

import re

# CSI sequences (ESC [ params letter), including OVMF's mode switch ESC [ = 3 h;
# character-set choices (ESC ( B, which curses, as QEMU's curses display, puts
# anywhere, even inside a word); and two-character escapes (ESC c, ESC 7,
# ESC = ...).
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]|\x1b[()*+][0-9A-Za-z]|\x1b[@-Z\\-_=>0-9a-z]")
BACKSPACE = "\b"


def plain(text: str) -> str:
    """`text` without ANSI escape sequences."""
    return ANSI_ESCAPE.sub("", text)


def _render_line(raw: str) -> str:
    cells: list[str] = []
    column = 0
    for ch in raw:
        if ch == "\r":
            column = 0
        elif ch == BACKSPACE:
            column = max(0, column - 1)
        else:
            if column < len(cells):
                cells[column] = ch
            else:
                cells.append(ch)
            column += 1
    return "".join(cells).rstrip()


def lines(text: str) -> list[str]:
    """The lines a terminal would show: escapes removed, then each line's
    carriage returns and backspaces applied (a backspace moves left, and what
    is written next overwrites)."""
    return [_render_line(line) for line in plain(text).split("\n")]


# The sequences a full-screen program's output holds (ECMA-48): cursor position
# (ESC [ row ; column H, 1-based; OVMF writes two digits each) and erase display
# (ESC [ 2 J). Others (colours, OVMF's mode switch) change no character.
CURSOR_POSITION = re.compile(r"\x1b\[(\d*);?(\d*)H")
ERASE_DISPLAY = "\x1b[2J"
TOKEN = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]|\x1b[@-Z\\-_]|[^\x1b]")


def screen(text: str, columns: int = 80, rows: int = 24) -> list[str]:
    """What a `columns` x `rows` terminal shows once `text` has been written to
    it: a list of `rows` strings of `columns` characters. Text past the right
    edge wraps to the next line and the bottom line scrolls up, as on a VT100
    with auto-wrap; that is how a drawing made for a wider screen gets garbled."""
    grid = [[" "] * columns for _ in range(rows)]
    row = column = 0

    def scroll() -> None:
        grid.pop(0)
        grid.append([" "] * columns)

    for token in TOKEN.findall(text):
        if token.startswith("\x1b"):
            position = CURSOR_POSITION.fullmatch(token)
            if position:
                row = min(max(int(position.group(1) or 1), 1), rows) - 1
                column = min(max(int(position.group(2) or 1), 1), columns) - 1
            elif token == ERASE_DISPLAY:
                grid = [[" "] * columns for _ in range(rows)]
            continue
        if token == "\r":
            column = 0
        elif token == "\n":
            row += 1
        elif token == BACKSPACE:
            column = max(0, column - 1)
        elif token >= " ":
            if column >= columns:
                column = 0
                row += 1
            if row >= rows:
                scroll()
                row = rows - 1
            grid[row][column] = token
            column += 1
            continue
        else:
            continue
        if row >= rows:
            scroll()
            row = rows - 1
    return ["".join(line) for line in grid]
