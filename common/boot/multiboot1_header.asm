; multiboot1_header.asm (for tests): a header for the OLD protocol, Multiboot 1.
;
; The ch04 and ch05 test builds build/multiboot1.elf link it next to the
; Multiboot2 header, and boot it with grub's `multiboot` command
; (common/boot/grub-multiboot1.cfg) instead of `multiboot2`. GRUB then starts
; the kernel with the Multiboot 1 magic 0x2BADB002 in EAX, and kmain must
; refuse it: "wrong boot magic".
;
; Multiboot 0.6.96 spec, 3.1.1: magic, flags, checksum (sum 0 mod 2^32),
; 4-byte aligned within the first 8 KiB. Flags 0: no requests; GRUB loads the
; ELF file by its program headers.
; It rides in section .multiboot2 so the linker script keeps it near the start.

MB1_HEADER_MAGIC equ 0x1BADB002
MB1_FLAGS        equ 0
MB1_ALIGN        equ 4
DWORD_MODULUS    equ 0x100000000

section .multiboot2 align=MB1_ALIGN
multiboot1_header:
    dd MB1_HEADER_MAGIC
    dd MB1_FLAGS
    dd DWORD_MODULUS - (MB1_HEADER_MAGIC + MB1_FLAGS)
