"""ch05, the grader's own: page tables checked at addresses the handout's tests do not use.

The handout's fault_page writes to 1 GiB, the first unmapped byte. This test
builds another test kernel (the same kernel.mk rules, its hook written here)
that reads the last 8 bytes below 1 GiB, which must be mapped, then writes to
1 GiB + 2 MiB + 4 KiB, which must not be: a page fault with that CR2.
"""

import re

from bootcamp import Spec

LAST_MAPPED = 0x3FFF_FFF8             # the last 8 bytes of the first GiB
UNMAPPED = 0x4020_1000                # past it, in another 2 MiB page than fault_page's
PROBE = "page_probe"
HOOK = f"""\
/* page_probe.c (the grader's test build): read below 1 GiB, write above it. */
#include <stdint.h>

#include "boot.h"
#include "console.h"

void kmain_test_hook(void)
{{
    volatile uint64_t *below = (volatile uint64_t *)(uintptr_t){LAST_MAPPED:#x}u;
    volatile uint8_t *above = (volatile uint8_t *)(uintptr_t){UNMAPPED:#x}u;
    uint64_t value = *below;
    kprintf("test:         read %#x: mapped (%llu)\\n", {LAST_MAPPED:#x}u,
            (unsigned long long)(value & 1));
    *above = 1;
}}
"""


def test_the_whole_first_gib_is_mapped_and_no_more(chapter, boot, emulator):
    # A build folder of its own (one per emulator: both runs may build at
    # once), so the chapter's build/ and its flags are not touched while
    # other tests use them.
    build = f"build/hidden-{emulator}"
    hidden = chapter.root / build
    hidden.mkdir(parents=True, exist_ok=True)
    (hidden / f"{PROBE}.c").write_text(HOOK)
    built = chapter.make(f"BUILD={build}", f"VPATH={hidden}", f"KERNELS=kernel {PROBE}",
                         f"{PROBE}_OBJECTS=$(OBJ)/{PROBE}.o",
                         f"{build}/{PROBE}.iso")
    assert built.returncode == 0, built.stdout
    machine = boot(Spec(hidden / f"{PROBE}.iso", media="cdrom"), emulator)
    machine.wait_for("halted.", source="debug", timeout=30)
    debug = machine.debug_output()
    assert re.search(rf"^test: +read {LAST_MAPPED:#x}: mapped", debug, re.M), debug
    assert "exception: page fault (#PF), vector 14, error code 0x2" in debug, debug
    assert (f"CR2 {UNMAPPED:#018x}: write to a page that is not mapped, kernel mode"
            in debug), debug
