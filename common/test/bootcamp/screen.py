"""What the learner sees: the VGA text screen and the graphics framebuffer."""

from __future__ import annotations

import dataclasses
from pathlib import Path

VGA_TEXT_BASE = 0xB8000        # physical address of the colour text buffer
VGA_COLUMNS = 80
VGA_ROWS = 25
VGA_TEXT_BYTES = VGA_COLUMNS * VGA_ROWS * 2   # a character byte and an attribute byte per cell

# The 16 VGA text colours, by attribute nibble.
VGA_COLOURS = ("black", "blue", "green", "cyan", "red", "magenta", "brown", "light grey",
               "dark grey", "light blue", "light green", "light cyan", "light red",
               "light magenta", "yellow", "white")


@dataclasses.dataclass(frozen=True)
class Cell:
    char: str
    attribute: int

    @property
    def foreground(self) -> str:
        return VGA_COLOURS[self.attribute & 0x0F]

    @property
    def background(self) -> str:
        return VGA_COLOURS[(self.attribute >> 4) & 0x07]


class Screen:
    """An 80x25 VGA text screen, read from the 4000 bytes at 0xB8000."""

    def __init__(self, raw: bytes):
        if len(raw) < VGA_TEXT_BYTES:
            raise ValueError(f"a text screen is {VGA_TEXT_BYTES} bytes, got {len(raw)}")
        self.raw = bytes(raw[:VGA_TEXT_BYTES])

    def cell(self, row: int, column: int) -> Cell:
        offset = (row * VGA_COLUMNS + column) * 2
        return Cell(bytes([self.raw[offset]]).decode("cp437"), self.raw[offset + 1])

    def row(self, row: int) -> str:
        start = row * VGA_COLUMNS * 2
        return bytes(self.raw[start:start + VGA_COLUMNS * 2:2]).decode("cp437")

    @property
    def lines(self) -> list[str]:
        return [self.row(r).rstrip() for r in range(VGA_ROWS)]

    @property
    def text(self) -> str:
        return "\n".join(self.lines).rstrip("\n")

    def find(self, needle: str) -> tuple[int, int] | None:
        """(row, column) of the first occurrence of `needle` on one line, or None."""
        for r in range(VGA_ROWS):
            column = self.row(r).find(needle)
            if column >= 0:
                return r, column
        return None

    def __contains__(self, needle: str) -> bool:
        return self.find(needle) is not None

    def colour_of(self, needle: str) -> tuple[str, str]:
        """(foreground, background) of the first character of `needle` on screen."""
        where = self.find(needle)
        if where is None:
            raise AssertionError(f"{needle!r} is not on the screen:\n{self.framed()}")
        cell = self.cell(*where)
        return cell.foreground, cell.background

    def framed(self) -> str:
        bar = "+" + "-" * VGA_COLUMNS + "+"
        body = "\n".join("|" + self.row(r) + "|" for r in range(VGA_ROWS))
        return f"{bar}\n{body}\n{bar}"

    def __str__(self) -> str:
        return self.text


class Picture:
    """A framebuffer screenshot (QEMU's screendump writes binary PPM, P6)."""

    def __init__(self, path: Path):
        data = Path(path).read_bytes()
        fields, offset = [], 0
        while len(fields) < 4:
            while data[offset:offset + 1].isspace():
                offset += 1
            if data[offset:offset + 1] == b"#":
                offset = data.index(b"\n", offset) + 1
                continue
            end = offset
            while not data[end:end + 1].isspace():
                end += 1
            fields.append(data[offset:end])
            offset = end
        if fields[0] != b"P6" or int(fields[3]) != 255:
            raise ValueError(f"{path}: not an 8-bit binary PPM")
        self.path = Path(path)
        self.width, self.height = int(fields[1]), int(fields[2])
        self.pixels = data[offset + 1:]

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        if not (0 <= x < self.width and 0 <= y < self.height):
            raise IndexError(f"({x}, {y}) is outside the {self.width}x{self.height} picture")
        i = (y * self.width + x) * 3
        return self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]
