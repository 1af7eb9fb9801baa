; multiboot_entry.asm: the GRUB way in.
;
; Who jumps here: GRUB, to the ELF entry point `start`, after loading
;   kernel.elf at 1 MiB (common/mk/multiboot2_kernel.ld) because of the
;   Multiboot2 header in chapter 4's multiboot2_header.asm (BUILDS_ON).
; CPU mode: 32-bit protected mode, flat segments, paging off, interrupts off
;   (Multiboot2 spec 3.3, I386 machine state). GRUB already did what
;   stage2.asm does by hand.
; Registers: EAX = the Multiboot2 magic, EBX = the boot information.
; Stack: none we may use.
; Where it goes: protected_mode_start (long_mode.asm), with
;   EAX = BOOT_PATH_MULTIBOOT2, EBX = the boot information, ECX = the magic.
;   kmain checks the magic, in 64-bit C.

bits 32
section .text                       ; (.text: NASM's line numbers for gdb cover only .text)
global start
extern protected_mode_start
start:
    mov ecx, eax
    mov eax, BOOT_PATH_MULTIBOOT2
    jmp protected_mode_start
