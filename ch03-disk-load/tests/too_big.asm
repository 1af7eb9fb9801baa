; too_big.asm -- a payload one sector larger than stage 1 can load, to prove
; the build says so: `make PAYLOAD=too_big build/too_big.floppy.img` must fail
; with "1 over the 960 sectors stage 1 can load" (0x8000-0x7FFFF is 960 sectors).

bits 16
global start

SECTOR_BYTES    equ 512
TOO_MANY        equ (LOAD_LIMIT - LOAD_ADDRESS) / SECTOR_BYTES + 1

section .text
start:
    times TOO_MANY * SECTOR_BYTES db 0
