/* ch06-uefi/memmap.c: reading the memory map, and the shell's `memmap` and
 * `peek`, which use it.
 *
 * GetMemoryMap (UEFI spec 2.10, section 7.2) fills a caller's buffer; when
 * the buffer is too small it says how big the map is now. Allocating that
 * buffer can itself split a free region and add descriptors, so ask again
 * with room for a few more. */
#include <efi.h>
#include <efilib.h>
#include "efi_console.h"
#include "memory_map.h"
#include "shell.h"
#include "shell_commands.h"

#define MAP_SPARE_DESCRIPTORS 8     /* room for what our own allocation adds */
#define MAP_READ_ATTEMPTS     4
#define PEEK_DEFAULT_BYTES    64
#define PEEK_MAX_BYTES        4096
/* UEFI 2.10 adds EfiUnacceptedMemoryType (15) after EfiPalCode and
   EfiPersistentMemory; gnu-efi 3.0.15's enum stops at EfiPalCode (13). */
#define MEMORY_TYPE_PERSISTENT 14
#define MEMORY_TYPE_UNACCEPTED 15
#define MEMORY_TYPES           16
#define TYPE_COLUMN            20     /* characters for a type's name */

_Static_assert(sizeof(EFI_MEMORY_DESCRIPTOR) == 40, "UEFI 7.2: a version-1 memory descriptor is 40 bytes");

EFI_STATUS memory_map_read(struct memory_map *map)
{
    UINTN size = 0;
    EFI_STATUS status = EFI_BUFFER_TOO_SMALL;
    map->buffer = NULL;
    for (UINTN attempt = 0; attempt < MAP_READ_ATTEMPTS && status == EFI_BUFFER_TOO_SMALL; attempt++) {
        status = BS->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)map->buffer, &map->key,
                                  &map->descriptor_size, &map->descriptor_version);
        if (status != EFI_BUFFER_TOO_SMALL)
            break;
        if (map->buffer)
            FreePool(map->buffer);
        size += MAP_SPARE_DESCRIPTORS * (map->descriptor_size ? map->descriptor_size
                                                              : sizeof(EFI_MEMORY_DESCRIPTOR));
        map->buffer = AllocatePool(size);
        if (!map->buffer)
            return EFI_OUT_OF_RESOURCES;
    }
    if (EFI_ERROR(status)) {
        memory_map_free(map);
        return status;
    }
    map->count = size / map->descriptor_size;
    return EFI_SUCCESS;
}

EFI_MEMORY_DESCRIPTOR *memory_map_at(const struct memory_map *map, UINTN i)
{
    return (EFI_MEMORY_DESCRIPTOR *)(map->buffer + i * map->descriptor_size);
}

void memory_map_free(struct memory_map *map)
{
    if (map->buffer)
        FreePool(map->buffer);
    map->buffer = NULL;
}

BOOLEAN memory_map_covers(const struct memory_map *map, UINT64 address, UINT64 length)
{
    UINT64 end = address + length;
    if (end < address)
        return FALSE;                               /* wraps past 2^64 */
    /* Descriptors need not be sorted: take the one holding `address`, move
       `address` to its end, and repeat until the whole range is covered. */
    while (address < end) {
        BOOLEAN found = FALSE;
        for (UINTN i = 0; i < map->count && !found; i++) {
            EFI_MEMORY_DESCRIPTOR *d = memory_map_at(map, i);
            UINT64 region_end = d->PhysicalStart + d->NumberOfPages * EFI_PAGE_SIZE;
            if (address >= d->PhysicalStart && address < region_end) {
                address = region_end;
                found = TRUE;
            }
        }
        if (!found)
            return FALSE;
    }
    return TRUE;
}

/* ---- memmap ----------------------------------------------------------------- */

