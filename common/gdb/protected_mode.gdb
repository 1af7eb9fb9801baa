# gdb for a 32-bit protected-mode kernel: `make debug` in ch04.
#
# The chapter's Makefile runs its debug QEMU as qemu-system-i386, whose gdb
# stub describes a 32-bit CPU: gdb's architecture (i386) then matches the
# kernel's ELF file and its 32-bit DWARF, so breakpoints, `list`, `info
# locals`, `bt` and x/i all read the code as it was compiled.
# The launcher has already connected (target remote) and loaded the kernel's
# symbols (add-symbol-file), in that order.
#
# Commands added here:
#   where32      registers and the next instructions (runs at every stop)
#   vga          the first rows of the text screen at 0xB8000, as text

set confirm off
set pagination off
set disassembly-flavor intel

define where32
    printf "EIP %08x  ESP %08x  EBP %08x  EFLAGS %08x  CS %04x  DS %04x  SS %04x\n", $eip, $esp, $ebp, $eflags, $cs, $ds, $ss
    printf "EAX %08x  EBX %08x  ECX %08x  EDX %08x  ESI %08x  EDI %08x\n", $eax, $ebx, $ecx, $edx, $esi, $edi
    x/4i $pc
end
document where32
Registers as 32-bit values and the next instructions.
end

define vga
    set $vga_row = 0
    while $vga_row < 12
        # Print up to the last character that is not a space.
        set $vga_end = 80
        while $vga_end > 0 && *(unsigned char *)(0xb8000 + ($vga_row * 80 + $vga_end - 1) * 2) == ' '
            set $vga_end = $vga_end - 1
        end
        set $vga_col = 0
        while $vga_col < $vga_end
            printf "%c", *(unsigned char *)(0xb8000 + ($vga_row * 80 + $vga_col) * 2)
            set $vga_col = $vga_col + 1
        end
        printf "\n"
        set $vga_row = $vga_row + 1
    end
end
document vga
The top 12 rows of the VGA text screen (characters only).
end

define hook-stop
    where32
end

# GRUB runs first (it is real code too: it would take thousands of steps);
# stop where our C code begins. `break start` stops at the assembly entry.
break kmain
echo Continuing to kmain (GRUB loads the kernel first, a second or two)...\n
continue
