"""Exercise 5: a plain 16-bit sum in place of Fletcher-16 (checksum.py and
payload.asm): the payload still says OK, and a copy of the floppy with payload
sectors 4 and 5 (LBAs 5 and 6) swapped now says OK too: a plain sum cannot see
the swap."""
from bootcamp.exercise import expect, halted

SECTOR_BYTES = 512


def test_the_plain_sum_misses_a_swap(chapter, boot, logdir):
    image = chapter.image("payload.floppy.img")
    _, out = halted(boot, image)
    expect("checksum OK" in out, 5, "`checksum OK` from the unchanged floppy", out)
    data = bytearray(image.read_bytes())
    five, six = (slice(lba * SECTOR_BYTES, (lba + 1) * SECTOR_BYTES) for lba in (5, 6))
    data[five], data[six] = data[six], data[five]
    swapped = logdir / "swapped.floppy.img"
    swapped.write_bytes(data)
    _, out = halted(boot, swapped)
    expect("checksum OK" in out, 5, "`checksum OK` from the swapped copy too (a plain sum)", out)
