"""Exercise 3: int 0x12. Stage 1 or the payload prints
`conventional memory: N KiB`, with N what the BIOS reports (under 640)."""
import re

from bootcamp.exercise import expect, halted

CONVENTIONAL_KIB = 640


def test_conventional_memory_is_printed(chapter, boot):
    _, out = halted(boot, chapter.image("payload.floppy.img"))
    found = re.search(r"conventional memory: (\d+) KiB", out)
    expect(found and 512 < int(found.group(1)) <= CONVENTIONAL_KIB, 3,
           "`conventional memory: N KiB` with N a little under 640", out)
