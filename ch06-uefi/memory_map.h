/* ch06-uefi/memory_map.h: the firmware's memory map (BS->GetMemoryMap).
 *
 * The map is an array of EFI_MEMORY_DESCRIPTORs, but step through it by
 * `descriptor_size`, which the firmware may make larger than
 * sizeof(EFI_MEMORY_DESCRIPTOR) (OVMF: 48 against 40) to add fields later. */
#ifndef BOOTCAMP_MEMORY_MAP_H
#define BOOTCAMP_MEMORY_MAP_H

#include <efi.h>

struct memory_map {
    UINT8 *buffer;              /* pool memory; memory_map_free() releases it */
    UINTN count;                /* descriptors */
    UINTN descriptor_size;      /* bytes from one descriptor to the next */
    UINT32 descriptor_version;
    UINTN key;                  /* what ExitBootServices would need */
};

EFI_STATUS memory_map_read(struct memory_map *map);
EFI_MEMORY_DESCRIPTOR *memory_map_at(const struct memory_map *map, UINTN i);
void memory_map_free(struct memory_map *map);

/* TRUE if every byte of [address, address + length) lies in some descriptor. */
BOOLEAN memory_map_covers(const struct memory_map *map, UINT64 address, UINT64 length);

#endif
