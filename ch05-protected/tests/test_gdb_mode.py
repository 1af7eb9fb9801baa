"""make debug's gdb script names the mode the CPU really runs, from the CS
descriptor's D and L bits, not from CR0.PE: right after `mov cr0` sets PE the
CPU still runs 16-bit code until the far jump reloads CS."""

import re

from bootcamp import Spec, paths
from bootcamp.gdbstub import elf_symbols, gdb_batch
from bootcamp.run import free_port

GDB_SCRIPT = "long_mode.gdb"
# mov cr0, r32: 0F 22 and a ModRM byte with mod = 11, reg = 0 (CR0).
MOV_TO_CR0 = re.compile(rb"\x0f\x22[\xc0-\xc7]")
MOV_TO_CR0_BYTES = 3


def test_after_mov_cr0_the_code_is_still_16_bit_until_the_far_jump(chapter, boot, logdir):
    address = elf_symbols(chapter.image("payload.elf"))
    payload = chapter.image("payload.bin").read_bytes()
    load = address["start"]                 # stage 2's first byte is the payload's first
    found = MOV_TO_CR0.search(payload, 0, address["protected_mode_start"] - load)
    assert found, "no `mov cr0, r32` in stage 2 before protected_mode_start"
    after_mov_cr0 = load + found.start() + MOV_TO_CR0_BYTES

    port = free_port()
    image = chapter.image("payload.floppy.img")
    boot(Spec(image), "qemu", gdb_port=port, paused=True)
    # The breakpoint first: the chapter's script ends with `continue`, which
    # then stops there (its own breakpoints need symbols this gdb has not loaded).
    script = logdir / "mode.gdb"
    script.write_text(f"break *{after_mov_cr0:#x}\n"
                      f"source {paths.gdb_script(GDB_SCRIPT)}\n"
                      "stepi\n")
    out = gdb_batch(port, script=script)
    (logdir / "gdb.txt").write_text(out)
    stops = re.split(r"(?m)^(?=16-bit|32-bit|64-bit)", out)
    at_cr0 = next((s for s in stops if f"{after_mov_cr0:08X}" in s.upper()), None)
    assert at_cr0, f"gdb never showed the instruction after mov cr0 ({after_mov_cr0:#x}):\n{out}"
    assert at_cr0.startswith("16-bit code, protected mode"), at_cr0
    # ndisasm -b 16 reads the far jump as 16-bit: a jmp to selector:offset.
    assert re.search(rf"(?mi)^{after_mov_cr0:08X}\s+\S+\s+jmp\s+(word\s+)?0x[0-9a-f]+:0x[0-9a-f]+$",
                     at_cr0), at_cr0
    # One instruction later the far jump has loaded a 32-bit CS.
    assert stops[-1].startswith("32-bit protected mode"), stops[-1]
