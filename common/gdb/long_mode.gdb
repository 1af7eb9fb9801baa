# gdb across mode switches: `make debug` in ch05, where one boot runs 16-bit,
# 32-bit and 64-bit code.
#
# QEMU's gdb stub (qemu-system-x86_64) always describes a 64-bit CPU, so gdb's
# architecture stays i386:x86-64 whatever mode the CPU is in: its x/i would
# decode 16- and 32-bit code as 64-bit code (wrongly: 0x40-0x4F are INC/DEC
# in 32-bit code and REX prefixes in 64-bit code). Switching gdb's
# architecture by hand does not work either: the stub keeps sending 64-bit
# registers. So at every stop this script asks the CPU which mode it is in
# and picks the disassembler from what the CPU really uses: the hidden part
# of CS, loaded from a descriptor by the last far jump (or a real-mode value),
# not CR0.PE. Right after `mov cr0` sets PE the CPU still runs 16-bit code
# until the far jump reloads CS. QEMU's `info registers` prints that hidden
# part ("CS =0008 00000000 ffffffff 00cf9a00"): base, limit, attributes, where
# bit 22 is D (32-bit default size) and bit 21 is L (64-bit code).
#   CR0.PE = 0                      16-bit real mode      ndisasm -b 16 at base+IP
#   PE = 1, CS.D = 0, not 64-bit    16-bit protected mode ndisasm -b 16 at base+IP
#   PE = 1, CS.D = 1, not 64-bit    32-bit protected mode ndisasm -b 32 at EIP
#   EFER.LMA = 1 and CS.L = 1       64-bit long mode      gdb's own x/i
# (With EFER.LMA = 1 and CS.L = 0, between setting CR0.PG and the far jump,
# the CPU runs 32-bit compatibility mode: shown as 32-bit code.)
# Symbols come from the ELF file (the launcher ran add-symbol-file after
# connecting); in 64-bit C, `list`, `info locals`, `bt` and `next` work as usual.
#
# Commands added here:
#   where        the mode, registers and next instructions (runs at every stop)
#   dis16 ADDR   16-bit code at linear address ADDR, with ndisasm
#   dis32 ADDR   32-bit code at ADDR, with ndisasm

set confirm off
set pagination off
set disassembly-flavor intel

# A scratch file for ndisasm, in a folder of this gdb session's own: mkdtemp
# makes it under $TMPDIR (or /tmp) readable by this user only, so two people,
# or two sessions of one person, never share it; it is removed when gdb exits.
python
import atexit, shutil, tempfile
_bootcamp_scratch = tempfile.mkdtemp(prefix="bootcamp-gdb-")
atexit.register(shutil.rmtree, _bootcamp_scratch, ignore_errors=True)
gdb.set_convenience_variable("scratch", _bootcamp_scratch + "/code.bin")
end

define dis16
    eval "dump binary memory %s %d %d", $scratch, (int)($arg0), (int)($arg0)+24
    eval "shell ndisasm -b 16 -o %d '%s' | head -n 5", (int)($arg0), $scratch
end
document dis16
dis16 ADDR: disassemble 16-bit code at linear address ADDR with ndisasm.
end

define dis32
    eval "dump binary memory %s %d %d", $scratch, (int)($arg0), (int)($arg0)+32
    eval "shell ndisasm -b 32 -o %d '%s' | head -n 5", (int)($arg0), $scratch
end
document dis32
dis32 ADDR: disassemble 32-bit code at ADDR with ndisasm.
end

# $cs_attributes(): the hidden attribute bits of CS, from QEMU's monitor
# (-1 when the stub has no monitor: then CR0.PE alone decides, as before).
# $cs_base(): the hidden base of CS (in real mode, CS * 16).
python
import re

def _bootcamp_cs_line():
    try:
        text = gdb.execute("monitor info registers", to_string=True)
    except gdb.error:
        return None
    return re.search(r"^CS =[0-9a-f]+ ([0-9a-f]+) [0-9a-f]+ ([0-9a-f]+)", text, re.M)

class _CsAttributes(gdb.Function):
    def __init__(self):
        super().__init__("cs_attributes")
    def invoke(self):
        line = _bootcamp_cs_line()
        return int(line.group(2), 16) if line else -1

class _CsBase(gdb.Function):
    def __init__(self):
        super().__init__("cs_base")
    def invoke(self):
        line = _bootcamp_cs_line()
        return int(line.group(1), 16) if line else -1

_CsAttributes()
_CsBase()
end

define where
    set $where_attributes = $cs_attributes()
    set $where_base = $cs_base()
    if $where_attributes == -1
        # No monitor: guess from CR0.PE, with the real-mode base CS * 16.
        set $where_attributes = ($cr0 & 1) ? (1 << 22) : 0
        set $where_base = $cs << 4
    end
    set $where_d = ($where_attributes >> 22) & 1
    set $where_l = ($where_attributes >> 21) & 1
    if ($efer & 0x400) && $where_l
        printf "64-bit long mode   RIP %016lx  RSP %016lx  CS %04x  CR3 %08lx\n", $pc, $sp, $cs, $cr3
        x/4i $pc
    else
        if $where_d
            if $efer & 0x400
                printf "32-bit compatibility mode (long mode, CS.L = 0)   EIP %08x  ESP %08x  CS %04x\n", (int)$pc, (int)$sp, $cs
            else
                printf "32-bit protected mode   EIP %08x  ESP %08x  CS %04x\n", (int)$pc, (int)$sp, $cs
            end
            printf "EAX %08x  EBX %08x  ECX %08x  EDX %08x  ESI %08x  EDI %08x\n", (int)$rax, (int)$rbx, (int)$rcx, (int)$rdx, (int)$rsi, (int)$rdi
            dis32 $pc
        else
            # One printf a line: gdb may break a line between two printfs.
            if ($cr0 & 1) == 0
                printf "16-bit real mode    CS:IP %04x:%04x  SS:SP %04x:%04x  AX %04x BX %04x CX %04x DX %04x\n", $cs, (int)$pc & 0xffff, $ss, (int)$sp & 0xffff, (int)$rax & 0xffff, (int)$rbx & 0xffff, (int)$rcx & 0xffff, (int)$rdx & 0xffff
            else
                printf "16-bit code, protected mode (CS.D = 0 until a far jump loads CS)    CS:IP %04x:%04x  SS:SP %04x:%04x  AX %04x BX %04x CX %04x DX %04x\n", $cs, (int)$pc & 0xffff, $ss, (int)$sp & 0xffff, (int)$rax & 0xffff, (int)$rbx & 0xffff, (int)$rcx & 0xffff, (int)$rdx & 0xffff
            end
            # (one word: gdb splits a user command's arguments at spaces)
            set $where_linear = $where_base + ((int)$pc & 0xffff)
            dis16 $where_linear
        end
    end
end
document where
Which mode the CPU runs (from CR0.PE, EFER.LMA and the D and L bits of the CS
descriptor it really uses), its registers, the next instructions.
end

define hook-stop
    where
end

# A stop in each mode: the entry point (`start`: stage 2's first, 16-bit,
# instruction on the loader path; GRUB's 32-bit way in on the other), the
# first 32-bit instruction both ways share, the first 64-bit one, and the C
# kernel. `continue` goes from one to the next.
break start
break protected_mode_start
break long_mode_start
break kmain
echo Continuing to start, protected_mode_start (32-bit), long_mode_start (64-bit), kmain...\n
continue
