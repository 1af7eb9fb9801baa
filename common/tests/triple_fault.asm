; triple_fault.asm -- a boot sector that triple-faults, to test the harness.
;
; Who jumps here: the BIOS, in 16-bit real mode, at 0x7C00.
; What happens: the IDT limit is set to 0, so the breakpoint exception (int3,
;   vector 3) cannot be delivered: that raises a general protection fault
;   (vector 13), which cannot be delivered either (a double fault, vector 8),
;   which cannot be delivered: the third strike resets the CPU.

bits 16
global start

section .text
start:
    cli
    xor ax, ax
    mov ds, ax
    lidt [empty_idt]
    int3                        ; vector 3 through an IDT with no entries
.halt:
    hlt                         ; not reached
    jmp .halt

empty_idt:
    dw 0                        ; limit: no room for any entry
    dd 0                        ; base
