/*
 * multiboot_walk.h: read the Multiboot2 boot information and print each tag
 * (multiboot_walk.c).
 *
 * The boot information comes from outside the kernel: a boot loader wrote it,
 * and the kernel cannot know that the boot loader was right. So the walk
 * trusts no length in it: every read stays inside `readable` bytes, inside
 * total_size, and inside the tag it belongs to; what does not fit is reported
 * and skipped, and the walk always ends.
 *
 * The kernel (kmain.c) and host programs (tests/fuzz/fuzz_multiboot_walk.c,
 * tests/walk_file.c) call this same function; it prints through kprintf
 * (console.h), which each of them provides.
 */
#ifndef BOOTCAMP_MULTIBOOT_WALK_H
#define BOOTCAMP_MULTIBOOT_WALK_H

#include <stddef.h>

/* Print the boot information at `info`, reading at most `readable` bytes from
 * there. `info` should be 8-byte aligned (spec 3.6.1); if it is not, that is
 * reported and nothing is read. */
void mb2_print_boot_information(const void *info, size_t readable);

#endif
