/* ch06-uefi/guid.h: names for the GUIDs a firmware hands out.
 *
 * UEFI names every protocol and every configuration table by a 128-bit GUID
 * (UEFI spec 2.10, appendix A). This table knows the usual ones, so that
 * `sysinfo` can say "ACPI 2.0" instead of 8868E871-E4F1-11D3-BC22-0080C73C8881. */
#ifndef BOOTCAMP_GUID_H
#define BOOTCAMP_GUID_H

#include <efi.h>

/* The name of `guid`, or NULL if this table does not know it. */
const CHAR16 *guid_name(const EFI_GUID *guid);

#endif
