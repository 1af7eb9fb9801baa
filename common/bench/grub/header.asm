; header.asm -- the GRUB floor's Multiboot2 header (the ch04 lesson explains
; the fields; the floor keeps its own copy so that it builds without a chapter).
;
; Nobody jumps here: this is data GRUB finds in the first 32 KiB of the file.
;   magic, architecture (0: i386), header_length, checksum, then the end tag.

%include "multiboot2.inc"           ; MB2_... from common/include/multiboot2.h

MB2_END_TAG_BYTES  equ 8
DWORD_MODULUS      equ 0x100000000  ; the checksum is modulo 2^32

section .multiboot2 align=MB2_HEADER_ALIGN
header:
    dd MB2_HEADER_MAGIC
    dd MB2_ARCH_I386
    dd HEADER_LENGTH
    dd DWORD_MODULUS - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + HEADER_LENGTH)
    dw MB2_HEADER_TAG_END           ; the end tag: type, flags, size
    dw 0
    dd MB2_END_TAG_BYTES
header_end:

HEADER_LENGTH equ header_end - header
