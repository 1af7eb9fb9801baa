; long_mode.asm: from 32-bit protected mode to 64-bit long mode, then kmain.
;
; Who jumps here: both ways in. stage2.asm (our loader) and multiboot_entry.asm
;   (GRUB) jump to protected_mode_start.
; CPU mode: 32-bit protected mode, flat 4 GiB segments (whose GDT does not
;   matter: this file loads its own), paging off, interrupts off.
; Registers: EAX = BOOT_PATH_LOADER or BOOT_PATH_MULTIBOOT2 (which way we came),
;   EBX = the Multiboot2 boot information (GRUB) or 0,
;   ECX = the magic GRUB left in EAX, or 0.
; Stack: none assumed; this file has its own in .bss.
; What it does, in order:
;   1. clears .bss (GRUB would; our loader does not), sets up the stack,
;      keeps the three values for kmain;
;   2. prints the 32-bit checkpoint;
;   3. checks for CPUID, its extended leaves and the long-mode bit, and stops
;      with "no long mode" when one is missing;
;   4. builds page tables identity-mapping the first GiB, all but the guard
;      page under the stack;
;   5. CR3, CR4.PAE, EFER.LME, CR0.PG: long mode (still running 32-bit code);
;   6. loads a GDT with a 64-bit code segment (and a slot for the TSS that
;      tss.c fills in) and far-jumps into it.
; Where it goes: kmain(boot_path, magic, info) in kmain.c, in 64-bit long mode,
;   System V AMD64 ABI: arguments in EDI, ESI, EDX; RSP 16-byte aligned before the call.

%include "gdt.inc"

; Control registers and MSRs (Intel SDM vol. 3A, 2.5 and 2.2.1)
CR0_PE              equ 1 << 0      ; protection enable
CR0_PG              equ 1 << 31     ; paging
CR4_PAE             equ 1 << 5      ; physical address extension: 64-bit page table entries
MSR_EFER            equ 0xC0000080  ; extended feature enable register
EFER_LME            equ 1 << 8      ; long mode enable (active once paging is on: EFER.LMA)
; CPUID (Intel SDM vol. 2A, CPUID; AMD APM vol. 3, appendix E)
EFLAGS_ID           equ 1 << 21     ; writable only on a CPU that has CPUID
CPUID_EXTENDED_MAX  equ 0x80000000  ; EAX out: the highest extended leaf
CPUID_EXTENDED_INFO equ 0x80000001  ; EDX out: extended feature bits
CPUID_LONG_MODE     equ 1 << 29     ; EDX bit 29: LM, 64-bit long mode
; Page table entries (Intel SDM vol. 3A, 4.5, tables 4-15 to 4-18)
PAGE_PRESENT        equ 1 << 0
PAGE_WRITABLE       equ 1 << 1
PAGE_HUGE           equ 1 << 7      ; PS: in a page directory, the entry maps 2 MiB itself
PAGE_TABLE_BYTES    equ 4096        ; every table is one 4 KiB page of 512 8-byte entries
PAGE_TABLE_ENTRIES  equ 512
PAGE_SHIFT          equ 12          ; 4 KiB = 1 << 12
HUGE_PAGE_SHIFT     equ 21          ; 2 MiB = 1 << 21
; The text screen, for the 32-bit messages
VGA_TEXT_BASE       equ 0xB8000
VGA_COLUMNS         equ 80
VGA_ROWS            equ 25
VGA_ROW_BYTES       equ VGA_COLUMNS * 2
BLANK_CELL          equ 0x0720      ; ' ', light grey on black
COLOUR_CHECKPOINT   equ 0x0B        ; light cyan on black
COLOUR_ERROR        equ 0x4F        ; white on red
BDA_CURSOR_ROW      equ 0x451       ; BIOS data area: the cursor's row on page 0
; DEBUG_PORT (0xE9) comes from the build: common/mk/tools.mk defines it once.
ASCII_LF            equ 10
STACK_BYTES         equ 16384

