/* common/efi/debug.c: see debug.h. */
#include <efi.h>
#include <efilib.h>
#include "efi_console.h"
#include "debug.h"
#include "file.h"

#define LINE_CHARS 160

/* The ELF file with this program's symbols, as gdb finds it from the chapter's
 * folder: efi.mk passes build/<first of EFI_APPS>.so when it compiles this file. */
#ifndef EFI_SYMBOL_FILE
#error "EFI_SYMBOL_FILE (L\"build/NAME.so\") must be defined: common/mk/efi.mk does it"
#endif

volatile UINTN debug_gdb_attached;

void debug_announce(EFI_HANDLE image)
{
    EFI_GUID guid = LOADED_IMAGE_PROTOCOL;
    EFI_LOADED_IMAGE *loaded;
    if (EFI_ERROR(BS->HandleProtocol(image, &guid, (void **)&loaded))) {
        Print(L"No LOADED_IMAGE protocol on our own image handle: cannot say where we are.\n");
        return;
    }
    UINT64 base = (UINT64)loaded->ImageBase;
    Print(L"Image base 0x%lx (gdb: add-symbol-file %s -o 0x%lx)\n", base, EFI_SYMBOL_FILE, base);
    if (!file_exists(image, DEBUG_WAIT_FILE))
        return;

    /* The same, in ASCII, on the debug port, where the gdb script reads it:
       the base, and which of the chapter's ELF files holds these symbols (its
       build/ may hold the tests' programs too). */
    CHAR16 wide[LINE_CHARS];
    CHAR8 narrow[LINE_CHARS];
    SPrint(wide, sizeof wide, L"bootcamp: image base 0x%lx, symbols in %s\n", base,
           EFI_SYMBOL_FILE);
    for (UINTN i = 0; i < LINE_CHARS; i++)
        if (!(narrow[i] = (CHAR8)wide[i]))
            break;
    narrow[LINE_CHARS - 1] = 0;
    debug_port_write(narrow);
    Print(L"%s is on the boot volume: waiting for gdb to set debug_gdb_attached...\n",
          DEBUG_WAIT_FILE);
    while (!debug_gdb_attached)
        __asm__ volatile("pause");
    Print(L"gdb is attached.\n");
}
