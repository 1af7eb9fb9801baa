"""What a serial terminal would show of a UEFI console's output.

OVMF mirrors ConOut on the serial port as a VT100/ANSI terminal: the text,
plus escape sequences for clearing the screen, moving the cursor and setting
colours, and the backspaces a line editor uses to step left. Tests of the UEFI
chapters read the serial log through these helpers.

    plain(serial)   the text with escape sequences removed
    lines(serial)   plain() split into lines, with carriage returns and
                    backspaces applied as a terminal would (what a line shows)
"""

from __future__ import annotations

import re

# CSI sequences (ESC [ params letter), including OVMF's mode switch ESC [ = 3 h,
# and two-character escapes (ESC c, ESC 7...).
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]|\x1b[@-Z\\-_]")
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
