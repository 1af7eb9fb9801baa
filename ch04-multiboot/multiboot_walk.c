/*
 * multiboot_walk.c: walk the Multiboot2 boot information, print each tag.
 *
 *   info -> +0  total_size   (bytes, all tags included)
 *           +4  reserved
 *           +8  tag: type, size, ...   each tag starts on an 8-byte boundary
 *               tag ...
 *               tag: type 0 (end), size 8
 *
 * Defensive parsing: every size in there is a claim by someone else. The rule
 * this file follows is that positions are offsets from `info`, and a check is
 * a comparison of lengths that cannot overflow:
 *
 *     size <= end - at          (at <= end holds, so end - at is exact)
 *
 * never the pointer sum `at + size <= end`, which on i386 wraps past 4 GiB when
 * size is near 2^32 and then passes. The ch04 lesson shows the wrap step by step.
 */
#include <stdbool.h>
#include <stdint.h>

#include "console.h"
#include "multiboot2.h"
#include "multiboot_walk.h"

#define KIB_SHIFT      10       /* bytes >> 10 = KiB */
#define MIB_SHIFT      20       /* bytes >> 20 = MiB */
#define HALF_MIB_SHIFT (MIB_SHIFT - 1)
#define MAX_SKIPPED    16       /* unknown tags listed by type, at most this many */
#define LABEL          "%-14s"  /* the left column every line starts with */

/* What a tag is, once its size has been checked against the data around it:
 * the tag's own bytes, `size` of them, all readable. */
struct tag_view {
    const uint8_t *bytes;
    uint32_t size;
    uint32_t offset;     /* from the start of the boot information, for messages */
};

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

/* A tag shorter than the structure that describes it: reading its fields
 * would read the next tag, or past the end. Say so, and skip it. */
static bool tag_holds(const struct tag_view *tag, const char *what, uint32_t struct_size)
{
    if (tag->size >= struct_size)
        return true;
    kprintf(LABEL "a tag of %u bytes at offset %u, shorter than its %u-byte structure: "
            "skipped\n", what, tag->size, tag->offset, struct_size);
    return false;
}

/* How many chars of `s` come before its NUL, looking at no more than `room`. */
static uint32_t bounded_length(const char *s, uint32_t room)
{
    uint32_t n = 0;
    while (n < room && s[n])
        n++;
    return n;
}

/* A string that should end in a NUL inside the tag; printed with %.*s so that
 * one that does not is cut at the tag's end instead of read past it. */
static void print_bounded_string(const char *s, uint32_t room)
{
    uint32_t length = bounded_length(s, room);
    kprintf("%.*s", (int)length, s);
    if (length == room)
        kprintf(" (no NUL inside the tag: cut at its end)");
}

static void print_string_tag(const char *label, const struct tag_view *tag)
{
    if (!tag_holds(tag, label, sizeof(struct mb2_tag_string)))
        return;
    const struct mb2_tag_string *s = (const void *)tag->bytes;
    kprintf(LABEL, label);
    print_bounded_string(s->string, tag->size - sizeof *s);
    kprintf("\n");
}

static void print_basic_meminfo(const struct tag_view *tag)
{
    if (!tag_holds(tag, "basic memory:", sizeof(struct mb2_tag_basic_meminfo)))
        return;
    const struct mb2_tag_basic_meminfo *m = (const void *)tag->bytes;
    kprintf(LABEL "%u KiB lower, %u KiB upper\n", "basic memory:", m->mem_lower, m->mem_upper);
}

/* The entries are entry_size bytes apart (spec 3.6.8): a boot loader may make
 * them bigger than today's 24 bytes, never smaller. */
