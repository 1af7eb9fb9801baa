; exit.asm -- the floor for BIOS chapters: a boot sector that prints a marker
; and ends the emulator as soon as it runs. make bench times emulator start to
; that marker, as it times a chapter to its own, so a chapter's boot time can
; be read against the firmware's.
;
; Who jumps here: the BIOS, in 16-bit real mode, at linear 0x7C00.
; Where it goes: out of the emulator. QEMU ends at the write to its
;   isa-debug-exit port; Bochs ends when "Shutdown" is written to port 0x8900.

bits 16
global start

; DEBUG_PORT (0xE9, QEMU -debugcon, Bochs port_e9_hack) comes from common/mk/tools.mk.
QEMU_DEBUG_EXIT_PORT equ 0xF4       ; -device isa-debug-exit,iobase=0xf4: status = value*2+1
BOCHS_SHUTDOWN_PORT  equ 0x8900     ; Bochs's debug port: "Shutdown" ends the simulation
STACK_TOP            equ 0x7C00     ; the stack grows down from below the sector

section .text
start:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, STACK_TOP               ; .send is called: a stack we chose
    cld
    mov dx, DEBUG_PORT              ; the marker make bench waits for, as chapters print theirs
    mov si, marker
    call .send
    xor al, al
    out QEMU_DEBUG_EXIT_PORT, al    ; QEMU stops here (status 1)
    mov dx, BOCHS_SHUTDOWN_PORT
    mov si, shutdown
    call .send
.halt:
    hlt                             ; no emulator got the message: stay put
    jmp .halt

; .send -- IN: DX = port, DS:SI = zero-terminated bytes. CLOBBERS: AL, SI
.send:
    lodsb
    test al, al
    jz .sent
    out dx, al
    jmp .send
.sent:
    ret

marker:   db "floor", 10, 0
shutdown: db "Shutdown", 0