static const CHAR16 *type_names[MEMORY_TYPES] = {
    [EfiReservedMemoryType]      = L"Reserved",
    [EfiLoaderCode]              = L"LoaderCode",
    [EfiLoaderData]              = L"LoaderData",
    [EfiBootServicesCode]        = L"BootServicesCode",
    [EfiBootServicesData]        = L"BootServicesData",
    [EfiRuntimeServicesCode]     = L"RuntimeServicesCode",
    [EfiRuntimeServicesData]     = L"RuntimeServicesData",
    [EfiConventionalMemory]      = L"Conventional",
    [EfiUnusableMemory]          = L"Unusable",
    [EfiACPIReclaimMemory]       = L"ACPIReclaim",
    [EfiACPIMemoryNVS]           = L"ACPINVS",
    [EfiMemoryMappedIO]          = L"MMIO",
    [EfiMemoryMappedIOPortSpace] = L"MMIOPortSpace",
    [EfiPalCode]                 = L"PalCode",
    [MEMORY_TYPE_PERSISTENT]     = L"Persistent",
    [MEMORY_TYPE_UNACCEPTED]     = L"Unaccepted",
};

/* Which sums a type counts in. RAM: memory the machine has and someone uses or
   may use. FREE: an OS may take it after ExitBootServices (boot services
   memory is released then; loader memory is its own). KEPT: the firmware keeps
   it while the OS runs. */
#define IN_RAM  1
#define IN_FREE 2
#define IN_KEPT 4
#define IN_MMIO 8
static const UINT8 type_sums[MEMORY_TYPES] = {
    [EfiLoaderCode]              = IN_RAM | IN_FREE,
    [EfiLoaderData]              = IN_RAM | IN_FREE,
    [EfiBootServicesCode]        = IN_RAM | IN_FREE,
    [EfiBootServicesData]        = IN_RAM | IN_FREE,
    [EfiConventionalMemory]      = IN_RAM | IN_FREE,
    [EfiRuntimeServicesCode]     = IN_RAM | IN_KEPT,
    [EfiRuntimeServicesData]     = IN_RAM | IN_KEPT,
    [EfiACPIReclaimMemory]       = IN_RAM,
    [EfiACPIMemoryNVS]           = IN_RAM | IN_KEPT,
    [EfiMemoryMappedIO]          = IN_MMIO,
    [EfiMemoryMappedIOPortSpace] = IN_MMIO,
};

static void print_row(const CHAR16 *name, UINT64 regions, UINT64 pages)
{
    console_write(L"  ");
    console_write_padded(name, TYPE_COLUMN);
    Print(L" %7ld %10ld  ", regions, pages);
    console_print_size(pages * EFI_PAGE_SIZE);
    console_write(L"\r\n");
}

static void print_sum(const CHAR16 *label, UINT64 pages, const CHAR16 *note)
{
    Print(L"%s %ld pages (", label, pages);
    console_print_size(pages * EFI_PAGE_SIZE);
    Print(L")  %s\n", note);
}

