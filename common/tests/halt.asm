; halt.asm -- a boot sector that sleeps for good, to test `make run`'s launcher.
;
; Who jumps here: the BIOS, in 16-bit real mode, at 0x7C00.
; What happens: interrupts off, then hlt; the BIOS's screen stays as it was.

bits 16
global start

section .text
start:
    cli
.halt:
    hlt
    jmp .halt
