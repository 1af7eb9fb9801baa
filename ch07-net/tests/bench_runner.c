/*
 * bench_runner.c -- make bench's boot program: it runs programs from its own
 * volume one after another, so that what the bench compares takes turns in
 * one boot of one machine, seconds apart, while the host's load is the same.
 * tests/test_client.py runs it too, to start a program that changes the
 * firmware (tests/mp_services_hidden.c) before the chapter's.
 *
 * Who calls it: OVMF's boot manager (it is \EFI\BOOT\BOOTX64.EFI on the
 * bench's ESP), through gnu-efi's crt0 (efi_main with the System V convention).
 * What it reads: \bench.txt on its own volume, a file name a line
 * (tcp4_probe.efi, net.efi ...).
 * What it does: LoadImage and StartImage for each in turn (UEFI spec 7.4),
 * as the boot manager would; each program returns when it is done (the
 * shell's autorun script ends with `exit`). It prints on the serial console
 *     bench-runner: NAME returned STATUS
 * or "bench-runner: error: ...", and powers the machine off at the end.
 * The network stays up between programs: the firmware keeps the address
 * DHCP gave, and each program finds it configured.
 */
#include <efi.h>
#include <efilib.h>
#include "file.h"

#define LIST_FILE     L"\\bench.txt"
#define LIST_MAX      4096
#define NAME_MAX      64

static EFI_GUID loaded_image_guid = LOADED_IMAGE_PROTOCOL;

/* Load \name from the volume `device` and run it until it returns. */
static void run(EFI_HANDLE self, EFI_HANDLE device, const char *name)
{
    CHAR16 path[NAME_MAX + 2] = L"\\";
    UINTN n = 0;
    for (; name[n] && n < NAME_MAX; n++)
        path[n + 1] = (CHAR16)name[n];
    path[n + 1] = 0;
    EFI_DEVICE_PATH *file = FileDevicePath(device, path);
    if (!file) {
        Print(L"bench-runner: error: %s: out of memory for its device path\n", path);
        return;
    }
    EFI_HANDLE image = NULL;
    EFI_STATUS status = BS->LoadImage(FALSE, self, file, NULL, 0, &image);
    FreePool(file);
    if (EFI_ERROR(status)) {
        Print(L"bench-runner: error: %s: LoadImage failed: %r\n", path, status);
        return;
    }
    status = BS->StartImage(image, NULL, NULL);
    Print(L"bench-runner: %s returned %r\n", path, status);
}

EFI_STATUS efi_main(EFI_HANDLE self, EFI_SYSTEM_TABLE *st)
{
    InitializeLib(self, st);
    BS->SetWatchdogTimer(0, 0, 0, NULL);
    EFI_LOADED_IMAGE *loaded = NULL;
    UINT8 *list = NULL;
    UINTN size = 0;
    EFI_STATUS status = BS->HandleProtocol(self, &loaded_image_guid, (VOID **)&loaded);
    if (!EFI_ERROR(status))
        status = file_read(self, LIST_FILE, LIST_MAX, &list, &size);
    if (EFI_ERROR(status)) {
        Print(L"bench-runner: error: cannot read %s: %r\n", LIST_FILE, status);
    } else {
        for (UINTN at = 0; at < size;) {
            char name[NAME_MAX + 1];
            UINTN n = 0;
            for (; at < size && list[at] != '\n' && list[at] != '\r'; at++)
                if (n < NAME_MAX)
                    name[n++] = (char)list[at];
            while (at < size && (list[at] == '\n' || list[at] == '\r'))
                at++;
            name[n] = 0;
            if (n > 0)
                run(self, loaded->DeviceHandle, name);
        }
        FreePool(list);
    }
    RT->ResetSystem(EfiResetShutdown, EFI_SUCCESS, 0, NULL);
    return EFI_SUCCESS;                  /* not reached: ResetSystem does not return */
}
