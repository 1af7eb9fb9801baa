"""ch04's Multiboot2 walk (multiboot_walk.c) against hostile boot information, on the host.

The kernel gets its boot information from GRUB, which writes it correctly; a
parser of outside input must still hold when it is wrong. These tests build
the walk the kernel runs into a host program (tests/walk_file.c), with
AddressSanitizer and UndefinedBehaviorSanitizer, as a 64-bit and as a 32-bit
program (the kernel is i386: there a pointer sum near 4 GiB wraps), hand it
boot information made here byte by byte (Multiboot2 spec 3.6), and check what
it prints, that it reads nothing outside, and that it ends.

The same inputs are kept in tests/fuzz/corpus/multiboot_walk/ for the fuzzer
(`PYTHONPATH=../common/test /usr/bin/python3 tests/test_multiboot_walk.py`
writes them there).
"""

import struct
import subprocess
import sys
from pathlib import Path

import pytest

from bootcamp import host
from bootcamp.machine import lab_todo_in_output

CHAPTER = Path(__file__).resolve().parents[1]
CORPUS = CHAPTER / "tests" / "fuzz" / "corpus" / "multiboot_walk"

# Multiboot2 spec 3.6: tag types and the sizes of the structures.
TAG_END, TAG_CMDLINE, TAG_LOADER, TAG_MODULE, TAG_MEMINFO = 0, 1, 2, 3, 4
TAG_MMAP, TAG_FRAMEBUFFER, TAG_ACPI_NEW = 6, 8, 15
MEMORY_AVAILABLE, MEMORY_RESERVED = 1, 2
MMAP_ENTRY_BYTES = 24
ALIGN = 8
HUGE = 0xFFFFFFF8          # a size near 4 GiB: at + size wraps on i386
WRAPS_TO_ZERO = 0xFFFFFFF9  # (size + 7) & ~7 == 0 in 32 bits
RUN_SECONDS = 60           # one walk takes milliseconds; more is a hang


def tag(kind: int, payload: bytes, size: int | None = None, pad: bool = True) -> bytes:
    """A tag: type, size (its header and payload), payload, padding to 8."""
    raw = struct.pack("<II", kind, 8 + len(payload) if size is None else size) + payload
    return raw + bytes(-len(raw) % ALIGN if pad else 0)


def last(*tags: bytes) -> bytes:
    """Boot information that ends with the last tag's last byte: no padding, no
    end tag. A walk that reads one byte too far reads outside, where
    AddressSanitizer sees it, instead of reading the padding or the next tag."""
    return info(*tags, end=False)


def info(*tags: bytes, total: int | None = None, end: bool = True) -> bytes:
    body = b"".join(tags) + (tag(TAG_END, b"") if end else b"")
    return struct.pack("<II", 8 + len(body) if total is None else total, 0) + body


def mmap(entries, entry_size=MMAP_ENTRY_BYTES, size=None) -> bytes:
    """A memory map; each entry padded to entry_size when that is larger (and sane)."""
    padding = entry_size - MMAP_ENTRY_BYTES if MMAP_ENTRY_BYTES <= entry_size <= 4096 else 0
    payload = struct.pack("<II", entry_size, 0) + b"".join(
        struct.pack("<QQII", base, length, kind, 0) + bytes(padding)
        for base, length, kind in entries)
    return tag(TAG_MMAP, payload, size)


def module(start, end, cmdline: bytes) -> bytes:
    return tag(TAG_MODULE, struct.pack("<II", start, end) + cmdline)


def framebuffer(size=None, cut=None) -> bytes:
    payload = struct.pack("<QIIIBBH", 0xB8000, 160, 80, 25, 16, 2, 0)[:cut]
    return tag(TAG_FRAMEBUFFER, payload, size, pad=cut is None)


PC_MAP = [(0, 0x9FC00, MEMORY_AVAILABLE), (0x9FC00, 0x400, MEMORY_RESERVED),
          (0xF0000, 0x10000, MEMORY_RESERVED), (0x100000, 0x1EE0000, MEMORY_AVAILABLE)]
GOOD = info(tag(TAG_CMDLINE, b"console=vga\0"), tag(TAG_LOADER, b"GRUB 2.06\0"),
            module(0x10E000, 0x10E049, b"motd\0"), tag(TAG_MEMINFO, struct.pack("<II", 639, 31616)),
            mmap(PC_MAP), framebuffer(), tag(TAG_ACPI_NEW, bytes(36)))

