/*
 * kmain.c: the C kernel of chapter 4. It reads what GRUB tells it.
 *
 * entry.asm calls kmain(magic, info) in 32-bit protected mode, on its own
 * stack, with "OK" already on the top row of the screen. kmain:
 *   1. starts the console below the OK (screen, COM1, port 0xE9);
 *   2. checks that a Multiboot2 boot loader started it (the magic in EAX);
 *   3. walks the boot information tags and prints each one it knows;
 *   4. halts.
 *
 *   info -> +0  total_size   (bytes, all tags included)
 *           +4  reserved
 *           +8  tag: type, size, ...   each tag starts on an 8-byte boundary
 *               tag ...
 *               tag: type 0 (end), size 8
 */
#include <stdint.h>

#include "console.h"
#include "cpu.h"
#include "multiboot2.h"

#define FIRST_ROW      1        /* row 0 keeps entry.asm's OK */
#define KIB_SHIFT      10       /* bytes >> 10 = KiB */
#define MIB_SHIFT      20       /* bytes >> 20 = MiB */
#define HALF_MIB       (1u << (MIB_SHIFT - 1))
#define MAX_SKIPPED    16       /* unknown tags listed by type, at most this many */

static const char *memory_type_name(uint32_t type)
{
    switch (type) {
    case MB2_MEMORY_AVAILABLE:        return "available";
    case MB2_MEMORY_RESERVED:         return "reserved";
    case MB2_MEMORY_ACPI_RECLAIMABLE: return "ACPI reclaimable";
    case MB2_MEMORY_NVS:              return "ACPI NVS";
    case MB2_MEMORY_BADRAM:           return "bad RAM";
    default:                          return "unknown type";
    }
}

static void print_string_tag(const char *label, const struct mb2_tag *tag)
{
    const struct mb2_tag_string *s = (const void *)tag;
    kprintf("%-14s%s\n", label, s->string);
}

static void print_basic_meminfo(const struct mb2_tag *tag)
{
    const struct mb2_tag_basic_meminfo *m = (const void *)tag;
    kprintf("%-14s%u KiB lower, %u KiB upper\n", "basic memory:", m->mem_lower, m->mem_upper);
}

static void print_memory_map(const struct mb2_tag *tag)
{
    const struct mb2_tag_mmap *map = (const void *)tag;
    const uint8_t *entry = (const uint8_t *)(map + 1);
    const uint8_t *end = (const uint8_t *)tag + tag->size;
    uint64_t usable = 0;

    kprintf("memory map:\n");
    if (map->entry_size < sizeof(struct mb2_mmap_entry)) {
        kprintf("  entries of %u bytes are too small: map skipped\n", map->entry_size);
        return;
    }
    for (; entry + map->entry_size <= end; entry += map->entry_size) {
        const struct mb2_mmap_entry *e = (const void *)entry;
        uint64_t last = e->base_addr + e->length - 1;
        kprintf("  %#012llx-%#012llx %8llu KiB %s\n", (unsigned long long)e->base_addr,
                (unsigned long long)last, (unsigned long long)(e->length >> KIB_SHIFT),
                memory_type_name(e->type));
        if (e->type == MB2_MEMORY_AVAILABLE)
            usable += e->length;
    }
    kprintf("usable RAM:   %llu KiB (%llu MiB)\n", (unsigned long long)(usable >> KIB_SHIFT),
            (unsigned long long)((usable + HALF_MIB) >> MIB_SHIFT));     /* MiB, rounded */
}