EFI_STATUS command_memmap(UINTN argc, CHAR16 **argv)
{
    if (argc > 1)
        return shell_usage(argv);
    struct memory_map map;
    EFI_STATUS status = memory_map_read(&map);
    if (EFI_ERROR(status)) {
        Print(L"memmap: GetMemoryMap failed: %r.\n", status);
        return status;
    }

    UINT64 regions[MEMORY_TYPES] = { 0 }, pages[MEMORY_TYPES] = { 0 };
    UINT64 other_regions = 0, other_pages = 0, ram = 0, free = 0, kept = 0, mmio = 0;
    UINT64 ram_top = 0, largest_free = 0, largest_free_at = 0, total_pages = 0;
    /* LAB SOLUTION memmap_walk */
    for (UINTN i = 0; i < map.count; i++) {
        EFI_MEMORY_DESCRIPTOR *d = memory_map_at(&map, i);
        UINT8 sums = d->Type < MEMORY_TYPES ? type_sums[d->Type] : 0;
        if (d->Type < MEMORY_TYPES) {
            regions[d->Type]++;
            pages[d->Type] += d->NumberOfPages;
        } else {
            other_regions++;
            other_pages += d->NumberOfPages;
        }
        total_pages += d->NumberOfPages;
        if (sums & IN_RAM) {
            ram += d->NumberOfPages;
            UINT64 end = d->PhysicalStart + d->NumberOfPages * EFI_PAGE_SIZE;
            if (end > ram_top)
                ram_top = end;
        }
        if (sums & IN_FREE)
            free += d->NumberOfPages;
        if (sums & IN_KEPT)
            kept += d->NumberOfPages;
        if (sums & IN_MMIO)
            mmio += d->NumberOfPages;
        if (d->Type == EfiConventionalMemory && d->NumberOfPages > largest_free) {
            largest_free = d->NumberOfPages;
            largest_free_at = d->PhysicalStart;
        }
    }
    /* LAB STUB
    // For each of the map's map.count descriptors (memory_map_at: they are
    // map.descriptor_size bytes apart, which need not be sizeof(EFI_MEMORY_DESCRIPTOR)):
    // count regions and pages by type (other_... for types past MEMORY_TYPES),
    // sum the pages of all, and of the types type_sums[] puts in RAM, FREE, KEPT
    // and MMIO; find the top of RAM and the largest Conventional region.
    (void)type_sums;
    Print(L"LAB TODO: memmap_walk\n");
    LAB END */

    Print(L"Memory map: %d descriptors of %d bytes (version %d), pages of %d bytes\n",
          map.count, map.descriptor_size, (UINTN)map.descriptor_version, (UINTN)EFI_PAGE_SIZE);
    console_write(L"  ");
    console_write_padded(L"type", TYPE_COLUMN);
    Print(L" %7s %10s  %s\n", L"regions", L"pages", L"size");
    for (UINTN t = 0; t < MEMORY_TYPES; t++)
        if (regions[t])
            print_row(type_names[t], regions[t], pages[t]);
    if (other_regions)
        print_row(L"(other types)", other_regions, other_pages);
    print_row(L"all", map.count, total_pages);
    print_sum(L"RAM:      ", ram, L"loader, boot, runtime, conventional, ACPI");
    print_sum(L"Free:     ", free, L"for an OS after ExitBootServices");
    print_sum(L"Kept:     ", kept, L"by the firmware while an OS runs");
    print_sum(L"MMIO:     ", mmio, L"device registers, not memory");
    Print(L"Top of RAM: 0x%lx; largest free region: %ld pages at 0x%lx\n",
          ram_top, largest_free, largest_free_at);
    memory_map_free(&map);
    return EFI_SUCCESS;
}

/* ---- peek ------------------------------------------------------------------- */

EFI_STATUS command_peek(UINTN argc, CHAR16 **argv)
{
    UINT64 address, length = PEEK_DEFAULT_BYTES;
    if (argc < 2 || argc > 3)
        return shell_usage(argv);
    if (!parse_hex(argv[1], &address)) {
        Print(L"peek: %s is not a hexadecimal address (like 0x7000 or fee00000).\n", argv[1]);
        return EFI_INVALID_PARAMETER;
    }
    if (argc == 3 && (!parse_number(argv[2], &length) || length == 0 || length > PEEK_MAX_BYTES)) {
        Print(L"peek: LEN must be a number from 1 to %d, not %s.\n", PEEK_MAX_BYTES, argv[2]);
        return EFI_INVALID_PARAMETER;
    }

    /* The firmware maps what its memory map lists (identity: virtual address =
       physical address). Outside it, a read could fault or hit nothing. */
    struct memory_map map;
    EFI_STATUS status = memory_map_read(&map);
    if (EFI_ERROR(status)) {
        Print(L"peek: GetMemoryMap failed: %r.\n", status);
        return status;
    }
    BOOLEAN covered = memory_map_covers(&map, address, length);
    memory_map_free(&map);
    if (!covered) {
        Print(L"peek: 0x%lx..0x%lx is not all in the firmware's memory map; not reading it.\n",
              address, address + length - 1);
        return EFI_NOT_FOUND;
    }
    console_hexdump(address, (const UINT8 *)(UINTN)address, length);
    return EFI_SUCCESS;
}
