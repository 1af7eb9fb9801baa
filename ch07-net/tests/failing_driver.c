/*
 * failing_driver.c -- a NIC driver whose entry point fails, for
 * tests/test_driver.py: it ends with EFI_UNSUPPORTED and a reason.
 *
 * Who calls it: net.c's nic_driver_load(), through LoadImage and StartImage,
 * when the test puts it on the ESP under the driver's name. A driver that
 * cannot run ends through Exit() with an error status; the firmware then
 * unloads it and StartImage returns that status, with the exit data: a
 * string from pool memory, which the caller frees (UEFI spec, section 7.4).
 * net.c must pass both on to the learner.
 */
#include <efi.h>

static const CHAR16 REASON[] = L"no supported NIC on this machine";

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system)
{
    EFI_BOOT_SERVICES *bs = system->BootServices;
    CHAR16 *data = NULL;
    if (EFI_ERROR(bs->AllocatePool(EfiBootServicesData, sizeof REASON, (VOID **)&data)))
        return EFI_OUT_OF_RESOURCES;
    for (UINTN i = 0; i < sizeof REASON / sizeof REASON[0]; i++)
        data[i] = REASON[i];
    return bs->Exit(image, EFI_UNSUPPORTED, sizeof REASON, data);
}
