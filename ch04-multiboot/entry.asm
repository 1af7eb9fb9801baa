; entry.asm: where the kernel starts.
;
; Who jumps here: GRUB, to the ELF entry point `start` (common/mk/multiboot2_kernel.ld),
;   after it found the Multiboot2 header and loaded the kernel at 1 MiB.
; CPU mode: 32-bit protected mode, paging off, interrupts off (Multiboot2 spec 3.3).
;   CS is a flat 4 GiB code segment, DS/ES/FS/GS/SS flat data segments; the GDT
;   and IDT are GRUB's and must not be relied on.
; Registers: EAX = 0x36D76289 (MB2_BOOTLOADER_MAGIC) if a Multiboot2 loader
;   started us; EBX = physical address of the boot information.
; Stack: none we may use (ESP is undefined); we set up our own.
; Next: kmain(magic, info) in kmain.c, cdecl: arguments on the stack, pushed
;   right to left. kmain does not return.

BITS 32

VGA_TEXT_BASE   equ 0xB8000
VGA_TEXT_CELLS  equ 80 * 25
BLANK_CELL      equ 0x0720          ; ' ' light grey on black
; "OK" in white on green, the kernel's first sign of life: two cells,
; attribute 0x2F then character, little-endian: 0x2F4B ('K') 0x2F4F ('O').
OK_CELLS        equ 0x2F4B2F4F
STACK_BYTES     equ 16384

section .bss
align 16
stack_bottom:
    resb STACK_BYTES
stack_top:

section .text                       ; (.text: NASM's line numbers for gdb cover only .text)
global start
extern kmain
extern panic                        ; common/drivers/console.c, cdecl
start:
    ; Our own stack, 16-byte aligned as the System V i386 ABI expects at a call.
    mov esp, stack_top
    ; String instructions count upwards; GRUB does not promise DF=0.
    cld

    ; Clear the screen (GRUB's last words are still on it) and say OK.
    mov edx, eax                    ; keep the magic: rep stosw needs EAX
    mov edi, VGA_TEXT_BASE
    mov ecx, VGA_TEXT_CELLS
    mov ax, BLANK_CELL
    rep stosw
    mov dword [VGA_TEXT_BASE], OK_CELLS

    ; kmain(magic, info): push the arguments right to left.
    sub esp, 8                      ; keep ESP 16-byte aligned at the call
    push ebx                        ; info
    push edx                        ; magic
    call kmain

    ; kmain never returns; if it ever does, say so and halt (panic does not return).
    push kmain_returned
    call panic

section .rodata
kmain_returned: db "kmain returned", 0
