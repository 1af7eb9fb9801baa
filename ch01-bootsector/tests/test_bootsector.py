"""ch01: the smallest boot sector, in QEMU and Bochs."""

import re
import shutil

from bootcamp import Spec

SECTOR_BYTES = 512
SIGNATURE = b"\x55\xaa"
SIGNATURE_OFFSET = 510
BIOS_LOAD_ADDRESS = 0x7C00


def test_sectors_are_512_bytes_and_signed(chapter):
    for name in ("boot.bin", "hlt_only.bin"):
        data = chapter.image(name).read_bytes()
        assert len(data) == SECTOR_BYTES, f"{name} is {len(data)} bytes, not {SECTOR_BYTES}"
        assert data[SIGNATURE_OFFSET:] == SIGNATURE, \
            f"{name} ends in {data[SIGNATURE_OFFSET:].hex(' ')}, not 55 aa"


def test_floppy_images_are_the_size_bochs_needs(chapter):
    for image in chapter.images():
        assert image.stat().st_size == 1_474_560, f"{image} is not a 1.44 MB floppy image"


def test_boot_halts_with_interrupts_off(chapter, boot, emulator):
    machine = boot(Spec(chapter.image("boot.floppy.img")), emulator)
    regs = machine.wait_halted(timeout=20)
    assert not regs.interrupts_enabled, f"IF is set: a timer interrupt will wake the CPU\n{regs.raw}"
    assert BIOS_LOAD_ADDRESS <= regs.linear_ip < BIOS_LOAD_ADDRESS + SECTOR_BYTES, \
        f"halted at {regs.linear_ip:#x}, outside the boot sector\n{regs.raw}"
    # Still there after a second look: nothing woke it.
    again = machine.wait_halted(timeout=5)
    assert again.linear_ip == regs.linear_ip


def test_boot_halts_again_after_an_nmi(chapter, boot, logdir):
    # cli does not stop a non-maskable interrupt: the NMI wakes the HLT, the
    # BIOS's handler returns to the instruction after it, and only a loop back
    # to the HLT keeps the CPU in the sector. QEMU injects the NMI (Bochs's
    # debugger cannot). QEMU logs no NMI in real mode, but it logs each block
    # of code the first time it runs (-d in_asm): the code after the HLT,
    # never run while the CPU slept, shows that the NMI woke it.
    # A copy: QEMU locks the image it boots, and the test above boots boot.floppy.img too.
    image = logdir / "boot.floppy.img"
    shutil.copyfile(chapter.image("boot.floppy.img"), image)
    machine = boot(Spec(image), "qemu", log_items="in_asm")
    regs = machine.wait_halted(timeout=20)
    assert BIOS_LOAD_ADDRESS <= regs.linear_ip < BIOS_LOAD_ADDRESS + SECTOR_BYTES, regs.raw
    after_hlt = re.compile(rf"^IN:.*\n0x{regs.linear_ip:08x}:", re.M)
    assert not after_hlt.search(machine.qemu_log.read_text(errors="replace")), \
        "the code after the HLT ran before the NMI: something else woke the CPU"
    machine.qmp("inject-nmi")
    machine.wait_until(lambda: after_hlt.search(machine.qemu_log.read_text(errors="replace")),
                       "the NMI to wake the CPU (the code after its HLT to run)", timeout=10)

    def halted_in_sector() -> bool:
        again = machine.registers()
        return again.halted and BIOS_LOAD_ADDRESS <= again.linear_ip < BIOS_LOAD_ADDRESS + \
            SECTOR_BYTES
    machine.wait_until(halted_in_sector, "the CPU to halt in the boot sector again after the NMI",
                       timeout=10, seen=lambda: machine.registers().raw)


def test_bare_hlt_is_woken_and_runs_into_the_padding(chapter, boot):
    # hlt_only is a single HLT with interrupts left on by the BIOS: the next
    # timer interrupt wakes it, and the CPU runs on into the zero padding
    # (00 00 is `add [bx+si], al`). QEMU logs each block of code the first
    # time it runs (-d in_asm): a block at the byte after the HLT is the
    # padding running.
    machine = boot(Spec(chapter.image("hlt_only.floppy.img")), "qemu", log_items="in_asm")
    padding = re.compile(rf"^IN:.*\n0x{BIOS_LOAD_ADDRESS + 1:08x}:", re.M)
    machine.wait_until(lambda: padding.search(machine.qemu_log.read_text(errors="replace")),
                       "the CPU to leave the HLT at 0x7C00 and run the padding after it",
                       timeout=10, seen=lambda: machine.registers().raw)


def test_sector_without_signature_is_refused(chapter, boot, emulator, logdir):
    unsigned = logdir / "unsigned.floppy.img"
    data = bytearray(chapter.image("boot.floppy.img").read_bytes())
    data[SIGNATURE_OFFSET:SIGNATURE_OFFSET + 2] = b"\0\0"
    unsigned.write_bytes(data)
    machine = boot(Spec(unsigned), emulator)
    if emulator == "qemu":
        # SeaBIOS: "Boot failed: not a bootable disk", then "No bootable device."
        machine.wait_for("not a bootable disk", source="screen", timeout=20)
    else:
        # Bochs's BIOS prints the same words and then stops Bochs itself, so
        # the screen is gone: its last message is what the test can see.
        ended = machine.wait_exit(timeout=20)
        assert "No bootable device" in ended.detail, f"Bochs ended with: {ended}"
    assert not machine.running or not (
        BIOS_LOAD_ADDRESS <= machine.registers().linear_ip < BIOS_LOAD_ADDRESS + SECTOR_BYTES)


def test_oversized_sector_fails_the_build_saying_by_how_much(chapter):
    result = chapter.make("build/oversize.bin")
    assert result.returncode != 0, "a 600-byte boot sector built without complaint"
    assert "oversize: boot sector code is 600 bytes, 90 over its 510-byte budget" in result.stdout, \
        result.stdout
