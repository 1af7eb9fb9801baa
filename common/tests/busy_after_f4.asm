; busy_after_f4.asm -- a boot sector that never halts, though it looks halted
; to anyone who guesses from the code: it spins on one instruction, and the
; byte before that instruction is F4, the opcode of HLT.
;
; Who jumps here: the BIOS, in 16-bit real mode, at 0x7C00.
; What happens: interrupts off, then `jmp $` for good. Two looks at the
; processor find the same IP with F4 just before it, as after a HLT.

bits 16
global start

OPCODE_HLT  equ 0xF4

section .text
start:
    cli
    jmp .spin
    db OPCODE_HLT           ; data, never run
.spin:
    jmp .spin
