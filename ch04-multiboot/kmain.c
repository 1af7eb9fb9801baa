/*
 * kmain.c: the C kernel of chapter 4. It reads what GRUB tells it.
 *
 * entry.asm calls kmain(magic, info) in 32-bit protected mode, on its own
 * stack, with "OK" already on the top row of the screen. kmain:
 *   1. starts the console below the OK (screen, COM1, port 0xE9);
 *   2. checks that a Multiboot2 boot loader started it (the magic in EAX);
 *   3. walks the boot information tags and prints each one it knows
 *      (multiboot_walk.c, which trusts none of the sizes in there);
 *   4. halts.
 */
#include <stddef.h>
#include <stdint.h>

#include "console.h"
#include "cpu.h"
#include "multiboot2.h"
#include "multiboot_walk.h"

#define FIRST_ROW      1        /* row 0 keeps entry.asm's OK */

__attribute__((noreturn)) void kmain(uint32_t magic, const struct mb2_info *info)
{
    /* 1. The console, under entry.asm's OK. */
    console_init(FIRST_ROW);
    console_set_colour(VGA_LIGHT_CYAN, VGA_BLACK);
    kprintf("bootcamp ch04: a Multiboot2 kernel in 32-bit protected mode\n");
    console_set_colour(VGA_LIGHT_GREY, VGA_BLACK);

    /* 2. Who started us? Only a Multiboot2 loader puts this value in EAX. */
    if (magic != MB2_BOOTLOADER_MAGIC)
        panic("wrong boot magic %#x, expected %#x: not started by a Multiboot2 boot loader",
              magic, MB2_BOOTLOADER_MAGIC);

    /* 3. What the boot loader tells us. Nothing bounds it but the end of the
     * 32-bit address space: that many bytes lie from info up to 4 GiB, and
     * (size_t)0 - address computes it without a 64-bit type. */
    mb2_print_boot_information(info, (size_t)0 - (uintptr_t)info);

    /* 4. Nothing more to do in this chapter. */
    console_set_colour(VGA_LIGHT_GREEN, VGA_BLACK);
    kprintf("kmain: done, halting\n");
    cpu_halt_forever();
}