; The page tables: one of each level, enough for the first GiB.
;
;   CR3 --> PML4            PDPT              PD (one entry = 2 MiB)
;          +--------+      +--------+        +--------------------------+
;          | [0] ---+----> | [0] ---+------> | [0]   pt ----------+ P W |
;          | [1] 0  |      | [1] 0  |        | [1]   0x00200000 | P W PS |
;          |  ...   |      |  ...   |        |  ...               |     |
;          | [511] 0|      | [511] 0|        | [511] 0x3FE00000 | P W PS |
;          +--------+      +--------+        +--------------------+-----+
;          512 GiB each    1 GiB each        512 x 2 MiB = 1 GiB  |
;                                                                 v
;                          PT (one entry = 4 KiB): the first 2 MiB, page by page
;                          +------------------------------------------+
;                          | [0]   0x00000000 | P W                   |
;                          |  ...                                     |
;                          | [g]   0          | stack_guard: not present
;                          |  ...                                     |
;                          | [511] 0x001FF000 | P W                   |
;                          +------------------------------------------+
;
; Virtual = physical. A virtual address is split 9 + 9 + 9 + 21 bits: PML4
; index (47-39), PDPT index (38-30), PD index (29-21), offset in the 2 MiB
; page (20-0); in the first 2 MiB, the PT index (20-12) and the offset in the
; 4 KiB page (11-0). Everything from 1 GiB (0x40000000) up is not mapped.
; The one hole below 1 GiB is the guard page right under the kernel's stack
; (the kernel lies in the first 2 MiB on both ways in, which is why that PD
; entry alone is split into 4 KiB pages): a stack that overflows touches the
; guard and faults at once, instead of quietly writing over the page tables
; below it. The CPU then cannot push the page fault's frame on that stack
; either: a double fault, which idt.c sends to a stack of its own (IST1).
; The section is page-aligned and the tables come first, each a page long, so
; each starts on a page as the CPU requires; the guard and the stack too.
section .bss align=4096           ; PAGE_TABLE_BYTES: NASM takes only a literal here
pml4:   resb PAGE_TABLE_BYTES
pdpt:   resb PAGE_TABLE_BYTES
pd:     resb PAGE_TABLE_BYTES
pt:     resb PAGE_TABLE_BYTES
global stack_guard, stack_bottom, stack_top     ; for the tests and the #DF report
stack_guard:
    resb PAGE_TABLE_BYTES           ; one 4 KiB page, left out of the page tables
stack_bottom:
    resb STACK_BYTES
stack_top:

section .data
; What kmain is told (long_mode_start passes them as arguments).
boot_path:      dd 0
boot_magic:     dd 0
boot_info:      dd 0
; The screen row the next 32-bit message goes to; kmain goes on from there.
global boot_text_row
boot_text_row:  dd 0

; The GDT of long mode. Base and limit are ignored for 64-bit code; what
; matters is L=1 (and D=0) in the code descriptor. The TSS slot is filled in
; by tss.c, and ltr marks the descriptor busy: the GDT is written to, so it
; lives in .data.
; (A 4-byte base in the pointer: lgdt runs in 32-bit code here.)
flat_gdt gdt64, LONG64_FLAGS, tss
CODE64_SELECTOR equ gdt64.code - gdt64
DATA64_SELECTOR equ gdt64.data - gdt64
; For tss.c: where the TSS descriptor goes; its selector is gdt64_tss - gdt64.
global gdt64, gdt64_tss
gdt64_tss       equ gdt64.tss

section .rodata
msg_protected_loader:   db "32-bit protected mode: reached from stage 2", 0
msg_protected_grub:     db "32-bit protected mode: reached from GRUB", 0
msg_long_mode_ok:       db "CPUID: long mode supported; paging on, entering 64-bit mode", 0
msg_no_cpuid:           db "error: no long mode: this CPU has no CPUID instruction", 0
msg_no_extended:        db "error: no long mode: CPUID has no extended leaf 0x80000001", 0
msg_no_long_mode:       db "error: no long mode: CPUID 0x80000001 EDX bit 29 (LM) is clear", 0
msg_halted:             db "halted.", 0
msg_kmain_returned:     db "kmain returned", 0