static void print_memory_map(const struct tag_view *tag)
{
    if (!tag_holds(tag, "memory map:", sizeof(struct mb2_tag_mmap)))
        return;
    const struct mb2_tag_mmap *map = (const void *)tag->bytes;
    uint32_t entry_size = map->entry_size;
    uint32_t room = tag->size - sizeof *map;          /* bytes of entries */
    uint64_t usable = 0;

    kprintf("memory map:\n");
    if (entry_size < sizeof(struct mb2_mmap_entry)) {
        kprintf("  entries of %u bytes are smaller than the %u of an entry: map skipped\n",
                entry_size, (unsigned)sizeof(struct mb2_mmap_entry));
        return;
    }
    if (entry_size % MB2_TAG_ALIGN) {
        kprintf("  entries of %u bytes are not a multiple of %u: map skipped\n", entry_size,
                MB2_TAG_ALIGN);
        return;
    }
    if (entry_size > room) {
        kprintf("  entries of %u bytes do not fit in the map's %u bytes: map skipped\n",
                entry_size, room);
        return;
    }
    /* `used` never passes `room`, and room - used is compared, not used + entry_size. */
    for (uint32_t used = 0; room - used >= entry_size; used += entry_size) {
        const struct mb2_mmap_entry *e = (const void *)(tag->bytes + sizeof *map + used);
        uint64_t last = e->base_addr + (e->length - 1);
        if (e->length == 0 || last < e->base_addr) {
            kprintf("  %#llx, %llu bytes: not a range of memory, skipped\n",
                    (unsigned long long)e->base_addr, (unsigned long long)e->length);
            continue;
        }
        kprintf("  0x%010llx-0x%010llx %8llu KiB %s\n", (unsigned long long)e->base_addr,
                (unsigned long long)last, (unsigned long long)(e->length >> KIB_SHIFT),
                memory_type_name(e->type));
        if (e->type == MB2_MEMORY_AVAILABLE)
            usable = e->length > UINT64_MAX - usable ? UINT64_MAX : usable + e->length;
    }
    /* MiB rounded to the nearest: add the half-MiB bit (usable + 512 KiB could overflow). */
    kprintf("usable RAM:   %llu KiB (%llu MiB)\n", (unsigned long long)(usable >> KIB_SHIFT),
            (unsigned long long)((usable >> MIB_SHIFT) + ((usable >> HALF_MIB_SHIFT) & 1)));
}

static void print_framebuffer(const struct tag_view *tag)
{
    if (!tag_holds(tag, "framebuffer:", sizeof(struct mb2_tag_framebuffer)))
        return;
    const struct mb2_tag_framebuffer *fb = (const void *)tag->bytes;
    static const char *const kinds[] = {
        [MB2_FRAMEBUFFER_INDEXED] = "indexed colour",
        [MB2_FRAMEBUFFER_RGB] = "RGB",
        [MB2_FRAMEBUFFER_EGA_TEXT] = "EGA text",
    };
    const char *kind = fb->framebuffer_type <= MB2_FRAMEBUFFER_EGA_TEXT
        ? kinds[fb->framebuffer_type] : "unknown";
    kprintf(LABEL "%s %ux%u, %u bits per %s, pitch %u, at %#llx\n", "framebuffer:", kind,
            fb->framebuffer_width, fb->framebuffer_height, fb->framebuffer_bpp,
            fb->framebuffer_type == MB2_FRAMEBUFFER_EGA_TEXT ? "character" : "pixel",
            fb->framebuffer_pitch, (unsigned long long)fb->framebuffer_addr);
}

static void print_module(const struct tag_view *tag)
{
    if (!tag_holds(tag, "module:", sizeof(struct mb2_tag_module)))
        return;
    const struct mb2_tag_module *m = (const void *)tag->bytes;
    if (m->mod_end < m->mod_start)
        kprintf(LABEL "%#x-%#x: ends before it starts, ", "module:", m->mod_start, m->mod_end);
    else
        kprintf(LABEL "%#x-%#x, %u bytes, ", "module:", m->mod_start, m->mod_end - 1,
                m->mod_end - m->mod_start);
    kprintf("\"");
    print_bounded_string(m->cmdline, tag->size - sizeof *m);
    kprintf("\"\n");
}

