/*
 * nic_driver.h -- bring up a NIC the firmware has no driver for, with a UEFI
 * driver loaded from the boot volume (nic_driver.c).
 *
 * OVMF carries a driver for virtio-net (QEMU) only. For Bochs's Intel e1000
 * the ESP holds iPXE's UEFI driver for that card (build/e1000.efi, taken out
 * of Debian's option ROM at build time by common/test/bootcamp/option_rom.py).
 */
#ifndef NIC_DRIVER_H
#define NIC_DRIVER_H

#include <efi.h>

/* The driver files nic_driver_load looks for in the boot volume's root. */
#define NIC_DRIVER_FILES { L"\\e1000.efi" }

/* ConnectController on every handle, recursively (the UEFI shell's
   `connect -r`). Returns on how many handles it succeeded: those that have
   a driver now, whether or not they had one before. */
UINTN nic_connect_all(void);

/* Load and start every NIC_DRIVER_FILES file present on the boot volume,
   then connect every controller. Says on the console what it did. Returns
   how many drivers were started (0: none found, or none would start). */
UINTN nic_driver_load(void);

#endif