bits 32
section .text
global protected_mode_start
extern bss_start, bss_end           ; from the linker script
extern kmain
extern panic                        ; common/drivers/console.c
protected_mode_start:
    ; 1. Keep the arguments out of the way of rep stosd (EAX, ECX, EDI).
    mov ebp, eax
    mov esi, ebx
    mov edx, ecx
    cld
    mov edi, bss_start
    mov ecx, bss_end
    sub ecx, edi
    shr ecx, 2                      ; the linker script aligns .bss to 4 bytes
    xor eax, eax
    rep stosd
    mov esp, stack_top
    mov [boot_path], ebp
    mov [boot_info], esi
    mov [boot_magic], edx

    ; 2. The checkpoint. Our loader's messages are on screen, printed by the
    ;    BIOS: go on under them. GRUB's screen is GRUB's: start afresh.
    cmp ebp, BOOT_PATH_LOADER
    jne .from_grub
    movzx eax, byte [BDA_CURSOR_ROW]
    mov [boot_text_row], eax
    mov esi, msg_protected_loader
    jmp .checkpoint
.from_grub:
    call clear_screen32
    mov esi, msg_protected_grub
.checkpoint:
    mov ah, COLOUR_CHECKPOINT
    call print32

    ; 3. Can this CPU do long mode?
    call check_long_mode

    ; 4-5. Page tables, then long mode.
    call set_up_page_tables
    mov esi, msg_long_mode_ok
    mov ah, COLOUR_CHECKPOINT
    call print32
    mov eax, pml4
    mov cr3, eax                    ; the top of the page table tree
    mov eax, cr4
    or eax, CR4_PAE                 ; 64-bit entries: required for long mode
    mov cr4, eax
    mov ecx, MSR_EFER
    rdmsr
    or eax, EFER_LME                ; long mode, once paging is on
    wrmsr
    mov eax, cr0
    or eax, CR0_PG | CR0_PE         ; paging on: EFER.LMA becomes 1; we run in
    mov cr0, eax                    ; compatibility mode (32-bit code) until...

    ; 6. ...CS selects a 64-bit code segment.
; LAB SOLUTION gdt
; LAB STUB
;|    mov esi, msg_lab_todo_gdt       ; a GDT of empty descriptors: the far jump would fault
;|    jmp fail32
;|section .rodata
;|msg_lab_todo_gdt: db "LAB TODO: gdt (the descriptor macro in gdt.inc)", 0
;|section .text
; LAB END
    lgdt [gdt64.pointer]
    jmp CODE64_SELECTOR:long_mode_start

; check_long_mode: stop with a message unless the CPU has CPUID, its extended
;   leaf 0x80000001 and the LM bit in it.
;   IN: nothing.  OUT: returns only if long mode is there.  CLOBBERS: EAX, EBX, ECX, EDX, ESI
check_long_mode:
    ; CPUID exists if EFLAGS.ID can be flipped (Intel SDM vol. 1, 20.1.1).
    pushfd
    pop eax
    mov ecx, eax
    xor eax, EFLAGS_ID
    push eax
    popfd
    pushfd
    pop eax
    push ecx                        ; put EFLAGS back as it was
    popfd
    cmp eax, ecx
    mov esi, msg_no_cpuid
    je fail32
    mov eax, CPUID_EXTENDED_MAX
    cpuid
    cmp eax, CPUID_EXTENDED_INFO
    mov esi, msg_no_extended
    jb fail32
    mov eax, CPUID_EXTENDED_INFO
    cpuid
    test edx, CPUID_LONG_MODE
    mov esi, msg_no_long_mode
    jz fail32
    ret

; set_up_page_tables: the tables drawn above (they are zero: .bss was cleared).
;   IN: nothing.  OUT: pml4, pdpt, pd, pt filled.  CLOBBERS: EAX, ECX
set_up_page_tables:
; LAB SOLUTION page_tables
    mov eax, pdpt
    or eax, PAGE_PRESENT | PAGE_WRITABLE
    mov [pml4], eax
    mov eax, pd
    or eax, PAGE_PRESENT | PAGE_WRITABLE
    mov [pdpt], eax
    ; The first 2 MiB, page by page; the guard page's entry stays 0: not present.
    xor ecx, ecx
.next_small_page:
    mov eax, ecx
    shl eax, PAGE_SHIFT             ; entry i maps physical i * 4 KiB
    cmp eax, stack_guard
    je .skip_guard
    or eax, PAGE_PRESENT | PAGE_WRITABLE
    mov [pt + ecx * 8], eax
