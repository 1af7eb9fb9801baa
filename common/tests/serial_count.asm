; serial_count.asm: a boot sector that writes a long, known byte sequence to
; COM1, for the harness's serial port test (common/tests/test_serial.py).
;
; Who jumps here: the BIOS, in 16-bit real mode, at 0x7C00.
; What it does: writes SERIAL_BYTES bytes to COM1, byte i being i mod
;   SEQUENCE_MODULUS (a prime, so a lost or doubled byte shows wherever it
;   is), each once the UART says its transmit register is empty. ECX counts
;   the bytes handed over, for the test to read. Then DONE_MARK to port 0xE9,
;   and a halt.

bits 16

; DEBUG_PORT (0xE9) comes from the build (common/mk/tools.mk).
COM1            equ 0x3F8       ; transmit holding register
COM1_LSR        equ COM1 + 5    ; line status register
LSR_THRE        equ 0x20        ;   the transmit holding register is empty
SERIAL_BYTES    equ 262144      ; four times what a Linux pipe holds
SEQUENCE_MODULUS equ 251
DONE_MARK       equ '!'

global start
section .text
start:
    cli                         ; no memory, no stack: only ports and registers
    xor ecx, ecx                ; bytes handed to the UART
    xor bl, bl                  ; the next byte
.next:
    mov dx, COM1_LSR
.wait:
    in al, dx
    test al, LSR_THRE
    jz .wait
    mov dx, COM1
    mov al, bl
    out dx, al
    inc ecx
    inc bl
    cmp bl, SEQUENCE_MODULUS
    jb .counted
    xor bl, bl
.counted:
    cmp ecx, SERIAL_BYTES
    jb .next
    mov al, DONE_MARK
    out DEBUG_PORT, al
.halt:
    hlt
    jmp .halt
