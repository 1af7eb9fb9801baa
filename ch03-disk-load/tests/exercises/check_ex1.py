"""Exercise 1: a track at a time. Stage 1 prints a dot on its `Loading` line
for each BIOS read call it makes: at most 5 on the floppy (18 sectors a track,
and a stop at the 64 KiB boundary the floppy's DMA cannot cross), 1 on the
hard disk (LBA, up to 127 sectors a call); the payload still checks out.
In both emulators: their BIOSes differ, and both refuse a floppy read across
64 KiB (status 0x09)."""
import re

import pytest

from bootcamp.exercise import boot_until, expect

# image -> (medium, the most read calls a track-at-a-time stage 1 needs for 70 sectors)
MOST_READS = {"payload.floppy.img": ("floppy", 5), "payload.hd.img": ("hd", 1)}
# What ends a boot: the payload's verdict, or stage 1's error line.
THE_END = re.compile(r"checksum (OK|BAD)|Disk error [^\r\n]*\n")
# Stage 1's line: `Loading`, whatever else it still says, then its dots (none
# on the unchanged course, one a sector if only the dots were added).
LOADING = re.compile(r"^Loading[^.\r\n]*(\.*)", re.M)


@pytest.mark.parametrize("image", sorted(MOST_READS))
def test_few_reads_and_checksum_ok(chapter, boot, emulator, image):
    media, most = MOST_READS[image]
    out = boot_until(boot, chapter.image(image), 1, THE_END, emulator, media)
    line = LOADING.search(out)
    expect(line, 1, "stage 1's line to start with `Loading`", out)
    dots = len(line.group(1))
    expect(1 <= dots <= most, 1,
           f"`Loading` to end in one dot per BIOS read call, at most {most} for {image} "
           f"in {emulator} (seen: {dots})", out)
    expect("checksum OK" in out, 1, "the payload's `checksum OK`", out)
