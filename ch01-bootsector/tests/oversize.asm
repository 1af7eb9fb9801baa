; oversize.asm -- a boot sector that does not fit, to prove the build says so.
; `make build/oversize.bin` must fail with "N over its 510-byte budget".

bits 16
global start

OVERSIZE_BYTES equ 600      ; 90 more than the 510 bytes before the signature

section .text
start:
    times OVERSIZE_BYTES nop
