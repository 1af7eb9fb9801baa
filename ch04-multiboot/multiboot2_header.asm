; multiboot2_header.asm: the Multiboot2 header, which tells GRUB "this file is
; a kernel, load it and start it in 32-bit protected mode".
;
; Nobody jumps here: this is data. GRUB searches the first 32 KiB of the kernel
; file for it, on an 8-byte boundary (Multiboot2 spec 3.1.1). The linker script
; (common/mk/multiboot2_kernel.ld) puts section .multiboot2 first, and the
; build checks where it landed in the file (common/mk/multiboot2_check.sh).
;
;   offset  field          value
;   0       magic          0xE85250D6
;   4       architecture   0 (i386, 32-bit protected mode)
;   8       header_length  the whole header, tags included, in bytes
;   12      checksum       makes magic + architecture + header_length + checksum = 0 (mod 2^32)
;   16      tags           here only the end tag: type 0, flags 0, size 8
;
; Assembled with -DBROKEN_CHECKSUM it gets a checksum one off, which GRUB
; refuses: the chapter's tests use that to show what a refusal looks like.

%include "multiboot2.inc"           ; MB2_... from common/include/multiboot2.h

MB2_END_TAG_BYTES  equ 8
DWORD_MODULUS      equ 0x100000000  ; checksum arithmetic is modulo 2^32

section .multiboot2 align=MB2_HEADER_ALIGN
global multiboot2_header
multiboot2_header:
    dd MB2_HEADER_MAGIC
    dd MB2_ARCH_I386
    dd HEADER_LENGTH
; LAB SOLUTION mb2_checksum
%ifdef BROKEN_CHECKSUM
    dd DWORD_MODULUS - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + HEADER_LENGTH) + 1
%else
    dd DWORD_MODULUS - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + HEADER_LENGTH)
%endif
; LAB STUB
;|    ; The checksum: the value that makes magic + architecture + header_length
;|    ; + checksum = 0 modulo 2^32. With -DBROKEN_CHECKSUM, one more than that.
;|    dd 0
;|    ; GRUB refuses a header whose sum is not 0, so this kernel never runs to
;|    ; say it is a stub: the message sits in the file, where the tests look.
;|section .rodata
;|    db "LAB TODO: mb2_checksum", 0
;|section .multiboot2
; LAB END
    ; The end tag: type, flags (16 bits each), size (32 bits).
    dw MB2_HEADER_TAG_END
    dw 0
    dd MB2_END_TAG_BYTES
multiboot2_header_end:

HEADER_LENGTH equ multiboot2_header_end - multiboot2_header
