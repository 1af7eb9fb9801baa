"""ch05: real -> protected -> long mode, two ways in, and exceptions that explain themselves."""

import re
import shutil
import struct
import subprocess

import pytest

from bootcamp import Spec
from bootcamp.gdbstub import count_hits, elf_symbols
from bootcamp.run import free_port

CR0_PE, CR0_PG = 1 << 0, 1 << 31
EFLAGS_ZF = 1 << 6
CR4_PAE = 1 << 5
EFER_LME, EFER_LMA = 1 << 8, 1 << 10
DONE = "kmain: done, halting"
# The IDT (Intel SDM vol. 3A, 6.14.1): 16-byte gates; P=1, DPL=0, type 0xE.
IDT_VECTORS = 32
IDT_GATE_BYTES = 16
GATE_PRESENT_DPL0_INTERRUPT_64 = 0x8E
VECTOR_DOUBLE_FAULT = 8
DOUBLE_FAULT_IST = 1
# CPU models without long mode.
QEMU_32BIT_CPU = "qemu32"
BOCHS_32BIT_CPU = "pentium"


def grub(chapter, iso="kernel.iso", **options):
    return Spec(chapter.image(iso), media="cdrom", **options)


def loader(chapter, logdir, media="hd", **options):
    # Bochs locks a disk image while it runs: each boot gets its own copy.
    image = chapter.image(f"payload.{media}.img")
    copy = logdir / f"{len(list(logdir.glob('*.img')))}-{image.name}"
    shutil.copyfile(image, copy)
    return Spec(copy, media=media, **options)


def symbol(chapter, elf, name):
    address = elf_symbols(chapter.image(elf))
    assert name in address, f"{name} is not in {elf}"
    return address[name]


def check_long_mode(machine, booted_by):
    machine.wait_for(DONE, source="debug", timeout=30)
    regs = machine.wait_halted(timeout=10)
    # The CPU's own view, from the emulator.
    assert regs.cr0 & CR0_PE and regs.cr0 & CR0_PG, regs.raw
    assert regs.cr4 & CR4_PAE, regs.raw
    assert regs.efer & EFER_LME and regs.efer & EFER_LMA, regs.raw
    assert not regs.interrupts_enabled, regs.raw
    # The kernel's view, on the screen.
    screen = machine.screen()
    assert re.search(r"^mode: +64-bit long mode$", screen.text, re.M), screen.framed()
    assert re.search(r"EFER 0x[0-9a-f]+: LME=1 LMA=1", screen.text), screen.framed()
    assert re.search(rf"^booted by: +{booted_by}", screen.text, re.M), screen.framed()
    assert "IDT:          32 exception handlers, #DF on its own stack (IST1)" in screen, \
        screen.framed()
    assert screen.colour_of(DONE) == ("light green", "black")
    return screen


def test_grub_path_reaches_64_bit_kmain(chapter, boot, emulator):
    machine = boot(grub(chapter), emulator)
    screen = check_long_mode(machine, r"GRUB 2\.\d+\S*, through Multiboot2")
    lines = screen.lines
    assert lines[0] == "32-bit protected mode: reached from GRUB", screen.framed()
    assert lines[1].startswith("CPUID: long mode supported"), screen.framed()
    assert screen.colour_of("32-bit protected mode") == ("light cyan", "black")
    # kmain's lines also reach COM1.
    assert "mode:         64-bit long mode" in machine.serial_output()


