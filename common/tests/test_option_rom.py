"""bootcamp.option_rom: the UEFI driver out of a PCI expansion ROM, by its headers.

Debian's own ROM is the real case; hand-made ROMs check that each broken header
is refused with a sentence that says what is wrong, never a traceback.
"""

import struct
import subprocess
import sys
from pathlib import Path

import pytest

from bootcamp import option_rom
from bootcamp.option_rom import RomError, efi_driver, rom_images

E1000_ROM = Path("/usr/lib/ipxe/qemu/efi-e1000.rom")       # package ipxe-qemu
HARNESS = Path(__file__).resolve().parents[1] / "test"
PCIR_AT = 0x1C                         # where our hand-made images put their PCIR
EFI_HEADER_BYTES = 0x38                # our hand-made UEFI header, then the PE image


def image(code_type: int, units: int, last: bool, body: bytes = b"") -> bytes:
    """One ROM image of `units` x 512 bytes: a 55 AA header and a PCIR for 8086:100E."""
    data = bytearray(units * option_rom.ROM_UNIT_BYTES)
    data[0:2] = option_rom.ROM_SIGNATURE
    struct.pack_into("<H", data, option_rom.ROM_PCIR_OFFSET_AT, PCIR_AT)
    data[PCIR_AT:PCIR_AT + 4] = option_rom.PCIR_SIGNATURE
    struct.pack_into("<HH", data, PCIR_AT + option_rom.PCIR_IDS_AT, 0x8086, 0x100E)
    struct.pack_into("<H", data, PCIR_AT + option_rom.PCIR_LENGTH_AT, units)
    data[PCIR_AT + option_rom.PCIR_CODE_TYPE_AT] = code_type
    data[PCIR_AT + option_rom.PCIR_INDICATOR_AT] = option_rom.PCIR_LAST_IMAGE if last else 0
    data[EFI_HEADER_BYTES:EFI_HEADER_BYTES + len(body)] = body
    return bytes(data)


def efi_image(units: int = 2, *, machine: int = option_rom.EFI_MACHINE_X64,
              subsystem: int = option_rom.EFI_SUBSYSTEM_BOOT_SERVICE_DRIVER,
              compression: int = option_rom.EFI_UNCOMPRESSED, pe: bytes = b"MZ driver") -> bytes:
    data = bytearray(image(option_rom.CODE_TYPE_EFI, units, True, pe))
    struct.pack_into("<H", data, option_rom.EFI_INIT_SIZE_AT, units)
    struct.pack_into("<H", data, option_rom.EFI_SIGNATURE_AT, option_rom.EFI_SIGNATURE)
    struct.pack_into("<H", data, option_rom.EFI_SUBSYSTEM_AT, subsystem)
    struct.pack_into("<H", data, option_rom.EFI_MACHINE_AT, machine)
    struct.pack_into("<H", data, option_rom.EFI_COMPRESSION_AT, compression)
    struct.pack_into("<H", data, option_rom.EFI_IMAGE_OFFSET_AT, EFI_HEADER_BYTES)
    return bytes(data)


def test_debian_e1000_rom_holds_a_bios_image_then_an_x64_uefi_driver():
    rom = E1000_ROM.read_bytes()
    images = rom_images(rom)
    assert [(i.code_type, i.last) for i in images] == [(0, False), (3, True)]
    assert (images[0].vendor, images[0].device) == (0x8086, 0x100E)
    driver = efi_driver(rom)
    assert driver[:2] == b"MZ"
    pe = struct.unpack_from("<I", driver, 0x3C)[0]        # e_lfanew: where "PE\0\0" is
    assert driver[pe:pe + 4] == b"PE\0\0"
    assert struct.unpack_from("<H", driver, pe + 4)[0] == option_rom.EFI_MACHINE_X64


def test_the_driver_is_found_by_the_chain_not_by_an_offset():
    bios = image(0, 3, False)
    rom = bios + efi_image()
    assert efi_driver(rom).startswith(b"MZ driver")
    assert efi_driver(image(0, 1, False) + efi_image()).startswith(b"MZ driver")


@pytest.mark.parametrize("rom,message", [
    (b"\x7fELF" + bytes(60), "no 55 AA signature at offset 0x0"),
    (image(0, 1, True), "no UEFI image (it has: x86 BIOS)"),
    (image(0, 1, False), "not marked last but no image follows"),
    (image(0, 1, False) + b"\0\0" + bytes(510), "no 55 AA signature at offset 0x200"),
    (efi_image(machine=0x14C), "not x64"),
    (efi_image(subsystem=10), "not a boot-service driver"),
    (efi_image(compression=1), "compressed"),
    (efi_image(pe=b"XX"), "no PE image (MZ)"),
], ids=["not-a-rom", "bios-only", "chain-ends-early", "second-signature", "ia32",
        "application", "compressed", "no-mz"])
def test_broken_roms_are_refused_with_a_reason(rom, message):
    with pytest.raises(RomError, match=message.replace("(", r"\(").replace(")", r"\)")):
        efi_driver(rom)


def test_command_line_writes_the_driver_or_says_why_not(tmp_path):
    env = {"PYTHONPATH": str(HARNESS)}
    out = tmp_path / "e1000.efi"
    ok = subprocess.run([sys.executable, "-m", "bootcamp.option_rom", str(E1000_ROM), str(out)],
                        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert ok.returncode == 0, ok.stdout
    assert out.read_bytes() == efi_driver(E1000_ROM.read_bytes())
    assert "8086:100e" in ok.stdout
    bad = tmp_path / "bad.rom"
    bad.write_bytes(image(0, 1, True))
    failed = subprocess.run([sys.executable, "-m", "bootcamp.option_rom", str(bad),
                             str(tmp_path / "x.efi")], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    assert failed.returncode == 1
    assert "bad.rom: the ROM has no UEFI image" in failed.stdout
    assert "Traceback" not in failed.stdout
