; boot.asm -- the smallest boot sector that halts and stays halted.
;
; Who jumps here: the BIOS, after loading this sector to linear address 0x7C00,
;   in 16-bit real mode. Most BIOSes use CS:IP = 0000:7C00, some 07C0:0000.
;   DL holds the boot drive number; nothing else is promised (no stack, no
;   segment registers, interrupts possibly on).
; Where it goes: nowhere. The CPU stops here until the machine is switched off.
;
; Build: make    (the bytes end up in build/boot.bin, the ELF twin in build/boot.elf)

bits 16                 ; real mode: 16-bit instructions and addresses
global start            ; the linker script names `start` as the entry point

section .text
start:
; LAB SOLUTION interrupts_off
    cli                 ; clear IF: no maskable interrupt may wake the CPU now
; LAB STUB
;|    ; Lab stub: say so on port 0xE9 (DS = 0: the message's linked address is linear).
;|    xor ax, ax
;|    mov ds, ax
;|    mov si, lab_todo_interrupts_off
;|.todo_interrupts_off:
;|    lodsb
;|    out 0xE9, al
;|    test al, al
;|    jnz .todo_interrupts_off
; LAB END
.halt:
; LAB SOLUTION halt_loop
    hlt                 ; stop until the next interrupt...
    jmp .halt           ; ...and if one gets through anyway (an NMI can), stop again
; LAB STUB
;|    ; Lab stub: say so on port 0xE9, then a bare hlt, which the next interrupt ends.
;|    xor ax, ax
;|    mov ds, ax
;|    mov si, lab_todo_halt_loop
;|.todo_halt_loop:
;|    lodsb
;|    out 0xE9, al
;|    test al, al
;|    jnz .todo_halt_loop
;|    hlt
;|
;|lab_todo_halt_loop: db "LAB TODO: halt_loop", 10, 0
; LAB END

; LAB SOLUTION interrupts_off
; LAB STUB
;|lab_todo_interrupts_off: db "LAB TODO: interrupts_off", 10, 0
;|
; LAB END
; That is all the code. The linker script (common/mk/boot_sector.ld) pads the
; sector with zeros and puts the signature 0x55 0xAA in bytes 510 and 511.
