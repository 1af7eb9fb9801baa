"""Take the UEFI driver out of a PCI expansion ROM (an "option ROM").

    python3 -m bootcamp.option_rom ROM OUT.efi

A PCI expansion ROM is a chain of images, each for one kind of firmware
(PCI Firmware Specification 3.0, section 5.1; UEFI spec 2.10, section 14.4.2):

    offset 0x00  0x55 0xAA                    every image starts so
    offset 0x18  16-bit offset of its PCIR    the PCI data structure
    PCIR + 0x00  "PCIR"
    PCIR + 0x04  vendor ID, device ID         which device the ROM is for
    PCIR + 0x10  image length, in 512-byte units
    PCIR + 0x14  code type                    0: x86 BIOS, 3: UEFI
    PCIR + 0x15  indicator                    bit 7: the last image

A UEFI image (code type 3) has more in its own header:

    offset 0x02  initialization size, in 512-byte units (the EFI part's length)
    offset 0x04  0x0EF1                       EFI signature
    offset 0x08  subsystem                    11: boot-service driver
    offset 0x0A  machine type                 0x8664: x64
    offset 0x0C  compression type             0: none, 1: EFI compression
    offset 0x16  offset of the PE32+ image    which starts with "MZ"

Debian's ipxe-qemu ROMs (/usr/lib/ipxe/qemu/efi-*.rom) hold a BIOS image
and then an uncompressed x64 UEFI driver: chapter 7 puts that driver on its
ESP and loads it itself (ch07-net/nic_driver.c), for the NICs that OVMF has
no driver for (Bochs's e1000). Nothing here trusts a fixed offset: every
position comes from the headers, and every header is checked.
"""

from __future__ import annotations

import dataclasses
import struct
import sys
from pathlib import Path

ROM_SIGNATURE = b"\x55\xaa"
ROM_PCIR_OFFSET_AT = 0x18
PCIR_SIGNATURE = b"PCIR"
PCIR_IDS_AT = 0x04
PCIR_LENGTH_AT = 0x10
PCIR_CODE_TYPE_AT = 0x14
PCIR_INDICATOR_AT = 0x15
PCIR_LAST_IMAGE = 0x80
ROM_UNIT_BYTES = 512
CODE_TYPE_NAMES = {0: "x86 BIOS", 1: "Open Firmware", 2: "PA-RISC", 3: "UEFI"}
CODE_TYPE_EFI = 3

EFI_INIT_SIZE_AT = 0x02
EFI_SIGNATURE_AT = 0x04
EFI_SIGNATURE = 0x0EF1
EFI_SUBSYSTEM_AT = 0x08
EFI_MACHINE_AT = 0x0A
EFI_COMPRESSION_AT = 0x0C
EFI_IMAGE_OFFSET_AT = 0x16
EFI_SUBSYSTEM_BOOT_SERVICE_DRIVER = 11
EFI_MACHINE_X64 = 0x8664
EFI_UNCOMPRESSED = 0
PE_DOS_SIGNATURE = b"MZ"


class RomError(ValueError):
    """The file is not the ROM we expected; the message says what and where."""


@dataclasses.dataclass
class RomImage:
    offset: int           # where the image starts in the ROM file
    length: int           # bytes, from its PCIR
    vendor: int
    device: int
    code_type: int
    last: bool

    @property
    def kind(self) -> str:
        return CODE_TYPE_NAMES.get(self.code_type, f"code type {self.code_type}")


def u16(data: bytes, at: int, what: str) -> int:
    if at + 2 > len(data):
        raise RomError(f"the ROM ends before {what} (offset {at:#x}, {len(data)} bytes)")
    return struct.unpack_from("<H", data, at)[0]


