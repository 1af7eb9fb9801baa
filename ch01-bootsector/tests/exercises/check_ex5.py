"""Exercise 5: the same behaviour in 3 bytes of code: halted inside the sector
with interrupts off, for good."""
from bootcamp import Spec
from bootcamp.exercise import bytes_used, expect, not_done
from bootcamp.machine import BootError

HALT_WAIT_S = 10                    # a BIOS boot reaches its hlt in about a second


def test_three_bytes_that_halt_for_good(chapter, boot):
    out = chapter.make("-B", "build/boot.bin", "build/boot.floppy.img")
    used = bytes_used(out.stdout, "boot")
    expect(used is not None and used <= 3, 5, "`boot: 3 of 510 bytes used`", out.stdout)
    machine = boot(Spec(chapter.image("boot.floppy.img")))
    try:
        regs = machine.wait_halted(timeout=HALT_WAIT_S)
    except BootError as error:          # e.g. `cli; jmp $`: it stays, but spins
        not_done(5, "the CPU to halt (a `hlt`), not to spin in a loop", str(error))
    expect(not regs.interrupts_enabled, 5, "IF clear at the hlt", regs.raw)
    again = machine.wait_halted(timeout=5)
    expect(again.linear_ip == regs.linear_ip, 5, "the CPU to stay where it halted", again.raw)
