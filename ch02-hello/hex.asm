; hex.asm -- print_hex on values chosen to catch its mistakes.
;
; Who jumps here: the BIOS, in 16-bit real mode, at linear address 0x7C00.
; What it shows: one line of hex numbers. Each is a case that a hand-written
;   hex printer gets wrong at least once: zero, the last decimal digit (9),
;   the first letter (A, where '9'+1 is ':' not 'A'), digits in every position,
;   and all ones.
; Where it goes: nowhere (cli; hlt). The tests compare the line with the table.
; print_hex promises to clobber nothing: AX is compared after each call (a
; change is printed), and BX, CX, DX, DI and BP hold values nothing here
; touches, which the tests read from the CPU when it halts.

bits 16
global start

section .text
start:
    jmp 0x0000:.normalized
.normalized:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    sti
    cld

    mov bx, KEEP_BX
    mov cx, KEEP_CX
    mov dx, KEEP_DX
    mov di, KEEP_DI
    mov bp, KEEP_BP
    mov si, values
.next:
    lodsw                           ; AX = next value, SI += 2
    cmp si, values_end + 2          ; read past the table? (the sentinel is not printed)
    jae .done
    call print_hex
    cmp ax, [si - 2]
    je .kept
    mov si, msg_ax_changed
    call print_string
    jmp .done
.kept:
    mov al, ' '
    call print_char
    jmp .next
.done:
    call print_newline
    cli
.halt:
    hlt
    jmp .halt

%include "print16.inc"

KEEP_BX     equ 0xB0B0              ; what print_hex must leave in these
KEEP_CX     equ 0xC0C0
KEEP_DX     equ 0xD0D0
KEEP_DI     equ 0xD1D1
KEEP_BP     equ 0xB1B1
msg_ax_changed: db "print_hex changed AX", 0

values:     dw 0x0000, 0x0009, 0x000A, 0x000F, 0x0010, 0x1234, 0x7C00, 0xBEEF, 0xFFFF
values_end: dw 0                    ; sentinel: the loop stops after reading it
