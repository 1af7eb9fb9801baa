"""Exercise 1: a track at a time. Stage 1 says how many BIOS read calls it
made (`... in N reads`): at most 5 on the floppy (18 sectors a track), 1 on
the hard disk (LBA, up to 127 sectors a call); the payload still checks out."""
import re

import pytest

from bootcamp.exercise import expect, halted

MOST_READS = {"payload.floppy.img": ("floppy", 5), "payload.hd.img": ("hd", 1)}


@pytest.mark.parametrize("image", sorted(MOST_READS))
def test_few_reads_and_checksum_ok(chapter, boot, image):
    media, most = MOST_READS[image]
    _, out = halted(boot, chapter.image(image), media=media)
    found = re.search(r"in (\d+) reads", out)
    expect(found and int(found.group(1)) <= most, 1,
           f"stage 1 to print `in N reads` with N <= {most} for {image}", out)
    expect("checksum OK" in out, 1, "the payload's `checksum OK`", out)