static void print_framebuffer(const struct mb2_tag *tag)
{
    const struct mb2_tag_framebuffer *fb = (const void *)tag;
    static const char *const kinds[] = {
        [MB2_FRAMEBUFFER_INDEXED] = "indexed colour",
        [MB2_FRAMEBUFFER_RGB] = "RGB",
        [MB2_FRAMEBUFFER_EGA_TEXT] = "EGA text",
    };
    const char *kind = fb->framebuffer_type <= MB2_FRAMEBUFFER_EGA_TEXT
        ? kinds[fb->framebuffer_type] : "unknown";
    kprintf("%-14s%s %ux%u, %u bits per %s, pitch %u, at %#llx\n", "framebuffer:", kind,
            fb->framebuffer_width, fb->framebuffer_height, fb->framebuffer_bpp,
            fb->framebuffer_type == MB2_FRAMEBUFFER_EGA_TEXT ? "character" : "pixel",
            fb->framebuffer_pitch, (unsigned long long)fb->framebuffer_addr);
}

static void print_module(const struct mb2_tag *tag)
{
    const struct mb2_tag_module *m = (const void *)tag;
    kprintf("%-14s%#x-%#x, %u bytes, \"%s\"\n", "module:", m->mod_start, m->mod_end - 1,
            m->mod_end - m->mod_start, m->cmdline);
}

/* Walk the tags from the first to the end tag; never read past total_size. */
static void print_boot_information(const struct mb2_info *info)
{
    uint32_t skipped[MAX_SKIPPED];
    unsigned skipped_count = 0;

    kprintf("%-14s%u bytes at %p\n", "boot info:", info->total_size, (const void *)info);
    /* LAB SOLUTION tag_walk */
    const uint8_t *start = (const uint8_t *)info;
    const uint8_t *end = start + info->total_size;
    const uint8_t *at = start + sizeof *info;
    for (;;) {
        const struct mb2_tag *tag = (const void *)at;
        if (at + sizeof *tag > end || tag->size < sizeof *tag || at + tag->size > end) {
            kprintf("tags: a tag at offset %u runs past the end; stopped there\n",
                    (unsigned)(at - start));
            break;
        }
        if (tag->type == MB2_TAG_END)
            break;
        switch (tag->type) {
        case MB2_TAG_BOOT_LOADER_NAME: print_string_tag("boot loader:", tag); break;
        case MB2_TAG_CMDLINE:          print_string_tag("command line:", tag); break;
        case MB2_TAG_BASIC_MEMINFO:    print_basic_meminfo(tag); break;
        case MB2_TAG_MMAP:             print_memory_map(tag); break;
        case MB2_TAG_FRAMEBUFFER:      print_framebuffer(tag); break;
        case MB2_TAG_MODULE:           print_module(tag); break;
        default:
            /* A tag this kernel does not read: its size says how far to skip. */
            if (skipped_count < MAX_SKIPPED)
                skipped[skipped_count++] = tag->type;
            break;
        }
        /* The next tag starts at the next 8-byte boundary. */
        at += (tag->size + MB2_TAG_ALIGN - 1) & ~(uint32_t)(MB2_TAG_ALIGN - 1);
    }
    /* LAB STUB
    // Walk the tags from info + 8 (sizeof *info) to the end tag: print each one
    // this kernel reads with its print_... function above, keep the types of
    // the others in skipped[] (at most MAX_SKIPPED), go from one tag to the next
    // on 8-byte boundaries (MB2_TAG_ALIGN), and never read past total_size:
    // say "tags: a tag at offset N runs past the end; stopped there" instead.
    (void)print_string_tag;
    (void)print_basic_meminfo;
    (void)print_memory_map;
    (void)print_framebuffer;
    (void)print_module;
    kprintf("LAB TODO: tag_walk\n");
    LAB END */
    kprintf("%-13s", "other tags:");
    for (unsigned i = 0; i < skipped_count; i++)
        kprintf(" %u", skipped[i]);
    kprintf(" (not read, skipped)\n");
}

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

    /* 3. What the boot loader tells us. */
    print_boot_information(info);

    /* 4. Nothing more to do in this chapter. */
    console_set_colour(VGA_LIGHT_GREEN, VGA_BLACK);
    kprintf("kmain: done, halting\n");
    cpu_halt_forever();
}
