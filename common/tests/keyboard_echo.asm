; keyboard_echo.asm: a boot sector that echoes every key to port 0xE9, for the
; harness's own keyboard tests (common/tests/test_keyboard.py).
;
; Who jumps here: the BIOS, in 16-bit real mode, at 0x7C00.
; What it does: writes READY_MARK to port 0xE9 (keys typed before the BIOS has
;   set up its keyboard buffer are lost, so the test waits for it), then reads
;   keys with int 0x16 and writes each one's ASCII code to port 0xE9, forever.

bits 16

; DEBUG_PORT (0xE9) comes from the build (common/mk/tools.mk).
READY_MARK      equ '>'
BIOS_KEYBOARD   equ 0x16        ; int 0x16: keyboard services
KEY_READ        equ 0x00        ;   AH=00h: wait for a key; AL = its ASCII code

global start
section .text
start:
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7C00
    mov al, READY_MARK
    out DEBUG_PORT, al
.next_key:
    mov ah, KEY_READ
    int BIOS_KEYBOARD
    out DEBUG_PORT, al
    jmp .next_key
