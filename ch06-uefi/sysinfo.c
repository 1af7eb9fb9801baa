/* ch06-uefi/sysinfo.c: `sysinfo`, a walk through the EFI system table.
 *
 * The firmware calls a program's entry point with its image handle and a
 * pointer to the EFI_SYSTEM_TABLE (UEFI spec 2.10, section 4.3):
 *
 *   EFI_SYSTEM_TABLE            x86-64 offsets
 *   +0    Hdr (EFI_TABLE_HEADER: Signature "IBI SYST", Revision, HeaderSize, CRC32)
 *   +24   FirmwareVendor        CHAR16 *, e.g. L"EDK II"
 *   +32   FirmwareRevision      UINT32, the vendor's own numbering
 *   +40   ConsoleInHandle, ConIn, ConsoleOutHandle, ConOut, StandardErrorHandle, StdErr
 *   +88   RuntimeServices       table of functions that outlive ExitBootServices
 *   +96   BootServices          table of functions until ExitBootServices
 *   +104  NumberOfTableEntries
 *   +112  ConfigurationTable    array of { EFI_GUID VendorGuid; VOID *VendorTable; }
 */
#include <efi.h>
#include <efilib.h>
#include "efi_console.h"
#include "guid.h"
#include "shell.h"
#include "shell_commands.h"

#define REVISION_MAJOR(r)   ((r) >> 16)
#define REVISION_MINOR(r)   (((r) & 0xFFFF) / 10)   /* 2.70 is 0x00020046: minor 7, patch 0 */
#define REVISION_PATCH(r)   (((r) & 0xFFFF) % 10)
#define SIGNATURE_BYTES     8

_Static_assert(sizeof(EFI_TABLE_HEADER) == 24, "UEFI 4.2: the table header is 24 bytes");
_Static_assert(sizeof(EFI_SYSTEM_TABLE) == 120, "UEFI 4.3: the x86-64 system table is 120 bytes");
_Static_assert(sizeof(EFI_CONFIGURATION_TABLE) == 24, "UEFI 4.6: a GUID and a pointer");

static void print_revision(UINT32 revision)
{
    Print(L"%d.%d", (UINTN)REVISION_MAJOR(revision), (UINTN)REVISION_MINOR(revision));
    if (REVISION_PATCH(revision))
        Print(L".%d", (UINTN)REVISION_PATCH(revision));
}

/* A table header's CRC32 covers HeaderSize bytes with the CRC32 field itself zero. */
static void print_header(const CHAR16 *what, EFI_TABLE_HEADER *header)
{
    CHAR16 signature[SIGNATURE_BYTES + 1];
    const UINT8 *bytes = (const UINT8 *)&header->Signature;
    for (UINTN i = 0; i < SIGNATURE_BYTES; i++)
        signature[i] = bytes[i];
    signature[SIGNATURE_BYTES] = 0;

    Print(L"%s at 0x%lx: signature \"%s\", revision 0x%08x, %d bytes, CRC32 0x%08x",
          what, (UINT64)header, signature, (UINTN)header->Revision,
          (UINTN)header->HeaderSize, (UINTN)header->CRC32);
    EFI_TABLE_HEADER *copy = AllocatePool(header->HeaderSize);
    UINT32 crc = 0;
    if (copy) {
        CopyMem(copy, header, header->HeaderSize);
        copy->CRC32 = 0;
        BS->CalculateCrc32(copy, header->HeaderSize, &crc);
        FreePool(copy);
        console_write(crc == header->CRC32 ? L" (checked)\r\n" : L" (DOES NOT MATCH)\r\n");
    } else {
        console_write(L" (not checked: out of memory)\r\n");
    }
}

static void print_loaded_image(void)
{
    EFI_GUID guid = LOADED_IMAGE_PROTOCOL;
    EFI_LOADED_IMAGE *loaded;
    if (EFI_ERROR(BS->HandleProtocol(shell_image(), &guid, (void **)&loaded)))
        return;
    CHAR16 *path = DevicePathToStr(loaded->FilePath);
    Print(L"This program:     %s, loaded at 0x%lx, %ld bytes\n",
          path ? path : L"(no path)", (UINT64)loaded->ImageBase, (UINT64)loaded->ImageSize);
    if (path)
        FreePool(path);
}

EFI_STATUS command_sysinfo(UINTN argc, CHAR16 **argv)
{
    if (argc > 1)
        return shell_usage(argv);

    Print(L"Firmware vendor:  %s\n", ST->FirmwareVendor);
    Print(L"Firmware rev.:    0x%08x\n", (UINTN)ST->FirmwareRevision);
    console_write(L"UEFI version:     ");
    print_revision(ST->Hdr.Revision);
    console_write(L"\r\n");
    print_header(L"System table ", &ST->Hdr);
    print_header(L"Boot services", &BS->Hdr);
    print_header(L"Runtime svcs ", &RT->Hdr);

    UINTN columns = 0, rows = 0;
    ST->ConOut->QueryMode(ST->ConOut, ST->ConOut->Mode->Mode, &columns, &rows);
    Print(L"Text console:     %d x %d, mode %d of %d\n", columns, rows,
          (UINTN)ST->ConOut->Mode->Mode, (UINTN)ST->ConOut->Mode->MaxMode);
    print_loaded_image();

    Print(L"Configuration tables: %d\n", ST->NumberOfTableEntries);
    for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
        EFI_CONFIGURATION_TABLE *table = &ST->ConfigurationTable[i];
        const CHAR16 *name = guid_name(&table->VendorGuid);
        Print(L"  %g  0x%08lx  %s\n", &table->VendorGuid, (UINT64)table->VendorTable,
              name ? name : L"(not known here)");
    }
    return EFI_SUCCESS;
}
