/*
 * kmain.c: the 64-bit C kernel of chapter 5, reached two ways.
 *
 * long_mode_start (long_mode.asm) calls kmain in 64-bit long mode, with paging
 * on (the first GiB identity-mapped), interrupts off, on its own 16 KiB stack.
 * System V AMD64 ABI, built with -mno-red-zone (kernel.mk). kmain:
 *   1. continues the screen under the 32-bit messages (and starts COM1);
 *   2. says which way it was booted (and checks GRUB's magic);
 *   3. reads CR0, CR4 and EFER and says which mode the CPU is in;
 *   4. loads the TSS (a stack of its own for the double fault) and installs
 *      the IDT, so an exception explains itself;
 *   5. in a test build, does something wrong on purpose;
 *   6. halts.
 */
#include <stdint.h>

#include "boot.h"
#include "console.h"
#include "cpu.h"
#include "idt.h"
#include "multiboot2.h"
#include "tss.h"

#define CR0_PE      (1ull << 0)     /* protection enable (Intel SDM vol. 3A, 2.5) */
#define CR0_PG      (1ull << 31)    /* paging */
#define CR4_PAE     (1ull << 5)     /* physical address extension */
#define MSR_EFER    0xC0000080u     /* extended feature enable register */
#define EFER_LME    (1ull << 8)     /* long mode enable */
#define EFER_LMA    (1ull << 10)    /* long mode active: set by the CPU */
#define MAPPED_BYTES 0x40000000u    /* 1 GiB: what long_mode.asm identity-maps */

static uint64_t read_cr0(void)
{
    uint64_t value;
    __asm__ volatile("mov %%cr0, %0" : "=r"(value));
    return value;
}

static uint64_t read_cr4(void)
{
    uint64_t value;
    __asm__ volatile("mov %%cr4, %0" : "=r"(value));
    return value;
}

static uint64_t read_msr(uint32_t msr)
{
    uint32_t low, high;
    __asm__ volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
    return (uint64_t)high << 32 | low;
}

/*
 * The boot loader's name from GRUB's boot information: its length, and where
 * it starts in *name; 0 if there is none. This is chapter 4's walk
 * (multiboot_walk.c) cut down to one tag, with the same rules:
 * positions are offsets, every check compares lengths (size <= end - at) so
 * that no sum can wrap, and the name is bounded by its tag, NUL or not.
 * Nothing past MAPPED_BYTES may be read: long mode maps only the first GiB.
 */
static uint32_t boot_loader_name(uint32_t info, const char **name)
{
    if (info == 0 || info % MB2_TAG_ALIGN || MAPPED_BYTES - info < sizeof(struct mb2_info))
        return 0;
    const uint8_t *start = (const uint8_t *)(uintptr_t)info;
    uint32_t end = ((const struct mb2_info *)start)->total_size;
    if (end < sizeof(struct mb2_info) || end > MAPPED_BYTES - info)
        return 0;
    for (uint32_t at = sizeof(struct mb2_info); end - at >= sizeof(struct mb2_tag);) {
        const struct mb2_tag *tag = (const void *)(start + at);
        uint32_t size = tag->size;
        if (tag->type == MB2_TAG_END || size < sizeof *tag || size > end - at)
            break;
        if (tag->type == MB2_TAG_BOOT_LOADER_NAME) {
            const struct mb2_tag_string *s = (const void *)tag;
            uint32_t room = size - sizeof *s, length = 0;
            while (length < room && s->string[length])
                length++;
            *name = s->string;
            return length;
        }
        uint32_t padding = (MB2_TAG_ALIGN - size % MB2_TAG_ALIGN) % MB2_TAG_ALIGN;
        if (padding > end - at - size)
            break;
        at += size + padding;          /* at least 8: the walk always ends */
    }
    return 0;
}

static void say_how_we_were_booted(uint32_t boot_path, uint32_t magic, uint32_t info)
{
    if (boot_path == BOOT_PATH_LOADER) {
        kprintf("booted by:    our loader (stage 1 in the MBR, stage 2)\n");
        return;
    }
    if (magic != MB2_BOOTLOADER_MAGIC)
        panic("wrong boot magic %#x, expected %#x: not started by a Multiboot2 boot loader",
              magic, MB2_BOOTLOADER_MAGIC);
    const char *name = "a Multiboot2 boot loader";
    uint32_t length = boot_loader_name(info, &name);
    kprintf("booted by:    %.*s, through Multiboot2\n", length ? (int)length : -1, name);
}

static void say_which_mode(void)
{
    uint64_t cr0 = read_cr0(), cr4 = read_cr4(), efer = read_msr(MSR_EFER);
    const char *mode = !(cr0 & CR0_PE) ? "16-bit real mode"
                     : !(efer & EFER_LMA) ? "32-bit protected mode"
                     : "64-bit long mode";
    kprintf("mode:         %s\n", mode);
    kprintf("              CR0 %#llx: PE=%d PG=%d   CR4 %#llx: PAE=%d\n",
            (unsigned long long)cr0, !!(cr0 & CR0_PE), !!(cr0 & CR0_PG),
            (unsigned long long)cr4, !!(cr4 & CR4_PAE));
    kprintf("              EFER %#llx: LME=%d LMA=%d\n", (unsigned long long)efer,
            !!(efer & EFER_LME), !!(efer & EFER_LMA));
}

void kmain(uint32_t boot_path, uint32_t magic, uint32_t info)
{
    /* 1. The console, under what the 32-bit code printed. */
    console_init(boot_text_row);
    console_set_colour(VGA_LIGHT_GREEN, VGA_BLACK);
    kprintf("kmain: 64-bit C\n");
    console_set_colour(VGA_LIGHT_GREY, VGA_BLACK);

    /* 2. Which way in. */
    say_how_we_were_booted(boot_path, magic, info);

    /* 3. Where we are, from the CPU's own registers. */
    say_which_mode();

    /* 4. Exceptions now print a report instead of resetting the machine,
     *    even a double fault from a stack overflow (its own stack: tss.c). */
    tss_init();
    idt_init();
    kprintf("IDT:          %d exception handlers, #DF on its own stack (IST%d)\n",
            EXCEPTION_VECTORS, DOUBLE_FAULT_IST);

    /* 5. Test builds only. */
    if (kmain_test_hook)
        kmain_test_hook();

    /* 6. Done. */
    console_set_colour(VGA_LIGHT_GREEN, VGA_BLACK);
    kprintf("kmain: done, halting\n");
    cpu_halt_forever();
}