void mb2_print_boot_information(const void *info, size_t readable)
{
    const uint8_t *start = info;
    uint32_t skipped[MAX_SKIPPED];
    unsigned skipped_count = 0;

    /* LAB SOLUTION tag_walk */
    /* The fixed part: it says how much there is, if it can be read at all. */
    if ((uintptr_t)info % MB2_TAG_ALIGN) {
        kprintf("boot info: at %p, not on an 8-byte boundary (spec 3.6.1): not read\n", info);
        return;
    }
    if (readable < sizeof(struct mb2_info)) {
        kprintf("boot info: at %p, and only %u bytes can be read there: not read\n", info,
                (unsigned)readable);
        return;
    }
    uint32_t total_size = ((const struct mb2_info *)info)->total_size;
    kprintf(LABEL "%u bytes at %p\n", "boot info:", total_size, info);
    if (total_size < sizeof(struct mb2_info)) {
        kprintf("boot info: total_size %u is less than its own %u-byte fixed part: not read\n",
                total_size, (unsigned)sizeof(struct mb2_info));
        return;
    }
    if (total_size > readable) {
        kprintf("boot info: total_size %u runs past the %u bytes that can be read: not read\n",
                total_size, (unsigned)readable);
        return;
    }

    /* The tags. Invariant: at <= end and at is a multiple of 8, so end - at is
     * how many bytes are left; each step moves at forward by 8 or more. */
    const uint32_t end = total_size;
    uint32_t at = sizeof(struct mb2_info);
    for (;;) {
        if (end - at < sizeof(struct mb2_tag)) {
            kprintf("tags: no end tag before total_size (%u bytes); stopped there\n", end);
            break;
        }
        const struct mb2_tag *header = (const void *)(start + at);
        struct tag_view tag = { start + at, header->size, at };
        if (tag.size < sizeof *header || tag.size > end - at) {
            kprintf("tags: the tag at offset %u (type %u) says it has %u bytes, %s; "
                    "stopped there\n", at, header->type, tag.size,
                    tag.size < sizeof *header ? "less than its own header"
                                              : "more than are left before total_size");
            break;
        }
        if (header->type == MB2_TAG_END)
            break;
        switch (header->type) {
        case MB2_TAG_BOOT_LOADER_NAME: print_string_tag("boot loader:", &tag); break;
        case MB2_TAG_CMDLINE:          print_string_tag("command line:", &tag); break;
        case MB2_TAG_BASIC_MEMINFO:    print_basic_meminfo(&tag); break;
        case MB2_TAG_MMAP:             print_memory_map(&tag); break;
        case MB2_TAG_FRAMEBUFFER:      print_framebuffer(&tag); break;
        case MB2_TAG_MODULE:           print_module(&tag); break;
        default:
            /* A tag this kernel does not read: its size says how far to skip. */
            if (skipped_count < MAX_SKIPPED)
                skipped[skipped_count++] = header->type;
            break;
        }
        /* The next tag starts at the next 8-byte boundary. The padding is
         * counted from what is left, so no sum can wrap: (size + 7) & ~7 would
         * be 0 for a size of 0xFFFFFFF9 or more, and the walk would stand still. */
        uint32_t step = tag.size;
        uint32_t padding = (MB2_TAG_ALIGN - step % MB2_TAG_ALIGN) % MB2_TAG_ALIGN;
        if (padding > end - at - step) {
            kprintf("tags: no end tag before total_size (%u bytes); stopped there\n", end);
            break;
        }
        at += step + padding;
    }
    /* LAB STUB
    // First the fixed part: the information must be 8-byte aligned, and its
    // total_size at least 8 and no more than `readable`; say which is wrong.
    // Then walk the tags from offset 8 (sizeof(struct mb2_info)) to the end tag:
    // print each one this kernel reads with its print_... function above
    // (they take a struct tag_view: where the tag is, its size, its offset),
    // keep the types of the others in skipped[] (at most MAX_SKIPPED), go from
    // one tag to the next on 8-byte boundaries (MB2_TAG_ALIGN), and never read
    // past total_size. Compare lengths, never pointer sums: a size near 4 GiB
    // must stop the walk with a message, not wrap (the lesson's "Defensive
    // parsing").
    (void)print_string_tag;
    (void)print_basic_meminfo;
    (void)print_memory_map;
    (void)print_framebuffer;
    (void)print_module;
    (void)start;
    (void)readable;
    kprintf("LAB TODO: tag_walk\n");
    LAB END */
    kprintf("%-13s", "other tags:");
    for (unsigned i = 0; i < skipped_count; i++)
        kprintf(" %u", skipped[i]);
    kprintf(" (not read, skipped)\n");
}
