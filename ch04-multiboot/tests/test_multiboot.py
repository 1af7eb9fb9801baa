"""ch04: a Multiboot2 kernel booted by GRUB from an ISO, in QEMU and Bochs."""

import re
import shutil
import struct
import subprocess

import pytest

from bootcamp import Spec

MB2_HEADER_MAGIC = 0xE85250D6
MB2_SEARCH_BYTES = 32768
MB2_HEADER_ALIGN = 8
COMMAND_LINE = "console=vga,serial greeting=hello-from-grub.cfg"   # grub.cfg
MODULE_BYTES = 73                                                  # motd.txt
DONE = "kmain: done, halting"
KIB_PER_MIB = 1024
# Firmware keeps some RAM for itself (the EBDA below 640 KiB, ACPI tables at
# the top): the usable total is a little under what the machine was given.
FIRMWARE_KEEPS_AT_MOST_KIB = 1024


def boot_kernel(chapter, boot, emulator, iso="kernel.iso", memory_mb=32):
    return boot(Spec(chapter.image(iso), media="cdrom", memory_mb=memory_mb), emulator)


@pytest.mark.parametrize("memory_mb", [32, 96])
def test_kernel_reports_what_grub_told_it(chapter, boot, emulator, memory_mb):
    machine = boot_kernel(chapter, boot, emulator, memory_mb=memory_mb)
    machine.wait_for(DONE, source="debug", timeout=30)
    regs = machine.wait_halted(timeout=10)
    assert not regs.interrupts_enabled, regs.raw
    screen = machine.screen()

    # entry.asm's OK, top left, white on green, before any C ran.
    assert screen.find("OK") == (0, 0), screen.framed()
    assert screen.colour_of("OK") == ("white", "green")
    # What GRUB passed, on the screen.
    assert re.search(r"^boot loader:  GRUB 2\.\d+", screen.text, re.M), screen.framed()
    assert f"command line: {COMMAND_LINE}" in screen, screen.framed()
    assert f'{MODULE_BYTES} bytes, "motd"' in screen, screen.framed()
    assert "framebuffer:  EGA text 80x25, 16 bits per character, pitch 160, at 0xb8000" \
        in screen, screen.framed()
    assert re.search(r"^other tags: +\d+(?: \d+)* \(not read, skipped\)$", screen.text, re.M), \
        screen.framed()
    assert screen.colour_of(DONE) == ("light green", "black")

    # The memory map: regions, then a total that matches the machine.
    regions = re.findall(r"^  0x([0-9a-f]+)-0x([0-9a-f]+) +(\d+) KiB (.+)$", screen.text, re.M)
    assert len(regions) >= 3, screen.framed()
    assert ("0000000000", "available") == (regions[0][0], regions[0][3]), regions
    usable = re.search(r"^usable RAM: +(\d+) KiB \((\d+) MiB\)$", screen.text, re.M)
    assert usable, screen.framed()
    usable_kib = int(usable.group(1))
    assert usable_kib == sum(int(r[2]) for r in regions if r[3] == "available")
    given_kib = memory_mb * KIB_PER_MIB
    assert given_kib - FIRMWARE_KEEPS_AT_MOST_KIB <= usable_kib <= given_kib, \
        f"{usable_kib} KiB usable on a machine with {given_kib} KiB"
    assert int(usable.group(2)) == (usable_kib + KIB_PER_MIB // 2) // KIB_PER_MIB   # rounded

    # The same lines on COM1 and on the debug port.
    for output in (machine.serial_output(), machine.debug_output()):
        assert f"command line: {COMMAND_LINE}" in output
        assert usable.group(0) in output.replace("\r\n", "\n")


def test_grub_starts_without_error_lines(chapter, boot):
    # GRUB prints its start-up errors (a module the ISO lacks, say) under
    # "Welcome to GRUB!", and clears the screen a moment later to boot the
    # entry. So the test reads the screen again and again while GRUB runs, and
    # keeps every line it saw, until the kernel speaks on port 0xE9.
    # QEMU only: reading Bochs's screen stops the machine each time.
    machine = boot_kernel(chapter, boot, "qemu")
    seen: set[str] = set()

    def kernel_started() -> bool:
        seen.update(line.strip() for line in machine.screen().lines)
        return "kmain" in machine.debug_output()
    machine.wait_until(kernel_started, "the kernel to start after GRUB", timeout=30)
    assert "Welcome to GRUB!" in seen, f"GRUB's first screen was never seen: {sorted(seen)}"
    errors = sorted(line for line in seen if "error:" in line)
    assert not errors, "GRUB printed:\n" + "\n".join(errors)


def test_broken_checksum_is_refused_by_grub(chapter, boot, emulator):
    machine = boot_kernel(chapter, boot, emulator, iso="broken.iso")
    # GRUB shows its error for 10 seconds, then goes back to its menu.
    machine.wait_for("error: no multiboot header found.", source="screen", timeout=30)
    assert machine.debug_output() == "", "the broken kernel ran"
    assert "OK" not in machine.screen().lines[0]


def test_wrong_magic_is_reported_and_halts(chapter, boot, emulator):
    # build/multiboot1.iso starts the kernel with grub's old `multiboot` command.
    machine = boot_kernel(chapter, boot, emulator, iso="multiboot1.iso")
    message = "error: wrong boot magic 0x2badb002, expected 0x36d76289"
    machine.wait_for(message, source="debug", timeout=30)
    machine.wait_for("halted.", source="debug", timeout=10)
    regs = machine.wait_halted(timeout=10)
    assert not regs.interrupts_enabled, regs.raw
    screen = machine.screen()
    assert message in screen, screen.framed()
    assert screen.colour_of(message) == ("white", "red")
    assert DONE not in machine.debug_output()


def test_grub_file_accepts_the_kernel_and_rejects_the_broken_one(chapter):
    def accepted(name):
        return subprocess.run(["grub-file", "--is-x86-multiboot2", str(chapter.image(name))]
                              ).returncode == 0
    assert accepted("kernel.elf")
    assert not accepted("broken.elf")


def test_header_is_first_aligned_and_sums_to_zero(chapter):
    data = chapter.image("kernel.elf").read_bytes()
    offset = data.find(struct.pack("<I", MB2_HEADER_MAGIC))
    assert 0 <= offset and offset + 24 <= MB2_SEARCH_BYTES, f"header at file offset {offset}"
    assert offset % MB2_HEADER_ALIGN == 0, f"header at file offset {offset}"
    magic, arch, length, checksum = struct.unpack_from("<4I", data, offset)
    assert (arch, length) == (0, 24)
    assert (magic + arch + length + checksum) % 2**32 == 0
    # The end tag: type 0, flags 0, size 8.
    assert struct.unpack_from("<HHI", data, offset + 16) == (0, 0, 8)
    broken = chapter.image("broken.elf").read_bytes()
    assert (sum(struct.unpack_from("<4I", broken, offset))) % 2**32 == 1


def test_build_says_where_the_header_is(chapter):
    # In a folder of its own: rebuilding build/kernel.elf would race the boots
    # of build/kernel.iso that run in parallel.
    shutil.rmtree(chapter.build / "test-header", ignore_errors=True)
    result = chapter.make("BUILD=build/test-header", "build/test-header/kernel.elf")
    assert result.returncode == 0, result.stdout
    assert re.search(r"kernel\.elf: Multiboot2 header at file offset \d+ \(24 bytes\), "
                     r"within the first 32768", result.stdout), result.stdout


def test_build_fails_when_the_header_is_past_32_kib(chapter):
    # Without -n and with 2 MiB pages, ld puts the first byte at file offset
    # 1 MiB (the address modulo the page size): GRUB would not find the header.
    result = chapter.make("BUILD=build/test-no-nmagic", "LD_NMAGIC=",
                          "LDFLAGS=-z max-page-size=0x200000", "build/test-no-nmagic/kernel.elf")
    assert result.returncode != 0, result.stdout
    assert ("kernel.elf: the Multiboot2 header ends at file offset 1048600, past the first "
            "32768 bytes GRUB searches (link with ld -n)") in result.stdout, result.stdout


def test_make_debug_stops_at_kmain_with_its_arguments(chapter):
    # `make debug` with gdb reading these commands instead of a person. On
    # qemu-system-i386, gdb reads the 32-bit DWARF right: kmain's arguments.
    result = subprocess.run(["make", "--no-print-directory", "-C", str(chapter.root), "debug"],
                            input="info args\nshow architecture\nquit\n", text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    out = result.stdout
    assert '(currently "i386")' in out, out          # QEMU ran as qemu-system-i386
    assert re.search(r"Breakpoint 1, kmain \(magic=920085129, info=0x[0-9a-f]+\) at kmain\.c", out), out
    assert "magic = 920085129" in out, out            # 0x36D76289
    assert re.search(r"^EIP 001[0-9a-f]{5}  ESP ", out, re.M), out


def test_screen_scrolls_when_the_lines_outnumber_the_rows(chapter, boot, emulator):
    # build/scroll.iso: twelve modules make more lines than the screen has rows.
    machine = boot_kernel(chapter, boot, emulator, iso="scroll.iso")
    machine.wait_for(DONE, source="debug", timeout=30)
    machine.wait_halted(timeout=10)
    printed = machine.debug_output().splitlines()
    assert len(printed) > 25, printed
    screen = machine.screen()
    # The bottom row is blank (the cursor's, after the last newline); above
    # it, the last 24 lines printed, in order. OK and the first lines are gone.
    assert screen.lines[-1] == ""
    assert screen.lines[:-1] == [line.rstrip() for line in printed[-24:]], screen.framed()
    assert screen.colour_of(DONE) == ("light green", "black")
    assert "module-12" in screen and "OK" not in screen.lines[0]
