; stage1.asm -- the MBR loader: load a payload from the boot drive, jump to it.
;
; Who jumps here: the BIOS, after loading this sector (LBA 0 of the boot drive)
;   to linear 0x7C00, in 16-bit real mode, with DL = the boot drive. CS:IP may
;   be 0000:7C00 or 07C0:0000; no other register, segment or stack is promised.
; What it does: PAYLOAD_SECTORS sectors, from LBA 1 on, go to linear
;   LOAD_ADDRESS and up, one sector at a time (disk16.inc: LBA
;   through the int 0x13 extensions when the BIOS has them, CHS otherwise).
;   A read that fails DISK_READ_ATTEMPTS times prints
;       Disk error 0x00SS at LBA 0xNNNN       (SS = BIOS status of int 0x13)
;   on the screen and port 0xE9, and halts: nothing half-loaded ever runs.
; Where it goes: a far jump to 0000:LOAD_ADDRESS, the payload's first byte, with
;       CS = DS = ES = SS = 0, IP = LOAD_ADDRESS, SP = 0x7C00 (the stack grows
;       down from below this sector), DL = the boot drive as the BIOS gave it,
;       interrupts enabled, direction flag clear.
;   So the payload is linked (or `org`ed) at LOAD_ADDRESS, its offsets are linear
;   addresses, and it can call the BIOS right away.
;
; Parameters, from the build (common/mk/loader.mk passes them with -D):
;   PAYLOAD_SECTORS  how many sectors to load, computed from the payload's size
;   LOAD_ADDRESS     linear address of the payload: 512-byte aligned, in
;                    0x7E00-0xFE00 so that 0000:LOAD_ADDRESS reaches it
;   LOAD_LIMIT       the first byte the payload may not reach (0x80000)
; A 1.44 MB floppy and a partitioned hard disk are laid out the same way:
;   LBA 0              this sector (code in bytes 0-439, disk signature, partition table, 55 AA)
;   LBA 1 ..           the payload, PAYLOAD_SECTORS sectors
;   LBA 2048 ..        (hard disk) the first partition, untouched by the loader
;
; Budget: 440 bytes of code, so the disk signature (bytes 440-445) and a
; partition table (446-509) fit behind it.

bits 16
global start

%ifndef PAYLOAD_SECTORS
  %fatal "PAYLOAD_SECTORS is not defined: the build passes it (common/mk/loader.mk)"
%endif
%ifndef LOAD_ADDRESS
  %fatal "LOAD_ADDRESS is not defined: the build passes it (common/mk/loader.mk)"
%endif
%ifndef LOAD_LIMIT
  %fatal "LOAD_LIMIT is not defined: the build passes it (common/mk/loader.mk)"
%endif

BIOS_LOAD_ADDRESS   equ 0x7C00      ; where the BIOS put this sector
STACK_TOP           equ BIOS_LOAD_ADDRESS   ; the stack grows down from just below it
SECTOR_BYTES        equ 512
PARAGRAPH_BYTES     equ 16          ; a segment step: linear = segment * 16 + offset
PAYLOAD_LBA         equ 1           ; the payload starts right after the MBR
LOAD_SEGMENT        equ LOAD_ADDRESS / PARAGRAPH_BYTES
SECTOR_PARAGRAPHS   equ SECTOR_BYTES / PARAGRAPH_BYTES
SEGMENT_BYTES       equ 0x10000     ; 64 KiB: what one segment's 16-bit offsets reach

; The build checks these first and says more; these are the backstop.
%if LOAD_ADDRESS % SECTOR_BYTES
  %fatal "LOAD_ADDRESS must be a multiple of 512: a sector must not straddle a 64 KiB boundary"
%endif
%if LOAD_ADDRESS < BIOS_LOAD_ADDRESS + SECTOR_BYTES || LOAD_ADDRESS > SEGMENT_BYTES - SECTOR_BYTES
  %fatal "LOAD_ADDRESS must be in 0x7E00-0xFE00: above this sector, reachable as 0000:LOAD_ADDRESS"
%endif
%if PAYLOAD_SECTORS < 1 || PAYLOAD_SECTORS * SECTOR_BYTES > LOAD_LIMIT - LOAD_ADDRESS
  %fatal "PAYLOAD_SECTORS does not fit between LOAD_ADDRESS and LOAD_LIMIT"
%endif

section .text
start:
    ; Normalise CS:IP to 0000:7Cxx: the addresses below were linked for segment 0.
    jmp 0x0000:.normalized
.normalized:
    cli                             ; no interrupt while SS:SP is half set
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, STACK_TOP
    sti                             ; the disk and video services need interrupts
    cld

    ; 1. How to read this drive: LBA or CHS, and the CHS geometry.
    call disk_init
    mov bx, PAYLOAD_LBA             ; the first sector to read (mov leaves CF alone)
    jc disk_error

    mov si, msg_loading
    call print_string
    mov ax, PAYLOAD_SECTORS
    call print_hex
    mov si, msg_sectors_by
    call print_string
    mov si, msg_chs
    cmp byte [disk_use_lba], 0
    je .say_how
    mov si, msg_lba
.say_how:
    call print_string
    call print_newline

    ; 2. Load the payload, a sector at a time: LBA BX to ES:0000, ES one sector up each time.
    mov dx, LOAD_SEGMENT
    mov cx, PAYLOAD_SECTORS
.next_sector:
    mov es, dx
    mov ax, bx
    call disk_read_sector
    jc disk_error
    inc bx
    add dx, SECTOR_PARAGRAPHS
    loop .next_sector

    ; 3. Hand over: segments 0, the boot drive in DL, CS:IP = 0000:LOAD_ADDRESS.
    push ds
    pop es                          ; ES = DS = 0
    mov dl, [disk_drive]
    jmp 0x0000:LOAD_ADDRESS

; disk_error: a disk service failed for good. Say which status and which sector, halt.
;   IN: AH = BIOS status, BX = LBA
;   (Test hook: the retry test stops here with gdb once the retries are counted.)
disk_error:
    shr ax, 8                       ; AX = the status byte
    mov si, msg_disk_error
    call print_string
    call print_hex
    mov si, msg_at_lba
    call print_string
    mov ax, bx
    call print_hex
    call print_newline
    cli                             ; halt for good: no interrupt may wake the CPU
.halt:
    hlt
    jmp .halt

%include "print16.inc"
%include "disk16.inc"

msg_loading:    db "Loading ", 0
msg_sectors_by: db " sectors by ", 0
msg_lba:        db "LBA", 0
msg_chs:        db "CHS", 0
msg_disk_error: db "Disk error ", 0
msg_at_lba:     db " at LBA ", 0