def test_the_idt_gates_are_what_the_manual_asks(chapter, boot, emulator):
    """The 32 gates kmain leaves loaded, read from the machine's memory and
    decoded by the Intel SDM (vol. 3A, 6.14.1): each points at its stub in
    isr.asm through the code selector the CPU runs with, present, DPL 0, a
    64-bit interrupt gate (IF cleared on entry), on the current stack except
    the double fault's (IST1)."""
    machine = boot(grub(chapter), emulator)
    machine.wait_for(DONE, source="debug", timeout=30)
    regs = machine.wait_halted(timeout=10)
    address = elf_symbols(chapter.image("kernel.elf"))
    idt = machine.read_memory(address["idt"], IDT_VECTORS * IDT_GATE_BYTES)
    stubs = struct.unpack(f"<{IDT_VECTORS}Q",
                          machine.read_memory(address["exception_stubs"], IDT_VECTORS * 8))
    wrong = []
    for vector in range(IDT_VECTORS):
        low, selector, ist, kind, middle, high, reserved = struct.unpack_from(
            "<HHBBHII", idt, vector * IDT_GATE_BYTES)
        gate = {"handler": low | middle << 16 | high << 32, "selector": selector,
                "IST": ist & 7, "type and attributes": kind, "reserved bits": ist >> 3 | reserved}
        wanted = {"handler": stubs[vector], "selector": regs.cs_selector,
                  "IST": DOUBLE_FAULT_IST if vector == VECTOR_DOUBLE_FAULT else 0,
                  "type and attributes": GATE_PRESENT_DPL0_INTERRUPT_64, "reserved bits": 0}
        wrong += [f"vector {vector}: {field} {gate[field]:#x}, wanted {wanted[field]:#x}"
                  for field in wanted if gate[field] != wanted[field]]
    assert not wrong, "the IDT's gates:\n" + "\n".join(wrong[:12])


# (base, limit, access, flags): every field with bits in each of its parts,
# and the course's own flat segments.
DESCRIPTOR_CASES = [(0x12345678, 0xABCDE, 0x9A, 0xC), (0xFEDCBA98, 0x54321, 0x92, 0x4),
                    (0x00FF00FF, 0xF0F0F, 0x89, 0x1), (0, 0xFFFFF, 0x9A, 0xA),
                    (0, 0xFFFFF, 0x92, 0xC), (0, 0, 0, 0)]


def packed_descriptor(base: int, limit: int, access: int, flags: int) -> bytes:
    """An 8-byte segment descriptor, laid out as the Intel SDM (vol. 3A,
    3.4.5, figure 3-8) draws it, as two 32-bit words."""
    low = (base & 0xFFFF) << 16 | limit & 0xFFFF
    high = (base & 0xFF000000 | flags << 20 | (limit & 0xF0000) | access << 8
            | (base >> 16) & 0xFF)
    return struct.pack("<II", low, high)