# name: (boot information, what the walk must print)
CASES = {
    "good": (GOOD, ["command line: console=vga", "boot loader:  GRUB 2.06",
                    'module:       0x10e000-0x10e048, 73 bytes, "motd"',
                    "basic memory: 639 KiB lower, 31616 KiB upper",
                    "  0x0000000000-0x000009fbff      639 KiB available",
                    "usable RAM:   32255 KiB (31 MiB)",
                    "framebuffer:  EGA text 80x25, 16 bits per character, pitch 160, at 0xb8000",
                    "other tags:   15 (not read, skipped)"]),
    # A tag that claims nearly 4 GiB: on i386 `at + size` wraps and passed the check.
    "tag_size_near_4gib": (last(tag(TAG_LOADER, b"GRUBGRUB", size=HUGE)),
                           ["the tag at offset 8 (type 2) says it has 4294967288 bytes, more than "
                            "are left before total_size; stopped there"]),
    # (size + 7) & ~7 == 0: the walk stood still for ever.
    "advance_wraps_to_zero": (info(tag(99, b"", size=WRAPS_TO_ZERO)),
                              ["says it has 4294967289 bytes, more than are left"]),
    "tag_smaller_than_header": (info(tag(99, b"", size=4)),
                                ["says it has 4 bytes, less than its own header"]),
    "mmap_entry_size_near_4gib": (last(mmap(PC_MAP[:1], entry_size=HUGE)),
                                  ["entries of 4294967288 bytes do not fit in the map's 24 bytes"]),
    "mmap_entry_size_zero": (last(mmap(PC_MAP[:1], entry_size=0)),
                             ["entries of 0 bytes are smaller than the 24 of an entry"]),
    "mmap_entry_size_small": (info(mmap(PC_MAP[:1], entry_size=16)),
                              ["entries of 16 bytes are smaller than the 24 of an entry"]),
    "mmap_entry_size_odd": (info(mmap(PC_MAP[:1], entry_size=28)),
                            ["entries of 28 bytes are not a multiple of 8"]),
    "mmap_entry_bad_range": (info(mmap([(0x1000, 0, MEMORY_AVAILABLE),
                                        (0xFFFFFFFFFFFFF000, 0x2000, MEMORY_AVAILABLE)])),
                             ["0x1000, 0 bytes: not a range of memory, skipped",
                              "0xfffffffffffff000, 8192 bytes: not a range of memory, skipped",
                              "usable RAM:   0 KiB (0 MiB)"]),
    "string_without_nul": (last(tag(99, b""), tag(TAG_LOADER, b"GRUBGRUB")),
                           ["boot loader:  GRUBGRUB (no NUL inside the tag: cut at its end)",
                            "other tags:   99"]),
    "module_cmdline_without_nul": (last(module(0x200000, 0x200010, b"motdmotd")),
                                   ['16 bytes, "motdmotd (no NUL inside the tag: cut at its end)"']),
    "module_ends_before_start": (info(module(0x200000, 0x100000, b"m\0")),
                                 ["module:       0x200000-0x100000: ends before it starts"]),
    "meminfo_short": (last(tag(TAG_MEMINFO, struct.pack("<I", 639), pad=False)),
                      ["basic memory: a tag of 12 bytes at offset 8, shorter than its 16-byte "
                       "structure: skipped"]),
    "mmap_short": (last(tag(TAG_MMAP, struct.pack("<I", 24), pad=False)),
                   ["memory map:   a tag of 12 bytes at offset 8, shorter than its 16-byte "
                    "structure: skipped"]),
    "framebuffer_short": (last(framebuffer(cut=12)),
                          ["framebuffer:  a tag of 20 bytes at offset 8, shorter than its 32-byte "
                           "structure: skipped"]),
    "string_tag_short": (last(tag(TAG_CMDLINE, b"")), ["command line:  (no NUL inside the tag: cut at its end)"]),
    "no_end_tag": (info(tag(99, b""), end=False), ["tags: no end tag before total_size (16 bytes)"]),
    "total_size_past_readable": (info(tag(99, b""), total=4096),
                                 ["total_size 4096 runs past the 24 bytes that can be read"]),
    "total_size_tiny": (struct.pack("<II", 4, 0), ["total_size 4 is less than its own 8-byte fixed part"]),
    "header_cut": (b"\x10\0\0", ["only 3 bytes can be read there: not read"]),
}


@pytest.fixture(scope="module", params=[64, 32], ids=["64-bit", "32-bit"])
def walk(request, tmp_path_factory):
    """The walk as a host program; returns a function: bytes -> what it printed."""
    bits = request.param
    folder = tmp_path_factory.mktemp(f"walk{bits}")
    program = folder / "walk_file"
    build = subprocess.run(
        ["gcc", f"-m{bits}", "-std=gnu11", "-g", "-O1", "-Wall", "-Wextra", "-Werror",
         "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
         "-iquote", str(host.COMMON / "include"), "-iquote", str(CHAPTER),
         str(CHAPTER / "multiboot_walk.c"), str(CHAPTER / "tests" / "walk_file.c"),
         "-o", str(program)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert build.returncode == 0, build.stdout

    def run(data: bytes) -> str:
        path = folder / "info.bin"
        path.write_bytes(data)
        try:
            result = host.run(program, [str(path)], bits, timeout=RUN_SECONDS)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the {bits}-bit walk did not end in {RUN_SECONDS} s: it "
                                 "stands still or loops") from None
        lab_todo_in_output(result.stdout, f"the {bits}-bit host walk")
        assert result.returncode == 0 and result.stdout.endswith("walk: returned\n"), \
            f"the {bits}-bit walk failed (exit {result.returncode}):\n{result.stdout}"
        return result.stdout
    return run


@pytest.mark.parametrize("name", sorted(CASES))
def test_walk_reports_and_survives(walk, name):
    data, expected = CASES[name]
    out = walk(data)
    for line in expected:
        assert line in out, f"{name}: expected {line!r} in what the walk printed:\n{out}"
    assert "other tags:" in out or "not read" in out, out


def test_corpus_holds_every_case():
    """The fuzzer starts from these cases, and replays them in make test."""
    missing = [name for name, (data, _) in CASES.items()
               if not (CORPUS / name).is_file() or (CORPUS / name).read_bytes() != data]
    assert not missing, f"not in {CORPUS} (or changed): {missing}; run " \
        "`PYTHONPATH=../common/test /usr/bin/python3 tests/test_multiboot_walk.py`"


if __name__ == "__main__":
    CORPUS.mkdir(parents=True, exist_ok=True)
    for name, (data, _) in CASES.items():
        (CORPUS / name).write_bytes(data)
    print(f"{len(CASES)} inputs in {CORPUS}", file=sys.stderr)
