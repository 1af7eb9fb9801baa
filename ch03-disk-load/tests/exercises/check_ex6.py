"""Exercise 6: the payload asks AH=08h and prints the geometry of its boot
drive: `geometry: C cylinders, H heads, S sectors per track` (80, 2, 18 for
the 1.44 MB floppy)."""
import re

from bootcamp.exercise import expect, halted


def test_floppy_geometry(chapter, boot):
    _, out = halted(boot, chapter.image("payload.floppy.img"))
    found = re.search(r"geometry: (\d+) cylinders, (\d+) heads, (\d+) sectors per track", out)
    expect(found and tuple(map(int, found.groups())) == (80, 2, 18), 6,
           "`geometry: 80 cylinders, 2 heads, 18 sectors per track` from the floppy", out)
