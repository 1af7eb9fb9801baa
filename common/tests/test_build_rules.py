"""The shared make rules: the boot sector budget holds, and says by how much."""

import subprocess
from pathlib import Path

MK = Path(__file__).resolve().parents[1] / "mk"


def build(tmp_path: Path, source: str, budget: int | None = None):
    (tmp_path / "sector.asm").write_text(source)
    (tmp_path / "Makefile").write_text(f"IMAGES := build/sector.floppy.img\ninclude {MK}/bios.mk\n")
    args = ["make", "-C", str(tmp_path), "build/sector.bin"]
    if budget is not None:
        args.append(f"BOOT_BUDGET={budget}")
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=60)


SECTOR = "bits 16\nglobal start\nsection .text\nstart:\n    times {n} nop\n"


def test_a_sector_that_fits_is_signed_and_its_use_printed(tmp_path):
    result = build(tmp_path, SECTOR.format(n=446))
    assert result.returncode == 0, result.stdout
    assert "sector: 446 of 510 bytes used, 64 free" in result.stdout
    data = (tmp_path / "build" / "sector.bin").read_bytes()
    assert len(data) == 512 and data[510:] == b"\x55\xaa"


def test_the_partition_table_budget_is_446_bytes(tmp_path):
    result = build(tmp_path, SECTOR.format(n=447), budget=446)
    assert result.returncode != 0
    assert "sector: boot sector code is 447 bytes, 1 over its 446-byte budget" in result.stdout


def test_listing_elf_twin_and_disassembly_are_kept(tmp_path):
    assert build(tmp_path, SECTOR.format(n=1)).returncode == 0
    for name in ("sector.elf", "sector.lst", "sector.dis", "sector.o"):
        assert (tmp_path / "build" / name).exists(), name
