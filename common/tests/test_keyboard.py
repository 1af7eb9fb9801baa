"""The harness types on the emulated keyboard in both emulators, and says what it cannot do.

QEMU takes keys through its monitor (sendkey); Bochs through its VNC display,
which the harness speaks to as a VNC viewer would (bootcamp/rfb.py). A test
asks for a capability (machine.require("keys")), never for an emulator by name.
"""

import pytest

from bootcamp import Spec
from bootcamp.machine import (BIOS_ROM, Bochs, BootError, HarnessError, Qemu, key_name,
                              parse_qemu_registers)
from bootcamp.rfb import keysyms_of

from test_resets import build_sector

TEXT = "echo Hi, there_!\n"


@pytest.fixture(scope="module")
def echo_image(tmp_path_factory):
    return build_sector(tmp_path_factory.mktemp("keyboard"), "keyboard_echo")


@pytest.mark.parametrize("machine_class", [Qemu, Bochs], ids=["qemu", "bochs"])
def test_typed_text_reaches_the_guest(echo_image, tmp_path, machine_class):
    with machine_class(Spec(echo_image), tmp_path / "log") as machine:
        machine.require("keys")
        machine.wait_for(">", timeout=20)
        machine.type_text(TEXT)
        # The BIOS gives Enter as a carriage return.
        machine.wait_for(">" + TEXT.replace("\n", "\r"), timeout=20)


def test_a_bios_waiting_for_a_key_is_not_taken_for_a_halted_guest(echo_image, tmp_path):
    """SeaBIOS waits for a key in HLT with interrupts on: a test that waits for
    the guest to halt must not stop there and blame the guest for the BIOS's IF."""
    with Qemu(Spec(echo_image), tmp_path / "log") as machine:
        machine.wait_for(">", timeout=20)

        def bios_halted() -> bool:
            regs = machine.registers()
            return regs.halted and regs.linear_ip in BIOS_ROM
        machine.wait_until(bios_halted, "SeaBIOS to halt while it waits for a key", timeout=20,
                           seen=lambda: machine.registers().raw)
        with pytest.raises(BootError, match="the CPU to halt outside the BIOS"):
            machine.wait_halted(timeout=2)


def test_a_missing_capability_skips_with_its_reason(echo_image, tmp_path):
    machine = Bochs(Spec(echo_image), tmp_path / "log")       # not started: no boot needed
    assert machine.can("keys") and not machine.can("screenshot")
    with pytest.raises(pytest.skip.Exception, match="Bochs cannot take a screenshot"):
        machine.require("screenshot")
    with pytest.raises(ValueError, match="unknown capability"):
        machine.can("telepathy")


def test_characters_map_to_keys_and_keysyms():
    assert [key_name(c) for c in "a Z_\n"] == ["a", "spc", "shift-z", "shift-minus", "ret"]
    assert keysyms_of("shift-z") == [0xFFE1, ord("z")]
    assert keysyms_of("ctrl-c") == [0xFFE3, ord("c")]
    assert keysyms_of("ret") == [0xFF0D]
    with pytest.raises(ValueError):
        key_name("\u00e9")


QEMU_REGISTERS = """EAX=00000000 EBX=0000b0b0 ECX=00000000 EDX=00000663
ESI=00007c92 EDI=00000000 EBP=00000000 ESP=00007c00
EIP=00007c05 EFL=00000202 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=1
CS =0000 00000000 0000ffff 00009b00
CR0=00000010 CR2=00000000 CR3=00000000 CR4=00000000
EFER=0000000000000000
"""


def test_registers_are_read_from_what_qemu_prints():
    regs = parse_qemu_registers(QEMU_REGISTERS)
    assert (regs.rip, regs.linear_ip, regs.halted, regs.interrupts_enabled) == \
        (0x7C05, 0x7C05, True, True)
    assert (regs.general["bx"], regs.general["dx"], regs.general["sp"]) == (0xB0B0, 0x663, 0x7C00)


# Bochs's debugger's answers to r, sreg, creg and show "activity_state", cut short.
BOCHS_ANSWERS = ("""r
CPU0:
rax: 00000000_6000aa55
rbx: 00000000_0000b0b0
rcx: 00000000_00090000
rdx: 00000000_00000663
rsp: 00000000_00007c00
rbp: 00000000_00000000
rsi: 00000000_000e0000
rdi: 00000000_0000070c
rip: 00000000_00007c02
eflags 0x00000082: id vip vif ac vm rf nt IOPL=0 of df if tf SF zf af pf cf""", """sreg
cs:0x0000, dh=0x00009300, dl=0x0000ffff, valid=1
	Data segment, base=0x00000000, limit=0x0000ffff, Read/Write, Accessed""", """creg
CR0=0x60000010: pg CD NW ac wp ne ET ts em mp pe
CR4=0x00000000: pks cet pke smap smep keylock osxsave pcid fsgsbase smx vmx la57 umip
EFER=0x00000000: ffxsr nxe lma lme sce""", """show "activity_state"
show param name: <activity_state>
activity_state = 0x00000001""")


def test_registers_are_read_from_what_bochs_answers(echo_image, tmp_path):
    machine = Bochs(Spec(echo_image), tmp_path / "log")       # not started: only parsing
    regs = machine._parse_registers(*BOCHS_ANSWERS)
    assert (regs.linear_ip, regs.halted, regs.interrupts_enabled) == (0x7C02, True, False)
    running = BOCHS_ANSWERS[3].replace("= 0x00000001", "= 0x00000000")
    assert not machine._parse_registers(*BOCHS_ANSWERS[:3], running).halted
    with pytest.raises(HarnessError, match="could not find the processor's activity state"):
        machine._parse_registers(*BOCHS_ANSWERS[:3], "show param name: <activity_state>\n"
                                 "can't find param <activity_state> in global or default CPU tree")


@pytest.mark.parametrize("broken", ["EFL=00000202 ", "CR0=00000010 ", "HLT=1", "CS =0000 ",
                                    "EBX=0000b0b0 "])
def test_a_register_that_cannot_be_read_is_an_error_not_a_zero(broken, tmp_path):
    text = QEMU_REGISTERS.replace(broken, "")
    with pytest.raises(HarnessError, match="could not find") as error:
        parse_qemu_registers(text, tmp_path)
    assert str(tmp_path / "registers.txt") in str(error.value)
    assert (tmp_path / "registers.txt").read_text() == text
