"""Exercise 6: boot information that the wrong, wrapping bounds check of the lesson
lets through on i386."""
import struct
from pathlib import Path

from bootcamp.exercise import expect

START = 0x10000                 # where the exercise says GRUB put the information
ADDRESS_SPACE = 1 << 32         # i386: a pointer sum past 4 GiB wraps
HEADER_BYTES = 8                # total_size, reserved (Multiboot2 spec 3.6)
TAG_HEADER_BYTES = 8            # type, size
TAG_END = 0
ALIGN = 8


def test_an_input_that_wraps_the_old_check():
    path = Path(__file__).resolve().parent / "wrap.bin"
    expect(path.exists(), 6, f"your input saved as {path}")
    data = path.read_bytes()
    expect(len(data) >= HEADER_BYTES + TAG_HEADER_BYTES, 6,
           "boot information: total_size, reserved, then at least one tag", data.hex())
    total, _reserved = struct.unpack_from("<II", data, 0)
    expect(total == len(data), 6, f"total_size ({total}) equal to the file's length ({len(data)})")
    at, wraps = HEADER_BYTES, []
    while at + TAG_HEADER_BYTES <= total:
        kind, size = struct.unpack_from("<II", data, at)
        claimed_end = START + at + size
        wrong_check_accepts = claimed_end % ADDRESS_SPACE <= START + total
        if claimed_end >= ADDRESS_SPACE and wrong_check_accepts:
            wraps.append((at, size))
            break
        if kind == TAG_END or size < TAG_HEADER_BYTES:
            break
        at += (size + ALIGN - 1) & ~(ALIGN - 1)
    expect(wraps, 6, "a tag whose claimed end (0x10000 + offset + size) passes 4 GiB, so "
           "that the wrong check's sum wraps and accepts it", data[:64].hex())