.skip_guard:
    inc ecx
    cmp ecx, PAGE_TABLE_ENTRIES
    jne .next_small_page
    mov eax, pt
    or eax, PAGE_PRESENT | PAGE_WRITABLE
    mov [pd], eax
    ; The rest of the first GiB in 2 MiB pages.
    mov ecx, 1
.next_entry:
    mov eax, ecx
    shl eax, HUGE_PAGE_SHIFT        ; entry i maps physical i * 2 MiB
    or eax, PAGE_PRESENT | PAGE_WRITABLE | PAGE_HUGE
    mov [pd + ecx * 8], eax         ; the high dword stays 0
    inc ecx
    cmp ecx, PAGE_TABLE_ENTRIES
    jne .next_entry
    ret
; LAB STUB
;|    ; Fill pml4[0], pdpt[0] and the 512 entries of pd as drawn above.
;|    ; Paging with empty tables would fault at the next instruction: stop here.
;|    mov esi, msg_lab_todo_page_tables
;|    jmp fail32
;|section .rodata
;|msg_lab_todo_page_tables: db "LAB TODO: page_tables", 0
;|section .text
; LAB END

; fail32: say what is missing, in white on red and on port 0xE9, and halt.
;   IN: ESI = zero-terminated message.  OUT: never returns.
fail32:
    mov ah, COLOUR_ERROR
    call print32
    mov esi, msg_halted
    call print32
.halt:
    cli
    hlt
    jmp .halt

; clear_screen32: blank the text screen; the next message goes to row 0.
;   IN: nothing.  OUT: boot_text_row = 0.  CLOBBERS: EAX, ECX, EDI
clear_screen32:
    mov edi, VGA_TEXT_BASE
    mov ecx, VGA_COLUMNS * VGA_ROWS
    mov ax, BLANK_CELL
    rep stosw
    mov dword [boot_text_row], 0
    ret

; print32: a line on the text screen at row boot_text_row (scrolling when it
;   is past the bottom) and on port 0xE9, followed by a new line.
;   IN: ESI = zero-terminated string, AH = colour attribute.
;   OUT: boot_text_row one further.  CLOBBERS: EAX, ECX, EDX, ESI, EDI
print32:
    mov ecx, [boot_text_row]
    cmp ecx, VGA_ROWS
    jb .row_ok
    ; Scroll: rows 1-24 up to 0-23, blank row 24.
    push esi
    mov esi, VGA_TEXT_BASE + VGA_ROW_BYTES
    mov edi, VGA_TEXT_BASE
    mov ecx, (VGA_ROWS - 1) * VGA_ROW_BYTES / 4
    rep movsd
    mov ecx, VGA_COLUMNS
    mov dx, ax
    mov ax, BLANK_CELL
    rep stosw
    mov ax, dx
    pop esi
    mov ecx, VGA_ROWS - 1
.row_ok:
    lea ecx, [ecx + 1]
    mov [boot_text_row], ecx
    imul edi, ecx, VGA_ROW_BYTES
    add edi, VGA_TEXT_BASE - VGA_ROW_BYTES    ; the start of the row just taken
    mov dx, DEBUG_PORT
.next_char:
    mov al, [esi]
    test al, al
    jz .done
    out dx, al
    stosw                           ; character and attribute
    inc esi
    jmp .next_char
.done:
    mov al, ASCII_LF
    out dx, al
    ret

bits 64
; The first 64-bit instruction. The data segment registers still hold 32-bit
; selectors; in long mode their bases are ignored, but load them from this GDT.
long_mode_start:
    mov ax, DATA64_SELECTOR
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    mov rsp, stack_top              ; the upper half of RSP is not promised to be 0
    mov edi, [boot_path]            ; kmain(boot_path, magic, info): EDI, ESI, EDX;
    mov esi, [boot_magic]           ; a 32-bit mov clears the upper half
    mov edx, [boot_info]
    call kmain
    ; kmain does not return; if it ever does, say so (panic does not return).
    mov rdi, msg_kmain_returned
    xor eax, eax                    ; a variadic call: AL = vector registers used
    call panic
