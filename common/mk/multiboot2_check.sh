#!/bin/sh
# multiboot2_check.sh KERNEL.elf: fail unless the Multiboot2 header lies within
# the first 32 KiB of the file, on an 8-byte boundary (Multiboot2 spec 3.1.1),
# which is where GRUB looks for it. Prints where it is.
# The header's file offset is what matters, not its address: the linker script
# can ASSERT the address, only the finished file knows the offset.
set -eu
elf=$1
SEARCH_BYTES=32768 ALIGN=8
# objdump -h: Idx Name Size VMA LMA File-off Algn
line=$(${OBJDUMP:-objdump} -h "$elf" | awk '$2 == ".multiboot2" { print $3, $6 }')
if [ -z "$line" ]; then
    echo "error: $elf has no .multiboot2 section" >&2
    exit 1
fi
set -- $line
size=$((0x$1)) offset=$((0x$2))
name=$(basename "$elf")
if [ $((offset + size)) -gt $SEARCH_BYTES ]; then
    echo "error: $name: the Multiboot2 header ends at file offset $((offset + size)), past the first $SEARCH_BYTES bytes GRUB searches (link with ld -n)" >&2
    exit 1
fi
if [ $((offset % ALIGN)) -ne 0 ]; then
    echo "error: $name: the Multiboot2 header is at file offset $offset, not a multiple of $ALIGN" >&2
    exit 1
fi
echo "$name: Multiboot2 header at file offset $offset ($size bytes), within the first $SEARCH_BYTES"
