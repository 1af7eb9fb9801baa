"""Exercise 2: linked without -n for good (LD_NMAGIC := in the Makefile): the
header sits at file offset 0x1000, page-aligned, and the kernel still boots."""
import re
import subprocess

from bootcamp import Spec
from bootcamp.exercise import expect

PAGE_BYTES = 0x1000


def test_page_aligned_header_still_boots(chapter, boot):
    headers = subprocess.run(["objdump", "-h", str(chapter.image("kernel.elf"))],
                             stdout=subprocess.PIPE, text=True, timeout=30).stdout
    found = re.search(r"\.multiboot2\s+\S+\s+\S+\s+\S+\s+([0-9a-f]+)", headers)
    offset = int(found.group(1), 16) if found else None
    expect(offset is not None and offset % PAGE_BYTES == 0, 2,
           ".multiboot2 at a page-aligned file offset (0x1000)", headers)
    machine = boot(Spec(chapter.image("kernel.iso"), media="cdrom"))
    machine.wait_for("kmain: done", source="debug", timeout=60)
