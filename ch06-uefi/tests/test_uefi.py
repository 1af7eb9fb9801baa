"""ch06: a UEFI application under OVMF: the shell, sysinfo, memmap, cpuid, peek,
mandel on the framebuffer, the line editor, snake, and \\autorun.txt scripts.

Tests of the boot itself (autorun.txt, what the firmware shows, Bochs, make
debug) boot a fresh ESP made by bootcamp.esp.build_esp with the test's own
autorun.txt. The others start at the prompt from a snapshot of a boot without
one, made once per build (the `restore` fixture, bootcamp.snapshot), and type
their commands. The shell prints through ConOut, which OVMF mirrors on
the serial port as an ANSI terminal: tests read the serial log through
bootcamp.terminal.lines(), which removes escape sequences and applies
backspaces the way a terminal shows them.
"""

import os
import re
import struct
import subprocess

import pytest

from bootcamp import Spec, paths
from bootcamp.emulators import OVMF_CODE, OVMF_COMBINED
from bootcamp.esp import build_esp
from bootcamp.run import free_port
from bootcamp.terminal import lines, screen

MEMORY_MB = 128
PAGE_BYTES = 4096
PROMPT = "bootcamp> "
EMPTY_PROMPT = r"^bootcamp>$"                 # a terminal line keeps no trailing blank
BOOT_TIMEOUT = {"qemu": 60, "bochs": 150}    # firmware to shell: generous, for loaded hosts
RESET_VECTOR = 0xFFFF_FFF0                    # the last 16 bytes of the firmware image
RESET_VECTOR_BYTES = 16
PEEK_RESET_VECTOR = f"peek {RESET_VECTOR:x} {RESET_VECTOR_BYTES}"

# mandel's colours (mandel.c): the set, and points that escape at once (|c| > 2).
SET_COLOUR = (0x00, 0x00, 0x00)
BACKGROUND = (0x10, 0x18, 0x60)

ENTER = "\r"                                  # what a terminal sends for Enter


def esp(chapter, logdir, autorun=None):
    """A fresh ESP with the chapter's application and, if given, an autorun.txt."""
    files = {"autorun.txt": autorun} if autorun is not None else {}
    return build_esp(logdir / "esp.img", chapter.image("bootcamp.efi"), files)


def shown(machine):
    """The serial console as a terminal shows it, one string."""
    return "\n".join(lines(machine.serial_output()))


def wait_shown(machine, pattern, timeout=30, count=1):
    """Wait until `pattern` (a regex) appears `count` times on the rendered console."""
    regex = re.compile(pattern, re.M)
    return machine.wait_until(lambda: len(regex.findall(shown(machine))) >= count,
                              f"{count} x {pattern!r} on the serial console", timeout,
                              seen=lambda: shown(machine))


def output_of(text, command):
    """The lines a command printed: after its echo or prompt line, up to the next one."""
    found = re.search(rf"^(?:> |{PROMPT}){re.escape(command)}\n(.*?)(?=^> |^bootcamp>|\Z)",
                      text, re.M | re.S)
    assert found, f"no output of {command!r} in:\n{text}"
    return found.group(1)


