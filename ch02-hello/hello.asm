; hello.asm -- "Hello, world!" through the BIOS, in NASM.
;
; Who jumps here: the BIOS, in 16-bit real mode, at linear address 0x7C00,
;   with DL = the boot drive. CS:IP may be 0000:7C00 or 07C0:0000, and no
;   other register, segment or stack is promised.
; What it does: sets up segments and a stack it can trust, prints a greeting,
;   then halts for good.
; Where it goes: nowhere (cli; hlt).
;
; The printing routines live in print16.inc, in this folder: ch03 and ch05
; build on this chapter (BUILDS_ON in their Makefiles) and reuse them.

bits 16
global start

STACK_TOP           equ 0x7C00      ; the stack grows down from just below us

section .text
start:
    ; Make CS 0000 whatever the BIOS chose, so that the addresses the
    ; linker computed (which assume segment 0) are right.
    jmp 0x0000:.normalized          ; a far jump loads CS
.normalized:
    cli                             ; no interrupts while SS:SP is half set
    xor ax, ax
    mov ds, ax                      ; DS = 0: our data is at 0x7Cxx
    mov es, ax
    mov ss, ax
    mov sp, STACK_TOP               ; SS:SP = 0000:7C00, below the code
    sti                             ; the BIOS's video service may need interrupts
    cld                             ; string instructions count upwards

    mov si, greeting
    call print_string
    call print_newline

    cli                             ; done: halt with interrupts off, so for good
.halt:
    hlt
    jmp .halt

%include "print16.inc"

greeting: db "Hello, world!", 0
