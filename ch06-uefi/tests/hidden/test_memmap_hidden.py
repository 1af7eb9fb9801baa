"""ch06, the grader's own: `memmap` on machines with other amounts of memory.

The handout's test runs on 128 MiB; the map's regions and sums change with the
memory the firmware is given. The checks are the handout's own (check_memmap).
"""

import sys
from pathlib import Path

import pytest

from bootcamp import Spec

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))     # the chapter's tests/
from test_uefi import BOOT_TIMEOUT, check_memmap, esp, output_of, shown  # noqa: E402

HIDDEN_MEMORY_MB = (256,)


@pytest.mark.parametrize("memory_mb", HIDDEN_MEMORY_MB)
def test_memmap_on_other_memory_sizes(chapter, boot, logdir, memory_mb):
    machine = boot(Spec(esp(chapter, logdir, "memmap\nshutdown\n"), media="efi",
                        memory_mb=memory_mb), limit=BOOT_TIMEOUT["qemu"] + 60)
    end = machine.wait_exit(timeout=BOOT_TIMEOUT["qemu"] + 40)
    assert end.kind == "shutdown", end
    check_memmap(output_of(shown(machine), "memmap"), memory_mb)
