# gdb across mode switches: `make debug` in ch05, where one boot runs 16-bit,
# 32-bit and 64-bit code.
#
# QEMU's gdb stub (qemu-system-x86_64) always describes a 64-bit CPU, so gdb's
# architecture stays i386:x86-64 whatever mode the CPU is in: its x/i would
# decode 16- and 32-bit code as 64-bit code (wrongly: 0x40-0x4F are INC/DEC
# in 32-bit code and REX prefixes in 64-bit code). Switching gdb's
# architecture by hand does not work either: the stub keeps sending 64-bit
# registers. So at every stop this script asks the CPU which mode it is in
# and picks the disassembler:
#   CR0.PE = 0            16-bit real mode       ndisasm -b 16 at CS*16+IP
#   CR0.PE = 1, EFER.LMA = 0  32-bit protected   ndisasm -b 32 at EIP
#   EFER.LMA = 1          64-bit long mode       gdb's own x/i
# (Between setting CR0.PG and the far jump, two instructions run in 32-bit
# compatibility mode with EFER.LMA = 1; they are shown as 64-bit code.)
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

define where
    if ($cr0 & 1) == 0
        printf "16-bit real mode    CS:IP %04x:%04x  SS:SP %04x:%04x  AX %04x BX %04x CX %04x DX %04x\n", $cs, (int)$pc & 0xffff, $ss, (int)$sp & 0xffff, (int)$rax & 0xffff, (int)$rbx & 0xffff, (int)$rcx & 0xffff, (int)$rdx & 0xffff
        # (one word: gdb splits a user command's arguments at spaces)
        set $where_linear = ($cs << 4) + ((int)$pc & 0xffff)
        dis16 $where_linear
    else
        if ($efer & 0x400) == 0
            printf "32-bit protected mode   EIP %08x  ESP %08x  CS %04x\n", (int)$pc, (int)$sp, $cs
            printf "EAX %08x  EBX %08x  ECX %08x  EDX %08x  ESI %08x  EDI %08x\n", (int)$rax, (int)$rbx, (int)$rcx, (int)$rdx, (int)$rsi, (int)$rdi
            dis32 $pc
        else
            printf "64-bit long mode   RIP %016lx  RSP %016lx  CS %04x  CR3 %08lx\n", $pc, $sp, $cs, $cr3
            x/4i $pc
        end
    end
end
document where
Which mode the CPU is in (from CR0.PE and EFER.LMA), its registers, the next instructions.
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