def rom_images(rom: bytes) -> list[RomImage]:
    """Every image in the ROM's chain, in order."""
    images: list[RomImage] = []
    offset = 0
    while True:
        if rom[offset:offset + 2] != ROM_SIGNATURE:
            raise RomError(f"no 55 AA signature at offset {offset:#x}: not a PCI expansion ROM"
                           + (f" (image {len(images) + 1})" if images else ""))
        pcir = offset + u16(rom, offset + ROM_PCIR_OFFSET_AT, "the PCIR offset")
        if rom[pcir:pcir + 4] != PCIR_SIGNATURE:
            raise RomError(f"no PCIR structure at offset {pcir:#x} (image at {offset:#x})")
        vendor, device = struct.unpack_from("<HH", rom, pcir + PCIR_IDS_AT)
        length = u16(rom, pcir + PCIR_LENGTH_AT, "the image length") * ROM_UNIT_BYTES
        if pcir + PCIR_INDICATOR_AT >= len(rom):
            raise RomError(f"the ROM ends inside the PCIR at {pcir:#x}")
        image = RomImage(offset, length, vendor, device, rom[pcir + PCIR_CODE_TYPE_AT],
                         bool(rom[pcir + PCIR_INDICATOR_AT] & PCIR_LAST_IMAGE))
        images.append(image)
        if image.last:
            return images
        if length == 0 or offset + length >= len(rom):
            raise RomError(f"image at {offset:#x} is not marked last but no image follows it")
        offset += length


def efi_driver(rom: bytes) -> bytes:
    """The PE32+ file of the ROM's x64 UEFI driver."""
    images = rom_images(rom)
    efi = [image for image in images if image.code_type == CODE_TYPE_EFI]
    if not efi:
        kinds = ", ".join(image.kind for image in images)
        raise RomError(f"the ROM has no UEFI image (it has: {kinds})")
    start = efi[0].offset
    if u16(rom, start + EFI_SIGNATURE_AT, "the EFI signature") != EFI_SIGNATURE:
        raise RomError(f"the UEFI image at {start:#x} lacks the 0x0EF1 signature")
    subsystem = u16(rom, start + EFI_SUBSYSTEM_AT, "the subsystem")
    machine = u16(rom, start + EFI_MACHINE_AT, "the machine type")
    compression = u16(rom, start + EFI_COMPRESSION_AT, "the compression type")
    if machine != EFI_MACHINE_X64:
        raise RomError(f"the UEFI image is for machine {machine:#x}, not x64 ({EFI_MACHINE_X64:#x})")
    if subsystem != EFI_SUBSYSTEM_BOOT_SERVICE_DRIVER:
        raise RomError(f"the UEFI image has subsystem {subsystem}, not a boot-service driver "
                       f"({EFI_SUBSYSTEM_BOOT_SERVICE_DRIVER})")
    if compression != EFI_UNCOMPRESSED:
        raise RomError("the UEFI image is compressed (EFI compression); this tool takes "
                       "uncompressed ones only")
    size = u16(rom, start + EFI_INIT_SIZE_AT, "the initialization size") * ROM_UNIT_BYTES
    pe = start + u16(rom, start + EFI_IMAGE_OFFSET_AT, "the PE image offset")
    end = start + size
    if rom[pe:pe + 2] != PE_DOS_SIGNATURE or end > len(rom) or end <= pe:
        raise RomError(f"no PE image (MZ) at {pe:#x} inside the UEFI image at {start:#x}")
    return rom[pe:end]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    rom_path, out = Path(argv[0]), Path(argv[1])
    try:
        rom = rom_path.read_bytes()
        driver = efi_driver(rom)
    except (OSError, RomError) as error:
        print(f"option_rom: {rom_path}: {error}", file=sys.stderr)
        return 1
    first = rom_images(rom)[0]
    out.write_bytes(driver)
    # A ROM for several devices lists them elsewhere and may leave these zero.
    ids = f" (PCI {first.vendor:04x}:{first.device:04x})" if first.vendor else ""
    print(f"{out}: {len(driver)} bytes, the UEFI driver of {rom_path.name}{ids}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