def check_memmap(text, memory_mb=MEMORY_MB):
    """The per-type rows add up to the 'all' row, and RAM fits the machine's memory."""
    rows = re.findall(r"^  (\S+)\s+(\d+)\s+(\d+)  ", text, re.M)
    table = {name: (int(regions), int(pages)) for name, regions, pages in rows}
    assert "all" in table and "Conventional" in table, text
    regions, pages = table.pop("all")
    assert sum(r for r, _ in table.values()) == regions, text
    assert sum(p for _, p in table.values()) == pages, text

    def pages_of(*kinds: str) -> int:
        return sum(table.get(kind, (0, 0))[1] for kind in kinds)

    def sum_of(label: str) -> int:
        found = re.search(rf"^{label}:\s+(\d+) pages", text, re.M)
        assert found, f"no {label} line:\n{text}"
        return int(found.group(1))
    free_kinds = ("LoaderCode", "LoaderData", "BootServicesCode", "BootServicesData",
                  "Conventional")
    kept_kinds = ("RuntimeServicesCode", "RuntimeServicesData", "ACPINVS")
    ram = sum_of("RAM")
    assert ram == pages_of(*free_kinds, *kept_kinds, "ACPIReclaim"), text
    assert sum_of("Free") == pages_of(*free_kinds), text
    assert sum_of("Kept") == pages_of(*kept_kinds), text
    assert sum_of("MMIO") == pages_of("MMIO", "MMIOPortSpace"), text
    # All of it within what QEMU/Bochs was given, and most of it (the rest is
    # the legacy hole below 1 MiB and what the firmware marks reserved).
    memory = memory_mb * 2**20
    assert ram * PAGE_BYTES <= memory, text
    assert ram * PAGE_BYTES >= memory * 9 // 10, text
    # RAM's regions do not overlap, so its top is at least its size; the
    # largest free region is one Conventional region: no smaller than their
    # mean, no bigger than their sum, and below the top.
    top, largest, at = (int(n, 0) for n in re.search(
        r"^Top of RAM: (0x[0-9A-Fa-f]+); largest free region: (\d+) pages at (0x[0-9A-Fa-f]+)$",
        text, re.M).groups())
    assert ram * PAGE_BYTES <= top <= memory, text
    conventional_regions, conventional_pages = table["Conventional"]
    assert conventional_pages <= largest * conventional_regions, text
    assert largest <= conventional_pages, text
    assert at % PAGE_BYTES == 0 and at + largest * PAGE_BYTES <= top, text


def test_the_image_is_a_pe32plus_efi_application(chapter):
    """What firmware checks before it runs a file: MZ, PE, x86-64, PE32+, EFI application."""
    data = chapter.image("bootcamp.efi").read_bytes()
    assert data[:2] == b"MZ"
    pe = struct.unpack_from("<I", data, 0x3C)[0]             # e_lfanew
    assert data[pe:pe + 4] == b"PE\0\0"
    machine, = struct.unpack_from("<H", data, pe + 4)
    magic, = struct.unpack_from("<H", data, pe + 24)
    subsystem, = struct.unpack_from("<H", data, pe + 24 + 68)
    assert machine == 0x8664, "IMAGE_FILE_MACHINE_AMD64"
    assert magic == 0x20B, "PE32+ optional header"
    assert subsystem == 10, "IMAGE_SUBSYSTEM_EFI_APPLICATION"
    assert [str(p) for p in chapter.images()] == [str(chapter.build / "esp.img")]


