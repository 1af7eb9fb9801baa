/*
 * exit.c -- the floor for UEFI chapters: an application that prints a marker
 * and powers the machine off as soon as the firmware starts it. make bench
 * times QEMU+OVMF from start to that marker, as it times a chapter to its
 * own, so a chapter can be read against the firmware's own start-up.
 *
 * Who calls it: OVMF's boot manager, through gnu-efi's crt0 (efi_main is
 * called with the System V convention, hence no EFIAPI), in 64-bit long mode
 * with the firmware's identity-mapped page tables.
 */
#include <efi.h>

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table)
{
    (void)image;
    /* The marker make bench waits for (OVMF mirrors ConOut on the serial port). */
    system_table->ConOut->OutputString(system_table->ConOut, L"floor\r\n");
    system_table->RuntimeServices->ResetSystem(EfiResetShutdown, EFI_SUCCESS, 0, NULL);
    return EFI_SUCCESS;     /* not reached: ResetSystem does not return */
}
