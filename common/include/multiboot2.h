/*
 * multiboot2.h: the Multiboot2 boot protocol, as numbers and structures.
 *
 * Source: "The Multiboot2 Specification", version 2.0, sections 3.1 (the OS
 * image header), 3.3 (the i386 machine state at entry) and 3.6 (the boot
 * information). Field layouts are facts of the protocol; every structure the
 * boot loader reads or writes has its size checked below.
 *
 * This header is the one source of truth for C and for NASM: the build turns
 * every `#define MB2_...` into a `%define` in build/include/multiboot2.inc
 * (common/mk/h2inc.sh), so keep those values plain numbers or expressions
 * both languages read (no U or L suffixes, no casts).
 */
#ifndef BOOTCAMP_MULTIBOOT2_H
#define BOOTCAMP_MULTIBOOT2_H

/* --- The OS image header (spec 3.1) --------------------------------------- */
#define MB2_HEADER_MAGIC        0xE85250D6   /* first field of the header */
#define MB2_ARCH_I386           0            /* 32-bit protected mode i386 */
#define MB2_HEADER_ALIGN        8            /* the header starts on 8 bytes */
#define MB2_HEADER_SEARCH_BYTES 32768        /* it lies in the first 32 KiB of the file */
#define MB2_HEADER_TAG_END      0            /* the tag list ends with type 0, size 8 */
#define MB2_HEADER_TAG_OPTIONAL 1            /* flags bit 0: the loader may ignore the tag */

/* --- The machine state at entry (spec 3.3) --------------------------------
 * EAX holds this value, EBX the physical address of the boot information. */
#define MB2_BOOTLOADER_MAGIC    0x36D76289

/* --- Boot information tag types (spec 3.6) -------------------------------- */
#define MB2_TAG_END              0
#define MB2_TAG_CMDLINE          1
#define MB2_TAG_BOOT_LOADER_NAME 2
#define MB2_TAG_MODULE           3
#define MB2_TAG_BASIC_MEMINFO    4
#define MB2_TAG_BOOTDEV          5
#define MB2_TAG_MMAP             6
#define MB2_TAG_VBE              7
#define MB2_TAG_FRAMEBUFFER      8
#define MB2_TAG_ELF_SECTIONS     9
#define MB2_TAG_APM              10
#define MB2_TAG_EFI32            11
#define MB2_TAG_EFI64            12
#define MB2_TAG_SMBIOS           13
#define MB2_TAG_ACPI_OLD         14
#define MB2_TAG_ACPI_NEW         15
#define MB2_TAG_NETWORK          16
#define MB2_TAG_EFI_MMAP         17
#define MB2_TAG_EFI_BS           18
#define MB2_TAG_EFI32_IH         19
#define MB2_TAG_EFI64_IH         20
#define MB2_TAG_LOAD_BASE_ADDR   21
#define MB2_TAG_ALIGN            8            /* every tag starts on 8 bytes */

/* Memory map entry types (spec 3.6.8) */
#define MB2_MEMORY_AVAILABLE        1
#define MB2_MEMORY_RESERVED         2
#define MB2_MEMORY_ACPI_RECLAIMABLE 3
#define MB2_MEMORY_NVS              4
#define MB2_MEMORY_BADRAM           5

/* Framebuffer types (spec 3.6.12) */
#define MB2_FRAMEBUFFER_INDEXED  0
#define MB2_FRAMEBUFFER_RGB      1
#define MB2_FRAMEBUFFER_EGA_TEXT 2

#ifndef __ASSEMBLER__
#include <stdint.h>

/* The header's fixed part, written in chapter 4's multiboot2_header.asm. */
struct mb2_header {
    uint32_t magic;           /* MB2_HEADER_MAGIC */
    uint32_t architecture;    /* MB2_ARCH_I386 */
    uint32_t header_length;   /* bytes, tags included */
    uint32_t checksum;        /* magic + architecture + header_length + checksum == 0 (mod 2^32) */
};
_Static_assert(sizeof(struct mb2_header) == 16, "Multiboot2 header: 4 dwords");

struct mb2_header_tag {
    uint16_t type;
    uint16_t flags;
    uint32_t size;
};
_Static_assert(sizeof(struct mb2_header_tag) == 8, "Multiboot2 header tag: 8 bytes");

/* The boot information starts with its total size, then tags follow. */
struct mb2_info {
    uint32_t total_size;      /* bytes, this field and the end tag included */
    uint32_t reserved;
};
_Static_assert(sizeof(struct mb2_info) == 8, "Multiboot2 information: 8-byte fixed part");

struct mb2_tag {
    uint32_t type;            /* MB2_TAG_... */
    uint32_t size;            /* bytes, header included, padding to 8 excluded */
};
_Static_assert(sizeof(struct mb2_tag) == 8, "Multiboot2 tag header: 8 bytes");

/* MB2_TAG_CMDLINE and MB2_TAG_BOOT_LOADER_NAME: a zero-terminated UTF-8 string. */
struct mb2_tag_string {
    uint32_t type;
    uint32_t size;
    char string[];
};
_Static_assert(sizeof(struct mb2_tag_string) == 8, "Multiboot2 string tag");

struct mb2_tag_module {
    uint32_t type;
    uint32_t size;
    uint32_t mod_start;       /* physical address of the first byte */
    uint32_t mod_end;         /* physical address just past the last byte */
    char cmdline[];           /* what followed the file name in grub.cfg */
};
_Static_assert(sizeof(struct mb2_tag_module) == 16, "Multiboot2 module tag");

struct mb2_tag_basic_meminfo {
    uint32_t type;
    uint32_t size;
    uint32_t mem_lower;       /* KiB of RAM from 0 (at most 640) */
    uint32_t mem_upper;       /* KiB of RAM from 1 MiB up to the first hole */
};
_Static_assert(sizeof(struct mb2_tag_basic_meminfo) == 16, "Multiboot2 basic memory tag");

struct mb2_mmap_entry {
    uint64_t base_addr;
    uint64_t length;
    uint32_t type;            /* MB2_MEMORY_... */
    uint32_t reserved;
};
_Static_assert(sizeof(struct mb2_mmap_entry) == 24, "Multiboot2 memory map entry: 24 bytes");

struct mb2_tag_mmap {
    uint32_t type;
    uint32_t size;
    uint32_t entry_size;      /* step between entries: use it, not sizeof (spec 3.6.8) */
    uint32_t entry_version;   /* 0 */
    /* entries follow, entry_size bytes apart */
};
_Static_assert(sizeof(struct mb2_tag_mmap) == 16, "Multiboot2 memory map tag");

struct mb2_tag_framebuffer {
    uint32_t type;
    uint32_t size;
    uint64_t framebuffer_addr;
    uint32_t framebuffer_pitch;   /* bytes per line */
    uint32_t framebuffer_width;   /* pixels, or characters in EGA text */
    uint32_t framebuffer_height;
    uint8_t framebuffer_bpp;
    uint8_t framebuffer_type;     /* MB2_FRAMEBUFFER_... */
    uint16_t reserved;
    /* colour information follows, depending on framebuffer_type */
};
_Static_assert(sizeof(struct mb2_tag_framebuffer) == 32, "Multiboot2 framebuffer tag");

struct mb2_framebuffer_rgb {
    uint8_t red_field_position, red_mask_size;
    uint8_t green_field_position, green_mask_size;
    uint8_t blue_field_position, blue_mask_size;
};
_Static_assert(sizeof(struct mb2_framebuffer_rgb) == 6, "Multiboot2 RGB colour info");

#endif /* __ASSEMBLER__ */
#endif