@pytest.mark.long
def test_autorun_script_runs_and_powers_off(chapter, boot, logdir, emulator):
    """One script: the system table, the memory map, the CPU, peek, two mistakes, shutdown."""
    script = ("# comment lines and blank lines are skipped\n\n"
              f"sysinfo\nmemmap\ncpuid\n{PEEK_RESET_VECTOR}\nmodes\n"
              "frobnicate\npeek zz\nshutdown\nsysinfo\n")
    machine = boot(Spec(esp(chapter, logdir, script), media="efi", memory_mb=MEMORY_MB), emulator,
                   limit=BOOT_TIMEOUT[emulator] + 60)
    end = machine.wait_exit(timeout=BOOT_TIMEOUT[emulator] + 40)
    assert end.kind == "shutdown", end
    text = shown(machine)

    echoed = re.findall(r"^> (.*)$", text, re.M)
    assert echoed == ["sysinfo", "memmap", "cpuid", PEEK_RESET_VECTOR, "modes", "frobnicate",
                      "peek zz", "shutdown"], text        # nothing after shutdown

    sysinfo = output_of(text, "sysinfo")
    assert re.search(r"^Firmware vendor:\s+EDK II$", sysinfo, re.M), sysinfo
    assert re.search(r"^UEFI version:\s+2\.\d", sysinfo, re.M), sysinfo
    assert re.search(r'^System table\s+at 0x[0-9A-F]+: signature "IBI SYST", .* 120 bytes, '
                     r"CRC32 0x[0-9A-F]{8} \(checked\)$", sysinfo, re.M), sysinfo
    assert "Boot services" in sysinfo and "Runtime svcs" in sysinfo
    tables = int(re.search(r"^Configuration tables: (\d+)$", sysinfo, re.M).group(1))
    guids = re.findall(r"^  [0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}  0x",
                       sysinfo, re.M)
    assert tables == len(guids) > 0, sysinfo

    check_memmap(output_of(text, "memmap"))

    cpuid = output_of(text, "cpuid")
    assert re.search(r"^Vendor:\s+(GenuineIntel|AuthenticAMD)", cpuid, re.M), cpuid
    assert "long-mode" in cpuid, cpuid

    assert "unknown command: frobnicate (type help)" in text
    assert "peek: zz is not a hexadecimal address" in text

    peek = output_of(text, PEEK_RESET_VECTOR)
    modes = output_of(text, "modes")
    if emulator == "qemu":
        # QEMU's standard VGA, driven by OVMF's video driver: a GOP with a framebuffer.
        assert re.search(r"^  mode +\d+: +\d+ x +\d+  BGR, 32 bits  \(current\)$", modes, re.M), modes
        # QEMU gets its ACPI and SMBIOS tables to OVMF through fw_cfg.
        assert "ACPI 2.0 RSDP" in sysinfo and "SMBIOS entry point" in sysinfo, sysinfo
        # The flash is in the memory map: peek shows the reset vector, the
        # last 16 bytes of the firmware image.
        dump = re.match(rf"{RESET_VECTOR:016X}:((?: [0-9A-F]{{2}}){{{RESET_VECTOR_BYTES}}})", peek)
        assert dump, peek
        assert bytes.fromhex(dump.group(1)) == OVMF_CODE.read_bytes()[-RESET_VECTOR_BYTES:]
    else:
        # Bochs has no fw_cfg: OVMF finds no ACPI tables to install. And the
        # ROM is not in its memory map, so peek refuses rather than guess.
        assert "ACPI 2.0 RSDP" not in sysinfo, sysinfo
        assert "not all in the firmware's memory map; not reading it" in peek, peek
        # Bochs's VGA is not one OVMF has a driver for: no GOP, and modes says so.
        assert modes == "modes: this machine has no graphics output (GOP): Not Found.\n", modes
        assert OVMF_COMBINED.exists()