def test_the_descriptor_macro_packs_as_the_manual_draws(chapter, tmp_path):
    """gdt.inc's `descriptor` with bases, limits and flags the course's own
    flat segments (base 0) never show, assembled by NASM and compared with the
    SDM's layout, a byte at a time."""
    chapter.image("kernel.elf")          # unwritten, the part's stub says so in it
    source = tmp_path / "descriptors.asm"
    source.write_text('%include "gdt.inc"\n' + "".join(
        f"descriptor {base:#x}, {limit:#x}, {access:#x}, {flags:#x}\n"
        for base, limit, access, flags in DESCRIPTOR_CASES))
    out = tmp_path / "descriptors.bin"
    made = subprocess.run(["nasm", "-f", "bin", f"-I{chapter.root}/", "-o", str(out),
                           str(source)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    assert made.returncode == 0, made.stdout
    got = out.read_bytes()
    assert len(got) == 8 * len(DESCRIPTOR_CASES), f"{len(got)} bytes for {len(DESCRIPTOR_CASES)}"
    wrong = [f"descriptor {base:#x}, {limit:#x}, {access:#x}, {flags:#x}: "
             f"{got[8 * i:8 * i + 8].hex(' ')}, wanted {packed_descriptor(*case).hex(' ')}"
             for i, case in enumerate(DESCRIPTOR_CASES)
             for base, limit, access, flags in [case]
             if got[8 * i:8 * i + 8] != packed_descriptor(*case)]
    assert not wrong, "\n".join(wrong)


def test_loader_path_reaches_64_bit_kmain(chapter, boot, emulator, logdir):
    machine = boot(loader(chapter, logdir), emulator)
    screen = check_long_mode(machine, r"our loader \(stage 1 in the MBR, stage 2\)")
    debug = machine.debug_output()
    # Every step, in order, on the debug port: stage 1, stage 2 (16-bit),
    # the 32-bit checkpoint, then 64-bit C.
    steps = ["sectors by LBA", "stage 2: 16-bit real mode at 0x8000", "A20: ",
             "entering 32-bit protected mode", "32-bit protected mode: reached from stage 2",
             "CPUID: long mode supported", "kmain: 64-bit C", DONE]
    positions = [debug.find(step) for step in steps]
    assert -1 not in positions and positions == sorted(positions), debug
    # The 32-bit checkpoint continues under the BIOS's lines, not over them.
    row, _ = screen.find("32-bit protected mode: reached from stage 2")
    assert screen.find("entering 32-bit protected mode")[0] == row - 1, screen.framed()


def test_loader_path_from_a_floppy(chapter, boot, logdir):
    machine = boot(loader(chapter, logdir, media="floppy"))
    check_long_mode(machine, r"our loader")
    assert "sectors by CHS" in machine.debug_output()


def test_stage2_turns_a20_on_when_it_is_off(chapter, boot, emulator):
    # build/a20_off.floppy.img: stage 2 first closes the gate (port 0x92) and
    # checks that memory wraps at 1 MiB; enable_a20 must then open it again.
    machine = boot(Spec(chapter.image("a20_off.floppy.img"), media="floppy"), emulator)
    machine.wait_for(DONE, source="debug", timeout=30)
    debug = machine.debug_output()
    assert "test: A20 turned off through port 0x92: 0xFFFF:0x0510 wraps to 0x0500" in debug, debug
    assert "A20: turned on by the BIOS (int 0x15 AX=2401h)" in debug, debug
    assert "A20: already on" not in debug
    screen = machine.screen()
    assert "A20: turned on by the BIOS (int 0x15 AX=2401h)" in screen, screen.framed()


def test_a20_that_stays_off_is_reported_and_halts(chapter, boot, logdir):
    # QEMU and Bochs always manage to turn A20 on, so gdb makes every check
    # fail: each time a20_is_on returns (its one way out, .out) it clears ZF,
    # "off". enable_a20 then really tries the BIOS and port 0x92 and gives up.
    # gdb stops where stage 2 handles the failure (or, if it went on anyway, at
    # protected mode), says how many checks it saw, and lets the machine run on.
    # QEMU only: the gdb stub is QEMU's.
    address = elf_symbols(chapter.image("payload.elf"))
    port = free_port()
    machine = boot(loader(chapter, logdir), "qemu", gdb_port=port, paused=True)
    checks, stopped, out = count_hits(
        port, logdir / "a20_stays_off.gdb", at=address["a20_is_on.out"],
        stops=[address["start.a20_failed"], address["protected_mode_start"]],
        also=(f"set $eflags = $eflags & ~{EFLAGS_ZF:#x}",))
    # Already on? On after int 0x15 AX=2401h? On after port 0x92? Three times no.
    assert (checks, stopped) == (3, address["start.a20_failed"]), out
    message = "error: A20 could not be turned on (BIOS and port 0x92 tried)"
    machine.wait_for(message, source="debug", timeout=20)
    regs = machine.wait_halted(timeout=10)
    assert not regs.interrupts_enabled and not regs.cr0 & CR0_PE, regs.raw
    assert address["start.halt"] <= regs.linear_ip < address["enable_a20"], regs.raw
    debug = machine.debug_output()
    assert "A20: " not in debug and "protected mode" not in debug, debug
    screen = machine.screen()
    assert message in screen, screen.framed()


@pytest.mark.parametrize("path", ["grub", "loader"])
def test_cpu_without_long_mode_is_told_so(chapter, boot, emulator, logdir, path):
    cpu = {"cpu": QEMU_32BIT_CPU} if emulator == "qemu" else {"bochs_cpu": BOCHS_32BIT_CPU}
    spec = grub(chapter, **cpu) if path == "grub" else loader(chapter, logdir, **cpu)
    machine = boot(spec, emulator)
    machine.wait_for("halted.", source="debug", timeout=30)
    regs = machine.wait_halted(timeout=10)
    assert not regs.interrupts_enabled and not regs.efer & EFER_LMA, regs.raw
    debug = machine.debug_output()
    match = re.search(r"^error: no long mode: .+$", debug, re.M)
    assert match, debug
    # QEMU's qemu32 has the extended leaf without the LM bit; Bochs's
    # Pentium has no extended leaves at all: two different messages.
    reason = ("CPUID 0x80000001 EDX bit 29 (LM) is clear" if emulator == "qemu"
              else "CPUID has no extended leaf 0x80000001")
    assert match.group(0) == f"error: no long mode: {reason}", debug
    screen = machine.screen()
    assert match.group(0) in screen, screen.framed()
    assert screen.colour_of("error: no long mode") == ("white", "red")
    assert "kmain" not in debug


FAULTS = {
    # test build: (expected first line, label of the faulting instruction, more lines)
    "fault_page": ("exception: page fault (#PF), vector 14, error code 0x2", "fault_page_at",
                   ["CR2 0x0000000040000000: write to a page that is not mapped, kernel mode"]),
    "fault_divide": ("exception: divide error (#DE), vector 0, no error code",
                     "fault_divide_at", []),
    "fault_opcode": ("exception: invalid opcode (#UD), vector 6, no error code",
                     "fault_opcode_at", []),
    "fault_gp": ("exception: general protection (#GP), vector 13, error code 0x0",
                 "fault_gp_at", []),
}
PAGE_BYTES = 4096
HUGE_PAGE_BYTES = 2 << 20


@pytest.mark.parametrize("build", sorted(FAULTS))
def test_exception_reports(chapter, boot, emulator, build):
    headline, label, more = FAULTS[build]
    machine = boot(grub(chapter, f"{build}.iso"), emulator)
    machine.wait_for("halted.", source="debug", timeout=30)
    regs = machine.wait_halted(timeout=10)
    assert not regs.interrupts_enabled, regs.raw
    debug = machine.debug_output()
    lines = debug.splitlines()
    assert headline in lines, debug
    after = lines[lines.index(headline) + 1:]
    rip = symbol(chapter, f"{build}.elf", label)
    assert re.match(rf"RIP {rip:#018x}  CS 0x0008  RFLAGS 0x[0-9a-f]+  RSP 0x[0-9a-f]+$",
                    after[0]), f"expected RIP {rip:#x} ({label}):\n{debug}"
    assert after[1:1 + len(more)] == more, debug
    assert after[1 + len(more)] == "halted.", debug
    screen = machine.screen()
    assert headline in screen, screen.framed()
    assert screen.colour_of(headline) == ("white", "red")
    assert DONE not in debug


TLB_LINE = re.compile(r"^([0-9a-f]{16}): ([0-9a-f]{16}) ([-A-Z]{9})$")
GIB = 1 << 30


def test_the_page_tables_map_the_first_gib_as_itself_and_no_more(chapter, boot):
    """What the MMU sees once kmain runs, by QEMU's own walk of the tables
    (`info tlb`: each mapped page, its physical address and flags): the first
    GiB, each page at its own address, writable, for the kernel only (no U);
    in 4 KiB pages up to 2 MiB, but for the stack's guard page; in 2 MiB pages
    above; nothing from 1 GiB on."""
    machine = boot(grub(chapter))
    machine.wait_for(DONE, source="debug", timeout=30)
    machine.wait_halted(timeout=10)
    listed = machine.hmp("info tlb")
    pages = {}
    for line in listed.splitlines():
        found = TLB_LINE.match(line.strip())
        assert found, f"not a line of `info tlb`: {line!r}"
        virtual, physical, flags = int(found.group(1), 16), int(found.group(2), 16), found.group(3)
        # QEMU's flags: NX, G, PSE (a large page), D, A, PCD, PWT, U, W.
        pages[virtual] = (physical, flags[2] == "P", flags[7] == "U", flags[8] == "W")
    guard = symbol(chapter, "kernel.elf", "stack_guard")
    wanted = {v: (v, False, False, True) for v in range(0, HUGE_PAGE_BYTES, PAGE_BYTES)
              if v != guard}
    wanted.update({v: (v, True, False, True) for v in range(HUGE_PAGE_BYTES, GIB,
                                                               HUGE_PAGE_BYTES)})
    fields = ("physical address", "large page", "user", "writable")
    wrong = [f"{v:#x}: not mapped" for v in sorted(set(wanted) - set(pages))]
    wrong += [f"{v:#x}: mapped, and should not be" for v in sorted(set(pages) - set(wanted))]
    wrong += [f"{v:#x}: {name} {got}, wanted {want}"
              for v in sorted(set(pages) & set(wanted))
              for name, got, want in zip(fields, pages[v], wanted[v]) if got != want]
    assert not wrong, f"{len(wrong)} pages differ:\n" + "\n".join(wrong[:12])


@pytest.mark.parametrize("elf", ["kernel.elf", "payload.elf"])
def test_the_kernel_stack_has_a_guard_page(chapter, elf):
    # Both ways in: a page right below the stack, inside the first 2 MiB, the
    # part of memory long_mode.asm maps page by page (so it can leave one out).
    address = elf_symbols(chapter.image(elf))
    guard, bottom = address["stack_guard"], address["stack_bottom"]
    assert guard % PAGE_BYTES == 0 and bottom == guard + PAGE_BYTES, (hex(guard), hex(bottom))
    assert bottom < HUGE_PAGE_BYTES, f"the guard page {guard:#x} is not in the first 2 MiB"


def test_stack_overflow_is_a_double_fault_with_a_report(chapter, boot, emulator):
    # tests/fault_stack.c recurses until the stack reaches its guard page. The
    # page fault cannot push its frame there: a double fault, which the CPU
    # delivers on the IST1 stack, so the report appears instead of a reset.
    machine = boot(grub(chapter, "fault_stack.iso"), emulator)
    machine.wait_for("halted.", source="debug", timeout=30)
    regs = machine.wait_halted(timeout=10)
    assert not regs.interrupts_enabled, regs.raw
    debug = machine.debug_output()
    headline = "exception: double fault (#DF), vector 8, error code 0x0"
    lines = debug.splitlines()
    assert "test:         recursing without end" in lines, debug
    assert headline in lines, debug
    after = lines[lines.index(headline) + 1:]
    assert after[0].startswith("RIP "), debug
    # The interrupted RSP and the page fault's address: in the guard page.
    address = elf_symbols(chapter.image("fault_stack.elf"))
    guard, bottom = address["stack_guard"], address["stack_bottom"]
    rsp = int(re.search(r"RSP (0x[0-9a-f]+)$", after[0]).group(1), 16)
    assert guard <= rsp < bottom + PAGE_BYTES, f"RSP {rsp:#x}, guard page {guard:#x}\n{debug}"
    cr2 = re.match(r"CR2 (0x[0-9a-f]+): in the guard page below the kernel stack: "
                   r"a stack overflow$", after[1])
    assert cr2 and guard <= int(cr2.group(1), 16) < bottom, debug
    assert after[2] == "halted.", debug
    assert "no overflow" not in debug
    screen = machine.screen()
    assert headline in screen, screen.framed()
    assert screen.colour_of(headline) == ("white", "red")


def test_triple_fault_is_reported_as_such(chapter, boot, emulator):
    machine = boot(grub(chapter, "triple_fault.iso"), emulator,
                   **({"trace_interrupts": True} if emulator == "qemu" else {}))
    machine.wait_for("loading an empty IDT, then INT3", source="debug", timeout=30)
    ended = machine.wait_exit(timeout=30)
    assert ended.kind == "triple-fault", ended
    if emulator == "qemu":
        # INT3 -> #GP (its gate is past the IDT's limit) -> #DF -> a #GP again,
        # which cannot be delivered while delivering the double fault.
        assert ended.last_exception == "vector 13 while delivering vector 8", ended
    else:
        assert "third exception (vector 13)" in ended.detail, ended
    assert "halted." not in machine.debug_output()


MAX_INSTRUCTION_BYTES = 15      # x86's longest instruction (Intel SDM vol. 2, 2.3.11)


def objdump_at(elf, address):
    """The bytes (hex, upper case) and mnemonic objdump decodes at `address` in `elf`."""
    out = subprocess.run(["objdump", "-d", "-M", "intel", f"--start-address={address:#x}",
                          f"--stop-address={address + MAX_INSTRUCTION_BYTES:#x}", str(elf)],
                         stdout=subprocess.PIPE, text=True, check=True).stdout
    line = re.search(rf"^\s*{address:x}:\s+((?:[0-9a-f]{{2}} )+)\s*(\w+)", out, re.M)
    assert line, out
    return line.group(1).replace(" ", "").upper(), line.group(2)


def make_debug(chapter, commands, *variables):
    """`make debug` with gdb reading `commands` instead of a person."""
    result = subprocess.run(["make", "--no-print-directory", "-C", str(chapter.root), "debug",
                             *variables], input=commands, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    return result.stdout


def test_make_debug_follows_the_cpu_across_modes(chapter):
    # The GRUB path: stops at start, protected_mode_start, long_mode_start, kmain.
    out = make_debug(chapter, "continue\ncontinue\ncontinue\ninfo args\nquit\n")
    # 32-bit code, disassembled as 32-bit code (ndisasm -b 32).
    assert re.search(r"^32-bit protected mode   EIP 001[0-9a-f]{5}", out, re.M), out
    # The instruction shown at `start` is the one the kernel has there, decoded
    # as 32-bit code: its bytes and mnemonic match objdump's reading of kernel.elf.
    shown = re.search(r"^(001[0-9A-Fa-f]{5})  ([0-9A-F]+) +(\w+)", out, re.M)
    assert shown, out
    address, code, mnemonic = int(shown.group(1), 16), shown.group(2), shown.group(3)
    assert address == symbol(chapter, "kernel.elf", "start"), out
    assert (code, mnemonic) == objdump_at(chapter.image("kernel.elf"), address), out
    assert "Breakpoint 1, start ()" in out, out
    assert "Breakpoint 2, protected_mode_start ()" in out, out
    # 64-bit code, by gdb itself.
    assert re.search(r"^64-bit long mode   RIP 00000000001[0-9a-f]{5}", out, re.M), out
    assert "Breakpoint 3, long_mode_start ()" in out, out
    # 64-bit C with its arguments: the GRUB path (2) and the Multiboot2 magic.
    assert "Breakpoint 4, kmain (boot_path=2, magic=920085129, info=" in out, out
    assert "boot_path = 2" in out, out


def test_make_debug_shows_stage2_as_16_bit_code(chapter):
    # The loader path, with its own symbols: the first stop is stage 2's first
    # instruction, in real mode, disassembled by ndisasm -b 16.
    out = make_debug(chapter, "continue\nquit\n", "RUN_IMAGE=build/payload.hd.img",
                     "RUN_MEDIA=hd", "DEBUG_SYMBOLS=build/payload.elf")
    assert re.search(r"^16-bit real mode    CS:IP 0000:8000", out, re.M), out
    assert re.search(r"^00008000  BE[0-9A-F]{4} +mov si,0x[0-9a-f]+$", out, re.M), out
    assert "Breakpoint 1, start () at stage2.asm" in out, out
    assert re.search(r"^32-bit protected mode   EIP 00008[0-9a-f]{3}", out, re.M), out
    assert "Breakpoint 2, protected_mode_start ()" in out, out


def test_wrong_magic_is_refused_in_64_bit_c(chapter, boot, emulator):
    # build/multiboot1.iso: grub's old `multiboot` command starts the same
    # entry point with Multiboot 1's magic; kmain checks it before trusting EBX.
    machine = boot(grub(chapter, "multiboot1.iso"), emulator)
    message = "error: wrong boot magic 0x2badb002, expected 0x36d76289"
    machine.wait_for(message, source="debug", timeout=30)
    machine.wait_for("halted.", source="debug", timeout=10)
    regs = machine.wait_halted(timeout=10)
    assert regs.efer & EFER_LMA, regs.raw           # refused from 64-bit code
    screen = machine.screen()
    assert screen.colour_of(message) == ("white", "red")
    assert "booted by:" not in machine.debug_output()
