/* ch06-uefi/file.h: read a whole file from the volume this program was loaded from.
 *
 * The path goes from the LOADED_IMAGE protocol of our own image to the
 * handle of the device it came from (DeviceHandle), to that device's
 * SIMPLE_FILE_SYSTEM protocol (the firmware's FAT driver), to the root
 * folder (OpenVolume), to the file (Open), whose size the FILE_INFO says. */
#ifndef BOOTCAMP_FILE_H
#define BOOTCAMP_FILE_H

#include <efi.h>

/* Read `path` (e.g. L"\\autorun.txt") from the boot volume of `image` into a
 * new pool buffer (*data, *size bytes; the caller FreePool()s it). Files
 * larger than `max_bytes` are refused with EFI_BAD_BUFFER_SIZE. A missing file
 * is EFI_NOT_FOUND; other failures are the firmware's status. */
EFI_STATUS file_read(EFI_HANDLE image, const CHAR16 *path, UINTN max_bytes,
                     UINT8 **data, UINTN *size);

/* TRUE if `path` exists on the boot volume of `image`. */
BOOLEAN file_exists(EFI_HANDLE image, const CHAR16 *path);

#endif
