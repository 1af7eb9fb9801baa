; stage2.asm: from 16-bit real mode into 32-bit protected mode (the loader path).
;
; Who jumps here: stage 1 (chapter 3's stage1.asm), with a far jump to
;   0000:LOAD_ADDRESS (0x8000), after loading this whole payload: stage 2,
;   the long-mode code and the 64-bit kernel, one flat binary (payload64.ld).
; CPU mode: 16-bit real mode. CS = DS = ES = SS = 0, SP = 0x7C00, DL = the boot
;   drive, interrupts on, direction flag clear.
; What it does:
;   1. turns the A20 line on (checks first; then the BIOS; then port 0x92);
;   2. loads a GDT of flat 32-bit segments, sets CR0.PE and far-jumps into
;      32-bit code, which loads the data segments.
; Where it goes: protected_mode_start (long_mode.asm), in 32-bit protected
;   mode, interrupts off, with EAX = BOOT_PATH_LOADER, EBX = ECX = 0.

bits 16

%include "gdt.inc"

A20_TEST_LOW        equ 0x0500      ; a free word in the first 64 KiB...
A20_TEST_HIGH       equ 0x0510      ; ...and FFFF:0510 = linear 0x100500, 1 MiB above it
A20_TEST_SEGMENT    equ 0xFFFF
BIOS_SYSTEM_SERVICE equ 0x15
BIOS_A20_ENABLE     equ 0x2401      ; int 0x15 AX=2401h: enable A20 (PS/2 and later BIOSes)
FAST_A20_PORT       equ 0x92        ; "system control port A"
FAST_A20_BIT        equ 1 << 1      ; bit 1: A20 on
FAST_A20_RESET      equ 1 << 0      ; bit 0: reset the machine, never write a 1 here
CR0_PE              equ 1 << 0      ; protection enable

; In .text, not .text.entry: NASM writes line numbers (for gdb) only for
; .text. stage2.o comes first in the link, and payload64.ld checks that
; `start` landed at LOAD_ADDRESS.
section .text
global start
extern protected_mode_start
start:
    mov si, msg_stage2
    call print_string
    mov ax, start
    call print_hex
    call print_newline

%ifdef TEST_A20_OFF
    ; Test build (build/a20_off.floppy.img): start with the gate closed, as
    ; older BIOSes left it, so that enable_a20 has something to do.
    in al, FAST_A20_PORT
    and al, ~(FAST_A20_BIT | FAST_A20_RESET) & 0xFF
    out FAST_A20_PORT, al
    call a20_is_on
    mov si, msg_test_a20_off
    jne .a20_test_ready
    mov si, msg_test_a20_still_on
.a20_test_ready:
    call print_string
%endif
    ; 1. The A20 line.
    call enable_a20
    jc .a20_failed

    ; 2. Protected mode: no interrupt may arrive between here and an IDT,
    ;    the BIOS's real-mode handlers cannot run in protected mode.
    mov si, msg_entering
    call print_string
    cli
    lgdt [gdt32.pointer]
    mov eax, cr0
    or eax, CR0_PE                  ; CR0.PE = 1: protected mode, from the next instruction
    mov cr0, eax
    ; CS still holds a real-mode value until a far jump reloads it from the GDT.
    jmp CODE32_SELECTOR:protected_mode_entry

; (Test hooks: the A20 failure test stops at .a20_failed, and checks the CPU
; halts between .halt and enable_a20.)
.a20_failed:
    mov si, msg_a20_failed
    call print_string
.halt:
    cli
    hlt
    jmp .halt

; enable_a20: make sure addresses above 1 MiB do not wrap around to 0.
;   IN:       nothing
;   OUT:      CF clear: A20 is on (and which way was said on screen); CF set: it is not
;   CLOBBERS: AX, SI
enable_a20:
    call a20_is_on
    mov si, msg_a20_already
    je .done
    mov ax, BIOS_A20_ENABLE
    int BIOS_SYSTEM_SERVICE
    call a20_is_on
    mov si, msg_a20_bios
    je .done
    in al, FAST_A20_PORT
    or al, FAST_A20_BIT
    and al, ~FAST_A20_RESET & 0xFF
    out FAST_A20_PORT, al
    call a20_is_on
    mov si, msg_a20_fast
    je .done
    stc
    ret
.done:
    call print_string
    clc
    ret

; a20_is_on: with A20 off, FFFF:0510 and 0000:0500 are the same byte.
;   Write different values through both addresses and see whether they differ.
;   IN:       nothing
;   OUT:      ZF set: A20 is on
;   CLOBBERS: AX (the two test words are restored)
a20_is_on:
    push ds
    push es
    push bx
    push cx
    xor ax, ax
    mov ds, ax
    mov ax, A20_TEST_SEGMENT
    mov es, ax
    mov bx, [ds:A20_TEST_LOW]
    mov cx, [es:A20_TEST_HIGH]
    mov word [ds:A20_TEST_LOW], 0x0000
    mov word [es:A20_TEST_HIGH], 0xFFFF
    cmp word [ds:A20_TEST_LOW], 0xFFFF  ; still 0 (ZF clear) means no wrap...
    mov [es:A20_TEST_HIGH], cx
    mov [ds:A20_TEST_LOW], bx
    jne .on
    or al, 1                        ; ZF clear: off
    jmp .out
.on:
    xor ax, ax                      ; ZF set: on
; The one way out: the A20 failure test breaks here with gdb and clears ZF.
.out:
    pop cx
    pop bx
    pop es
    pop ds
    ret

%include "print16.inc"

msg_stage2:         db "stage 2: 16-bit real mode at ", 0
msg_a20_already:    db "A20: already on", 13, 10, 0
msg_a20_bios:       db "A20: turned on by the BIOS (int 0x15 AX=2401h)", 13, 10, 0
msg_a20_fast:       db "A20: turned on through port 0x92", 13, 10, 0
msg_a20_failed:     db "error: A20 could not be turned on (BIOS and port 0x92 tried)", 13, 10, 0
msg_entering:       db "entering 32-bit protected mode", 13, 10, 0
%ifdef TEST_A20_OFF
msg_test_a20_off:      db "test: A20 turned off through port 0x92: 0xFFFF:0x0510 wraps to 0x0500", 13, 10, 0
msg_test_a20_still_on: db "test: A20 still on after clearing port 0x92 bit 1", 13, 10, 0
%endif

; The GDT of the loader path: flat 4 GiB code and data, 32-bit.
; It lives in this section so that its 16-bit address (lgdt in real mode) is
; below 64 KiB whatever the size of the kernel behind it.
flat_gdt gdt32, FLAT32_FLAGS
CODE32_SELECTOR     equ gdt32.code - gdt32
DATA32_SELECTOR     equ gdt32.data - gdt32

bits 32
; The first 32-bit instruction. CS now selects gdt32.code; the other segment
; registers still hold real-mode values, so load them from the GDT too.
protected_mode_entry:
    mov ax, DATA32_SELECTOR
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov eax, BOOT_PATH_LOADER
    xor ebx, ebx
    xor ecx, ecx
    jmp protected_mode_start
