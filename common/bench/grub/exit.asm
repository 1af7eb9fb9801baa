; exit.asm -- the GRUB floor: a Multiboot2 kernel that prints a marker and
; ends the emulator as soon as GRUB starts it. make bench times emulator start
; to that marker, as it times ch04 and ch05 to theirs, so their ratio to this
; floor is their own time, with the BIOS's and GRUB's taken out.
;
; Who jumps here: GRUB, to the ELF entry `start`, in 32-bit protected mode,
;   paging and interrupts off, flat segments (Multiboot2 spec 3.2).
; Registers and stack: none used (the code needs no stack).
; Where it goes: out of the emulator. QEMU ends at the write to its
;   isa-debug-exit port; Bochs ends when "Shutdown" is written to port 0x8900.

BITS 32

; DEBUG_PORT (0xE9, QEMU -debugcon, Bochs port_e9_hack) comes from common/mk/tools.mk.
QEMU_DEBUG_EXIT_PORT equ 0xF4       ; -device isa-debug-exit,iobase=0xf4: status = value*2+1
BOCHS_SHUTDOWN_PORT  equ 0x8900     ; Bochs's debug port: "Shutdown" ends the simulation

section .text
global start
start:
    cld                             ; GRUB does not promise DF=0, and outsb counts with it
    mov dx, DEBUG_PORT              ; the marker make bench waits for
    mov esi, marker
    mov ecx, MARKER_BYTES
    rep outsb
    xor al, al
    out QEMU_DEBUG_EXIT_PORT, al    ; QEMU stops here (status 1)
    mov dx, BOCHS_SHUTDOWN_PORT
    mov esi, shutdown
    mov ecx, SHUTDOWN_BYTES
    rep outsb
.halt:
    hlt                             ; no emulator got the message: stay put
    jmp .halt

section .rodata
marker:   db "floor", 10
MARKER_BYTES equ $ - marker
shutdown: db "Shutdown"
SHUTDOWN_BYTES equ $ - shutdown
