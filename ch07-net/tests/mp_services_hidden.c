/*
 * mp_services_hidden.c -- for tests/test_client.py: it takes the firmware's
 * MP services protocol away, so that the chapter's program, run next, finds
 * none and must hash on its own processor, and say so.
 *
 * Who calls it: tests/bench_runner.c, before net.efi, in the same boot.
 * What it does: finds the handle that carries EFI_MP_SERVICES_PROTOCOL
 * (mp_services.h) and uninstalls the protocol from it (UEFI spec 7.3,
 * UninstallProtocolInterface), then returns. The processors stay as they
 * were; only the way to ask for one is gone. It prints
 *     mp-services: uninstalled
 * or "mp-services: error: ..." and returns the error.
 */
#include <efi.h>
#include <efilib.h>
#include "mp_services.h"

static EFI_GUID mp_services_guid = MP_SERVICES_GUID;

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system)
{
    InitializeLib(image, system);
    EFI_HANDLE handle = NULL;
    UINTN size = sizeof handle;
    EFI_STATUS status = BS->LocateHandle(ByProtocol, &mp_services_guid, NULL, &size, &handle);
    struct mp_services *mp = NULL;
    if (!EFI_ERROR(status))
        status = BS->HandleProtocol(handle, &mp_services_guid, (VOID **)&mp);
    if (!EFI_ERROR(status))
        status = BS->UninstallProtocolInterface(handle, &mp_services_guid, mp);
    if (EFI_ERROR(status)) {
        Print(L"mp-services: error: %r\n", status);
        return status;
    }
    Print(L"mp-services: uninstalled\n");
    return EFI_SUCCESS;
}
