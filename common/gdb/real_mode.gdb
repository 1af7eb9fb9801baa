# gdb for 16-bit real mode: `make debug` in the BIOS chapters 1-3.
#
# QEMU's gdb stub describes an x86-64 CPU and gdb decodes instructions as
# 32- or 64-bit code whatever `set architecture` says, so every stop shows
# 16-bit registers and hands the bytes at CS*16+IP to ndisasm -b 16 (NASM's
# disassembler, Intel syntax) instead of gdb's x/i.
#
# Commands added here:
#   where16      registers and the next instructions (runs at every stop)
#   dis16 ADDR   the instructions at linear address ADDR (one word: 0x7c00 or $var)

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
    set $dis16_at = (int)($arg0)
    set $dis16_end = $dis16_at + 24
    eval "dump binary memory %s %d %d", $scratch, $dis16_at, $dis16_end
    eval "shell ndisasm -b 16 -o %d '%s' | head -n 6", $dis16_at, $scratch
end
document dis16
dis16 ADDR: disassemble 16-bit code at linear address ADDR with ndisasm.
end

define where16
    printf "CS:IP %04x:%04x  (linear 0x%05x)   SS:SP %04x:%04x   DS %04x  ES %04x\n", $cs, (int)$pc & 0xffff, ($cs << 4) + ((int)$pc & 0xffff), $ss, (int)$sp & 0xffff, $ds, $es
    printf "AX %04x  BX %04x  CX %04x  DX %04x  SI %04x  DI %04x  FLAGS %04x\n", (int)$rax & 0xffff, (int)$rbx & 0xffff, (int)$rcx & 0xffff, (int)$rdx & 0xffff, (int)$rsi & 0xffff, (int)$rdi & 0xffff, (int)$eflags & 0xffff
    set $where16_ip = ($cs << 4) + ((int)$pc & 0xffff)
    dis16 $where16_ip
end
document where16
Registers as 16-bit values and the next instructions at CS*16+IP.
end

define hook-stop
    where16
end

# Stop where the BIOS hands over: the first instruction of the boot sector.
break *0x7c00
echo Continuing to 0x7c00, where the BIOS jumps to the boot sector...\n
continue
