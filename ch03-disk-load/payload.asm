; payload.asm -- what stage 1 loads in ch03: code that proves it arrived whole.
;
; Who jumps here: stage 1 (stage1.asm), with a far jump to
;   0000:LOAD_ADDRESS (0x8000 by default), in 16-bit real mode, after it has
;   read all of this file from LBA 1 of the boot drive.
;   CS = DS = ES = SS = 0, SP = 0x7C00, DL = the boot drive, interrupts on.
; What it does: says where it runs and which drive it came from, then computes
;   a Fletcher-16 checksum over its own sectors (all but the last two bytes)
;   and compares it with the last two bytes, where the build (checksum.py)
;   stored the checksum of the file. It prints
;       70 sectors, checksum OK
;   or, when a byte differs from the file,
;       70 sectors, checksum BAD: computed 0x...., stored 0x....
; Where it goes: nowhere: it halts (cli; hlt) either way.
;
; Layout, in the file and in memory from LOAD_ADDRESS:
;   sectors 0-1    this code and its messages                (CODE_SECTORS)
;   sectors 2-69   labelled filler: "ch03 payload sector NN" (FILLER_SECTORS)
;                  70 sectors in all, so the load crosses a floppy head (LBA 18)
;                  and cylinder (LBA 36), a hard disk's 63-sector track, and the
;                  64 KiB line at 0x10000 (payload sector 64, with 0x8000)
;   last 2 bytes   the checksum (CHECKSUM_BYTES)

bits 16
global start
extern payload_sectors          ; from the linker script: our size in sectors

SECTOR_BYTES        equ 512
PARAGRAPH_BYTES     equ 16
SECTOR_PARAGRAPHS   equ SECTOR_BYTES / PARAGRAPH_BYTES
LOAD_SEGMENT        equ LOAD_ADDRESS / PARAGRAPH_BYTES  ; LOAD_ADDRESS: from the build (-D)
CHECKSUM_BYTES      equ 2
CODE_SECTORS        equ 2
FILLER_SECTORS      equ 68
DECIMAL             equ 10

section .text
start:
    ; 1. Where we run: CS from the register, IP from the return address of a
    ;    call, and the drive in DL (the print routines keep every register).
    ;    Nothing is stored in our own bytes before the checksum is checked:
    ;    that would change what the checksum covers.
    mov si, msg_running
    call print_string
    mov ax, cs
    call print_hex
    mov si, msg_ip
    call print_string
    call .here
.here:
    pop ax                          ; AX = the IP of .here
    sub ax, .here - start           ; ... and of start
    call print_hex
    mov si, msg_drive
    call print_string
    mov al, dl
    xor ah, ah                      ; AX = the boot drive
    call print_hex
    call print_newline

    ; 2. Did every byte arrive? Compare the checksum of what is in memory with
    ;    the one the build stored in our last two bytes.
    mov ax, payload_sectors
    call print_decimal
    call checksum_payload           ; AX = computed, BX = stored
    cmp ax, bx
    jne .bad
    mov si, msg_ok
    call print_string
    call print_newline
    jmp halt

.bad:
    mov si, msg_bad
    call print_string
    call print_hex                  ; computed
    mov si, msg_stored
    call print_string
    mov ax, bx
    call print_hex                  ; stored
    call print_newline
    ; fall through

halt:
    cli                             ; halt for good: no interrupt may wake the CPU
.halt:
    hlt
    jmp .halt

; checksum_payload
;   IN:       nothing: the payload is payload_sectors sectors from LOAD_ADDRESS
;   OUT:      AX = Fletcher-16 of all but its last two bytes (AH = sum2, AL = sum1)
;             BX = the checksum stored in those last two bytes
;   CLOBBERS: nothing else
; Fletcher-16 with ones' complement (end-around carry) sums of bytes, modulo
; 255, as in RFC 1146; unlike a plain sum it also notices sectors that arrive
; in the wrong order. The payload reaches past 0xFFFF, so DS moves one sector
; (32 paragraphs) at a time and SI stays within 0-511.
checksum_payload:
    push cx
    push dx
    push si
    push di
    push ds
    xor bx, bx                      ; BL = sum1, BH = sum2
    mov dx, LOAD_SEGMENT
    mov di, payload_sectors
.sector:
    mov ds, dx
    xor si, si
    mov cx, SECTOR_BYTES
    cmp di, 1
    jne .byte
    sub cx, CHECKSUM_BYTES          ; the last sector: stop before the checksum
.byte:
    lodsb
    add bl, al
    adc bl, 0                       ; end-around carry: modulo 255
    add bh, bl
    adc bh, 0
    loop .byte
    add dx, SECTOR_PARAGRAPHS
    dec di
    jnz .sector
    mov ax, bx
    mov bx, [si]                    ; DS:SI = the last two bytes
    pop ds
    pop di
    pop si
    pop dx
    pop cx
    ret

; print_decimal
;   IN:       AX = value
;   OUT:      its decimal digits on screen and port 0xE9
;   CLOBBERS: nothing
print_decimal:
    pusha
    mov bx, DECIMAL
    xor cx, cx
.divide:
    xor dx, dx
    div bx                          ; AX = quotient, DX = the lowest digit
    push dx
    inc cx
    test ax, ax
    jnz .divide
.digit:
    pop ax
    add al, '0'
    call print_char
    loop .digit
    popa
    ret

%include "print16.inc"

msg_running:    db "Payload running at CS=", 0
msg_ip:         db " IP=", 0
msg_drive:      db ", boot drive DL=", 0
msg_ok:         db " sectors, checksum OK", 0
msg_bad:        db " sectors, checksum BAD: computed ", 0
msg_stored:     db ", stored ", 0

    ; The code must fit in CODE_SECTORS: if it grows, NASM stops here with
    ; "TIMES value is negative"; raise CODE_SECTORS.
    times CODE_SECTORS * SECTOR_BYTES - ($ - $$) db 0

    ; Filler, so that loading crosses track, head and 64 KiB boundaries. Each
    ; sector starts with its label: `hd build/payload.bin | grep sector` shows them.
%define LABEL_PREFIX "ch03 payload sector "
%assign sector CODE_SECTORS
%rep FILLER_SECTORS
    %defstr label sector
    db LABEL_PREFIX, label, 0
    ; the rest of the sector is zeros; the last one keeps room for the checksum
    times SECTOR_BYTES - %strlen(LABEL_PREFIX) - %strlen(label) - 1 \
          - (sector == CODE_SECTORS + FILLER_SECTORS - 1) * CHECKSUM_BYTES db 0
    %assign sector sector + 1
%endrep

    ; The last two bytes of the last sector: the checksum, filled in by checksum.py.
payload_checksum:
    times CHECKSUM_BYTES db 0
