"""ch02: Hello, world through int 0x10, in NASM and GNU as, in QEMU and Bochs."""

import re
import shutil
from pathlib import Path

import pytest

from bootcamp import Spec

GREETING = "Hello, world!"
# hex.asm prints these values with print_hex, in this order.
HEX_VALUES = (0x0000, 0x0009, 0x000A, 0x000F, 0x0010, 0x1234, 0x7C00, 0xBEEF, 0xFFFF)


@pytest.mark.parametrize("program", ["hello", "hello_gas"])
def test_greeting_on_screen_and_debug_port(chapter, boot, emulator, program):
    machine = boot(Spec(chapter.image(f"{program}.floppy.img")), emulator)
    machine.wait_for(GREETING + "\r\n", source="debug", timeout=20)
    regs = machine.wait_halted(timeout=10)
    assert not regs.interrupts_enabled, regs.raw
    screen = machine.screen()
    assert GREETING in screen, screen.framed()
    # Teletype output keeps the attribute of the cell it writes: the BIOS's
    # default light grey on black.
    assert screen.colour_of(GREETING) == ("light grey", "black")
    row, column = screen.find(GREETING)
    assert column == 0, f"the greeting starts at column {column}, not at the left edge"


def test_nasm_and_gas_print_the_same(chapter, boot):
    outputs = []
    for program in ("hello", "hello_gas"):
        machine = boot(Spec(chapter.image(f"{program}.floppy.img")))
        machine.wait_halted(timeout=20)
        outputs.append(machine.debug_output())
    assert outputs[0] == outputs[1] == GREETING + "\r\n", outputs


def build_a_copy(chapter, name: str, source: str, logdir: Path) -> Path:
    """Build NAME.asm, a changed copy of one of the chapter's programs, with the
    chapter's own rules (in build/NAME/, found through VPATH); a copy of its
    floppy image in `logdir`, the test's own. Tests on other workers (the same
    test in another emulator) build the same copy: they take turns, and none
    boots an image another is writing."""
    folder = chapter.build / name
    with chapter.taking_turns(f"copy-{name}"):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.asm").write_text(source)
        built = chapter.make(f"VPATH={folder}", f"build/{name}.floppy.img")
        assert built.returncode == 0, built.stdout
        image = logdir / f"{name}.floppy.img"
        shutil.copyfile(chapter.image(f"{name}.floppy.img"), image)
    return image


def registers_kept(chapter, regs) -> list[str]:
    """The registers hex.asm set before its calls of print_hex (KEEP_BX equ ...)
    that hold something else when the CPU halts."""
    kept = re.findall(r"^KEEP_([A-Z]{2})\s+equ\s+(0x[0-9A-F]+)",
                      (chapter.root / "hex.asm").read_text(), re.M)
    assert kept, "hex.asm sets no KEEP_ registers"
    return [f"{name} is {regs.general[name.lower()] & 0xFFFF:#06x}, was {value}"
            for name, value in kept if regs.general[name.lower()] & 0xFFFF != int(value, 16)]


def test_print_hex(chapter, boot, emulator):
    expected = " ".join(f"0x{value:04X}" for value in HEX_VALUES)
    machine = boot(Spec(chapter.image("hex.floppy.img")), emulator)
    regs = machine.wait_halted(timeout=20)
    assert machine.debug_output().strip() == expected
    assert expected in machine.screen()
    changed = registers_kept(chapter, regs)
    assert not changed, "print_hex clobbers nothing, yet " + ", ".join(changed)


def test_stack_and_segments_are_set_up(chapter, boot):
    machine = boot(Spec(chapter.image("hello.floppy.img")))
    regs = machine.wait_halted(timeout=20)
    assert regs.cs_selector == 0 and regs.cs_base == 0, regs.raw
    for segment in ("DS", "ES", "SS"):
        assert f"{segment} =0000 00000000" in regs.raw, regs.raw
    assert "ESP=00007c00" in regs.raw, regs.raw


def test_a_print_hex_that_changes_ax_is_named(chapter, boot, logdir):
    """hex.asm's own check, made to fire: a copy of it calls print_hex through a
    wrapper that adds 1 to AX on the way back, as a print_hex that forgot to
    restore AX would leave it."""
    source = (chapter.root / "hex.asm").read_text()
    assert "    call print_hex\n" in source, "hex.asm no longer calls print_hex on a line"
    image = build_a_copy(chapter, "hex_clobber", source.replace(
        "    call print_hex\n", "    call print_hex_then_inc_ax\n")
        + "print_hex_then_inc_ax:\n    call print_hex\n    inc ax\n    ret\n", logdir)
    machine = boot(Spec(image))
    machine.wait_halted(timeout=20)
    assert machine.debug_output().strip() == f"0x{HEX_VALUES[0]:04X}print_hex changed AX"
