"""Exercise 2: the disk signature (bytes 440-443, sfdisk's "Disk identifier")
survives installing stage 1, and the disk still boots."""
import subprocess

from bootcamp.exercise import expect, halted


def test_disk_identifier_survives(chapter, boot):
    image = chapter.image("payload.hd.img")
    identifier = image.read_bytes()[440:444]
    listing = subprocess.run(["/sbin/sfdisk", "--disk-id", str(image)], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=30).stdout.strip()
    expect(identifier != bytes(4), 2,
           "bytes 440-443 of payload.hd.img to keep the identifier sfdisk wrote (not zeros)",
           f"sfdisk --disk-id: {listing}")
    _, out = halted(boot, image, media="hd")
    expect("checksum OK" in out, 2, "the disk to boot to `checksum OK`", out)
