"""Exercise 4: boot.asm fills its budget exactly: the build says 510 of 510
bytes used, and the sector still halts in itself."""
from bootcamp.exercise import bytes_used, expect


def test_the_sector_is_full(chapter):
    out = chapter.make("-B", "build/boot.bin")
    used = bytes_used(out.stdout, "boot")
    expect(out.returncode == 0 and used == 510, 4, "`boot: 510 of 510 bytes used, 0 free`",
           out.stdout)