def test_autorun_over_the_limit_names_the_limit(chapter, boot, logdir):
    # A script far over any sensible size: the shell refuses it, says which
    # limit, runs none of it, and gives the prompt. QEMU only: the message is
    # the shell's own, the same on any firmware.
    script = "cpuid\n" * (128 * 1024 // len("cpuid\n"))
    machine = boot(Spec(esp(chapter, logdir, script), media="efi", memory_mb=MEMORY_MB), "qemu",
                   limit=BOOT_TIMEOUT["qemu"] + 60)
    wait_shown(machine, r"^\\autorun\.txt is bigger than \d+ KiB, the most the shell reads; "
                        r"nothing was run\.$", timeout=BOOT_TIMEOUT["qemu"])
    wait_shown(machine, EMPTY_PROMPT, timeout=30)
    text = shown(machine)
    limit_kib = int(re.search(r"bigger than (\d+) KiB", text).group(1))
    assert 0 < limit_kib * 1024 < len(script), text
    assert "> cpuid" not in text and "Bad Buffer Size" not in text, text


def test_line_editor_history_completion_and_exit(chapter, restore):
    """No autorun.txt: straight to the prompt. Then keys on the PS/2 keyboard.

    The keyboard (QEMU's sendkey) delivers each key whole and in order. Arrow
    keys typed on the serial line are escape sequences that OVMF's terminal
    driver decodes against a timeout; on a loaded host this test once saw them
    garbled, so the serial line only carries plain text (mandel, snake)."""
    machine = restore(chapter.image("bootcamp.efi"), memory_mb=MEMORY_MB, limit=120)
    assert not re.search(r"^> ", shown(machine), re.M), "no script, so nothing is echoed"

    # Tab completes a unique prefix; Enter runs it.
    machine.type_text("cpui")
    machine.sendkey("tab")
    machine.sendkey("ret")
    wait_shown(machine, rf"^{PROMPT}cpuid\n(?:.*\n)*bootcamp>$")      # output, then a prompt
    assert re.search(r"^Vendor:", shown(machine), re.M), shown(machine)
    # Up recalls it.
    machine.sendkey("up")
    machine.sendkey("ret")
    wait_shown(machine, r"^Vendor:", count=2)
    wait_shown(machine, EMPTY_PROMPT)
    # Edit in the middle of a line: "pxek zz", five left, backspace over x, type e.
    machine.type_text("pxek zz")
    for key in ["left"] * 5 + ["backspace", "e", "ret"]:
        machine.sendkey(key)
    wait_shown(machine, r"^peek: zz is not a hexadecimal address")
    assert re.search(rf"^{PROMPT}peek zz$", shown(machine), re.M), shown(machine)
    wait_shown(machine, EMPTY_PROMPT)
    # An ambiguous prefix lists the candidates and keeps the line.
    machine.sendkey("s")
    machine.sendkey("tab")
    wait_shown(machine, r"^(?=.*\bsnake\b)(?=.*\bsysinfo\b)(?=.*\bshutdown\b).*$")
    machine.sendkey("backspace")
    machine.type_text("peek 0 100000")
    machine.sendkey("ret")
    wait_shown(machine, r"^peek: LEN must be a number from 1 to 4096, not 100000\.$")
    # Ctrl-C drops the line, as a shell does: nothing runs, a fresh prompt.
    machine.type_text("memmap")
    machine.sendkey("ctrl-c")
    wait_shown(machine, rf"^{PROMPT}memmap\^C\nbootcamp>$")
    assert not re.search(r"^RAM:", shown(machine), re.M), shown(machine)
    # exit hands back to the firmware.
    machine.type_text("exit")
    machine.sendkey("ret")
    wait_shown(machine, r"^Leaving bootcamp; the firmware takes over again\.$")


def test_mandel_draws_the_set_and_snake_ends_at_the_wall(chapter, restore):
    """The framebuffer after mandel, then snake steered by the PS/2 keyboard (QMP sendkey)."""
    machine = restore(chapter.image("bootcamp.efi"), memory_mb=MEMORY_MB, limit=150)

    machine.serial_write("mandel" + ENTER)
    found = wait_shown(machine, r"mandel: \d+ x \d+ pixels; c = 0 is pixel \(\d+, \d+\); "
                                r"\d+ pixels per unit")
    assert found
    width, height, x0, y0, scale = map(int, re.search(
        r"mandel: (\d+) x (\d+) pixels; c = 0 is pixel \((\d+), (\d+)\); (\d+) pixels per unit",
        shown(machine)).groups())

    def pixel_of(c):
        return round(x0 + c.real * scale), round(y0 - c.imag * scale)

    # Rows are drawn top to bottom; the bottom-left corner (|c| > 2) comes last.
    def drawn():
        picture = machine.screendump()
        return picture if picture.pixel(0, height - 1) == BACKGROUND else None
    picture = machine.wait_until(drawn, "the last row of the Mandelbrot set", 60)
    assert (picture.width, picture.height) == (width, height)
    for c in (0, -1, -0.1 + 0.1j, -0.5 - 0.5j, 0.25 + 0.5j, -1.3):     # in the set
        assert picture.pixel(*pixel_of(c)) == SET_COLOUR, f"c = {c}"
    for x, y in ((0, 0), (0, height - 1), pixel_of(-2.5), pixel_of(-2.2 + 1j)):   # |c| > 2
        assert picture.pixel(x, y) == BACKGROUND, (x, y)
    # c = 1 escapes after a few steps: neither the set nor the background.
    assert picture.pixel(*pixel_of(1)) not in (SET_COLOUR, BACKGROUND)
    # Then a grid over the whole picture, against Python's own count. Only
    # points whose neighbours a pixel away agree are asked: at the set's edge
    # the last bit of a float decides, and a right program may round otherwise.
    steps = chapter.define("mandel.c", "MAX_ITERATIONS")
    asked, wrong = 0, []
    for y in range(0, height, MANDEL_GRID):
        for x in range(0, width, MANDEL_GRID):
            near = {mandel_kind(complex(x + dx - x0, y0 - y - dy) / scale, steps)
                    for dx in (-1, 0, 1) for dy in (-1, 0, 1)}
            if len(near) != 1:
                continue
            asked += 1
            (expected,) = near
            got = picture.pixel(x, y)
            shown_as = ("in the set" if got == SET_COLOUR else
                        "escaped at once" if got == BACKGROUND else "escaped later")
            if shown_as != expected:
                wrong.append(f"pixel ({x}, {y}), c = {complex(x - x0, y0 - y) / scale:.3f}: "
                             f"{shown_as}, should be {expected}")
    assert asked > 1000 and not wrong, (
        f"{len(wrong)} of {asked} pixels differ from z = z^2 + c counted on the host:\n"
        + "\n".join(wrong[:10]))
    machine.sendkey("ret")
    wait_shown(machine, r"Press a key to go back\.\nbootcamp>$")      # back at the prompt

    # Snake starts heading right from the middle; turn up into the top wall.
    before = len(machine.serial_output())
    machine.serial_write("snake" + ENTER)
    wait_shown(machine, r"snake  score 0")
    # On an 80 x 24 terminal the serial mirror shows the whole board, walled.
    # snake draws the board before the score line, so one look is enough (and
    # no polling render competes with the thread that drains QEMU's serial).
    serial = machine.serial_output()[before:]
    board = snake_board(serial)
    assert board, ("snake's board is not whole and walled on an 80 x 24 terminal:\n"
                   + "\n".join(screen(serial, *TERMINAL)))
    assert board[0].startswith("snake  score 0"), board
    machine.sendkey("up")
    # The last frame stays up with the score until a key is pressed.
    wait_shown(machine, r"Game over: the snake hit the wall\. Score: \d+\. Press a key\.", timeout=30)
    machine.sendkey("ret")
    wait_shown(machine, r"snake: game over, the snake hit the wall; score \d+\.\nbootcamp>$",
               timeout=30)

    # A second game, ended with Esc.
    machine.serial_write("snake" + ENTER)
    wait_shown(machine, r"snake  score 0", count=2)
    machine.sendkey("esc")
    wait_shown(machine, r"Game over: you pressed Esc\. Score: 0\. Press a key\.")
    machine.sendkey("ret")
    wait_shown(machine, r"snake: game over, you pressed Esc; score 0\.$")


TERMINAL = (80, 24)                          # a terminal's usual columns and rows
MANDEL_GRID = 16                             # every 16th pixel, across and down


def mandel_kind(c: complex, steps: int) -> str:
    """What mandel shows for c: in the set (bounded for `steps` steps of
    z = z^2 + c from 0), escaped at once (|z| > 2 after the first step), or
    escaped later."""
    z = 0j
    for step in range(steps):
        z = z * z + c
        if abs(z) > 2:
            return "escaped at once" if step == 0 else "escaped later"
    return "in the set"


def snake_board(serial: str) -> list[str] | None:
    """The terminal's screen if it shows snake's board whole: a score line, a
    rectangle of '#' as wide and high as the terminal, and the snake's head
    inside it. A board too big for the terminal wraps and loses its right wall."""
    columns, rows = TERMINAL
    shown = screen(serial, columns, rows)
    wall = [(1, x) for x in range(columns)] + [(rows - 1, x) for x in range(columns)] + \
        [(y, x) for y in range(2, rows - 1) for x in (0, columns - 1)]
    walled = all(shown[y][x] == "#" for y, x in wall)
    head = any("O" in line[1:-1] for line in shown[2:rows - 1])
    return shown if walled and head else None


def test_failure_paths_at_the_prompt(chapter, restore):
    """Bad arguments and a bad address say what is wrong; the shell goes on; reboot resets.
    (That a script goes on after a failing line: test_autorun_script_runs_and_powers_off.)"""
    machine = restore(chapter.image("bootcamp.efi"), memory_mb=MEMORY_MB, limit=90)
    for command in ("peek", "peek 10000000000000 16", "peek 0 0", "sysinfo now"):
        machine.serial_write(command + ENTER)
        wait_shown(machine, rf"^{PROMPT}{re.escape(command)}\n(?:.*\n)*bootcamp>$")
    machine.serial_write("reboot" + ENTER)
    end = machine.wait_exit(timeout=60)
    assert end.kind == "reset", end                  # QEMU runs with -no-reboot
    text = shown(machine)
    assert re.findall(rf"^{PROMPT}(.*)$", text, re.M) == [
        "peek", "peek 10000000000000 16", "peek 0 0", "sysinfo now", "reboot"], text
    assert output_of(text, "reboot") == "Rebooting.\n"
    assert output_of(text, "peek") == "usage: peek ADDR [LEN]\n"
    assert ("peek: 0x10000000000000..0x1000000000000F is not all in the firmware's memory map; "
            "not reading it.") in text
    assert "peek: LEN must be a number from 1 to 4096, not 0." in text
    assert output_of(text, "sysinfo now") == "usage: sysinfo\n"


def test_make_debug_script_finds_the_image_and_stops_in_the_shell(chapter, boot, logdir):
    """common/gdb/uefi.gdb against the debug ESP: the symbols land where the image was loaded."""
    built = chapter.make("build/esp-debug.img")             # what make debug boots
    assert built.returncode == 0, built.stdout
    port = free_port()
    machine = boot(Spec(chapter.image("esp-debug.img"), media="efi", memory_mb=MEMORY_MB),
                   gdb_port=port, paused=True, limit=BOOT_TIMEOUT["qemu"] + 60)
    script = paths.gdb_script("uefi.gdb")
    env = dict(os.environ, BOOTCAMP_DEBUGCON=str(machine.debug_file),
               BOOTCAMP_EFI_SYMBOLS=str(chapter.image("bootcamp.so")))
    gdb = subprocess.run(["gdb", "-q", "-batch", "-nx", "-ex", f"target remote 127.0.0.1:{port}",
                          "-x", str(script), "-ex", "info symbol $pc", "-ex", "bt 1"],
                         cwd=chapter.root, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, timeout=BOOT_TIMEOUT["qemu"] + 30)
    (logdir / "gdb.txt").write_text(gdb.stdout)
    base = re.search(r"image base (0x[0-9A-F]+)", machine.debug_output())
    assert base, machine.debug_output()
    assert f"The program is loaded at {int(base.group(1), 16):#x}." in gdb.stdout, gdb.stdout
    assert re.search(r"Breakpoint 1, shell_run \(image=", gdb.stdout), gdb.stdout
    assert "shell_run in section .text" in gdb.stdout, gdb.stdout
    assert "gdb is attached." in "\n".join(lines(machine.serial_output()))
