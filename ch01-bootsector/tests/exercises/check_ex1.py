"""Exercise 1: boot.asm without its cli. The timer wakes the hlt, the jmp puts
the CPU back: it stays in the sector, but with interrupts on (IF set)."""
from bootcamp import Spec
from bootcamp.exercise import expect

BIOS_LOAD_ADDRESS, SECTOR_BYTES = 0x7C00, 512


def test_boot_halts_with_interrupts_on(chapter, boot):
    machine = boot(Spec(chapter.image("boot.floppy.img")))
    regs = machine.wait_halted(timeout=30)
    expect(regs.interrupts_enabled, 1, "the CPU halted with IF set (no cli before the hlt)",
           regs.raw)
    expect(BIOS_LOAD_ADDRESS <= regs.linear_ip < BIOS_LOAD_ADDRESS + SECTOR_BYTES, 1,
           "the CPU still inside the sector: woken, then sent back by the jmp", regs.raw)
