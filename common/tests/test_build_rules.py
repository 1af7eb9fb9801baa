"""The shared make rules: the boot sector budget holds, and says by how much."""

import re
import subprocess
from pathlib import Path

from bootcamp.pty_session import outside_make

COMMON = Path(__file__).resolve().parents[1]


def link_common(folder: Path) -> str:
    """A Makefile in `folder` includes the rules as a chapter does, through a
    relative path: common/ is linked in, since the checkout's own path may
    have a space in it, and make splits words at spaces."""
    (folder / "common").symlink_to(COMMON)
    return "common/mk"


def build(tmp_path: Path, source: str, budget: int | None = None):
    (tmp_path / "sector.asm").write_text(source)
    mk = link_common(tmp_path)
    (tmp_path / "Makefile").write_text(f"IMAGES := build/sector.floppy.img\ninclude {mk}/bios.mk\n")
    args = ["make", "-C", str(tmp_path), "build/sector.bin"]
    if budget is not None:
        args.append(f"BOOT_BUDGET={budget}")
    return subprocess.run(args, env=outside_make(), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=60)


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


PAYLOAD = """bits 16
global start
section .text
start:
    times {n} nop
"""


def test_loader_rules_need_four_lines(tmp_path):
    # What a chapter that reuses stage 1 writes (ch05): a payload and five lines,
    # one of them the chapters it builds on (stage 1 is ch03's, print16.inc ch02's).
    (tmp_path / "stage2.asm").write_text(PAYLOAD.format(n=3 * 512 + 1))
    (tmp_path / "Makefile").write_text(
        "BUILDS_ON := ch02-hello ch03-disk-load\n"
        "PAYLOAD := stage2\nLOAD_ADDRESS := 0x7E00\n"
        "IMAGES := build/stage2.floppy.img build/stage2.hd.img\n"
        f"include {link_common(tmp_path)}/loader.mk\n")
    result = subprocess.run(["make", "-C", str(tmp_path)], env=outside_make(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout
    assert "stage2.bin: 2048 bytes = 4 sectors for stage 1 to load" in result.stdout
    assert "-DPAYLOAD_SECTORS=4 " in result.stdout, result.stdout
    # Stage 1 leaves the disk signature (bytes 440-445) and the partition table alone.
    assert re.search(r"^stage1: \d+ of 440 bytes used", result.stdout, re.M), result.stdout
    build = tmp_path / "build"
    payload = (build / "stage2.bin").read_bytes()
    assert len(payload) == 4 * 512, "the payload is not padded to whole sectors"
    for image in ("stage2.floppy.img", "stage2.hd.img"):
        data = (build / image).read_bytes()
        assert data[:440] == (build / "stage1.bin").read_bytes()[:440]
        assert data[510:512] == b"\x55\xaa"
        assert data[512:512 + len(payload)] == payload
    assert (build / "stage2.hd.img").read_bytes()[446 + 8:446 + 12] == (2048).to_bytes(4, "little")


def test_a_flag_changed_on_the_command_line_rebuilds_what_it_shapes(tmp_path):
    assert build(tmp_path, SECTOR.format(n=1)).returncode == 0
    obj = tmp_path / "build" / "sector.o"
    before = obj.stat().st_mtime_ns

    def make(*variables: str) -> subprocess.CompletedProcess:
        return subprocess.run(["make", "-C", str(tmp_path), *variables], env=outside_make(),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=60)

    changed = make("NASMFLAGS=-DEXTRA=1")
    assert changed.returncode == 0, changed.stdout
    assert "flags or variables changed" in changed.stdout, changed.stdout
    assert "-DEXTRA=1" in changed.stdout and obj.stat().st_mtime_ns != before
    # The same flags again: nothing to do. Back to none: rebuilt again.
    again = make("NASMFLAGS=-DEXTRA=1")
    assert "nasm" not in again.stdout, again.stdout
    back = make()
    assert "flags or variables changed" in back.stdout and "nasm" in back.stdout, back.stdout


def test_a_payload_of_several_objects_and_a_variant_with_flags_of_its_own(tmp_path):
    # ch05's shape: the payload's entry first (stage 2 there), then more objects
    # (its kernel), and a test variant whose entry is assembled with more flags.
    # Each file puts one byte first, so the payload's bytes show the link order
    # (align=1: NASM would otherwise align each file's .text to 16 bytes).
    first, then, variant = 0x11, 0x22, 0x42
    (tmp_path / "entry.asm").write_text(
        f"bits 16\n%ifndef MARK\n%define MARK {first:#x}\n%endif\n"
        "global start\nsection .text align=1\nstart:\n    db MARK\n")
    (tmp_path / "more.asm").write_text(f"bits 16\nsection .text align=1\n    db {then:#x}\n")
    (tmp_path / "Makefile").write_text(
        "BUILDS_ON := ch02-hello ch03-disk-load\n"
        "PAYLOAD_ENTRY := entry.asm\nPAYLOAD_OBJECTS := build/more.o\n"
        f"PAYLOAD_VARIANTS := probe\nPAYLOAD_FLAGS_probe := -DMARK={variant:#x}\n"
        "IMAGES := build/payload.floppy.img build/probe.floppy.img\n"
        f"include {link_common(tmp_path)}/loader.mk\n")
    build = tmp_path / "build"

    def make(*variables: str) -> subprocess.CompletedProcess:
        result = subprocess.run(["make", "-C", str(tmp_path), *variables], env=outside_make(),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                timeout=120)
        assert result.returncode == 0, result.stdout
        return result

    make()
    assert (build / "payload.bin").read_bytes()[:2] == bytes([first, then])
    assert (build / "probe.bin").read_bytes()[:2] == bytes([variant, then])
    for name, payload in (("payload", "payload.bin"), ("probe", "probe.bin")):
        image = (build / f"{name}.floppy.img").read_bytes()
        assert image[512:514] == (build / payload).read_bytes()[:2], name
    # The variant's flags are recorded like any other: a change rebuilds it.
    changed = make("PAYLOAD_FLAGS_probe=-DMARK=0x43")
    assert "flags or variables changed" in changed.stdout, changed.stdout
    assert (build / "probe.bin").read_bytes()[:2] == bytes([0x43, then])
    assert (build / "probe.floppy.img").read_bytes()[512] == 0x43


def test_make_n_fuzz_says_what_it_would_do_and_does_none_of_it(tmp_path):
    """make -n runs a recipe line that calls $(MAKE); fuzz-NAME's does, and it
    fuzzed for FUZZ_SECONDS and wrote results under make -n, or failed where
    build/fuzz did not exist yet. Under -n it now only prints."""
    mk = link_common(tmp_path)
    (tmp_path / "parse.c").write_text("int parse(const char *s) { return s[0]; }\n")
    (tmp_path / "tests" / "fuzz").mkdir(parents=True)
    (tmp_path / "tests" / "fuzz" / "targets.mk").write_text(
        "FUZZ_TARGETS += parse\nparse_SOURCES := parse.c\nparse_ARCHES := 64 32\n")
    (tmp_path / "tests" / "fuzz" / "fuzz_parse.c").write_text(
        "#include <stddef.h>\n#include <stdint.h>\n"
        "int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n")
    (tmp_path / "Makefile").write_text(f"IMAGES := build/x.floppy.img\ninclude {mk}/bios.mk\n")
    result = subprocess.run(["make", "-C", str(tmp_path), "-n", "fuzz"], env=outside_make(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    assert result.returncode == 0, result.stdout
    for build in ("64", "32", "msan"):
        assert re.search(rf"fuzz_run\.sh run build/fuzz parse {build} \d+ \.\.\.$",
                         result.stdout, re.M), result.stdout
    assert "-o build/fuzz/parse-replay-32" in result.stdout, result.stdout
    assert not (tmp_path / "build").exists(), sorted(p.name for p in (tmp_path / "build").rglob("*"))
