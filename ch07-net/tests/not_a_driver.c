/*
 * not_a_driver.c -- an application where net.c looks for a NIC driver, for
 * tests/test_driver.py: it returns success at once and installs nothing.
 *
 * Who calls it: net.c's nic_driver_load(), through LoadImage and StartImage,
 * when the test puts it on the ESP under the driver's name. A UEFI driver's
 * entry point installs a DRIVER_BINDING protocol on its image's handle before
 * it returns; this one does not, so net.c must say the file is no driver.
 */
#include <efi.h>

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system)
{
    (void)image;
    (void)system;
    return EFI_SUCCESS;
}
