; hex.asm -- print_hex on values chosen to catch its mistakes.
;
; Who jumps here: the BIOS, in 16-bit real mode, at linear address 0x7C00.
; What it shows: one line of hex numbers. Each is a case that a hand-written
;   hex printer gets wrong at least once: zero, the last decimal digit (9),
;   the first letter (A, where '9'+1 is ':' not 'A'), digits in every position,
;   and all ones.
; Where it goes: nowhere (cli; hlt). The tests compare the line with the table.

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

    mov si, values
.next:
    lodsw                           ; AX = next value, SI += 2
    cmp si, values_end + 2          ; read past the table? (the sentinel is not printed)
    jae .done
    call print_hex
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

values:     dw 0x0000, 0x0009, 0x000A, 0x000F, 0x0010, 0x1234, 0x7C00, 0xBEEF, 0xFFFF
values_end: dw 0                    ; sentinel: the loop stops after reading it
