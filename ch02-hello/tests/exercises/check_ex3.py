"""Exercise 3: hello prints the boot drive (DL at entry) with print_hex:
0x0000 from the floppy, 0x0080 from a hard disk."""
from bootcamp.exercise import expect, halted


def test_the_boot_drive_is_printed(chapter, boot):
    _, floppy = halted(boot, chapter.image("hello.floppy.img"))
    _, disk = halted(boot, chapter.image("hello.bin"), media="hd")
    expect("0x0000" in floppy, 3, "0x0000 (DL for the first floppy) from hello.floppy.img", floppy)
    expect("0x0080" in disk, 3, "0x0080 (DL for the first hard disk) from hello.bin as a disk", disk)
