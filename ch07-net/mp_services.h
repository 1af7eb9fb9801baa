/*
 * mp_services.h -- the firmware's MP services protocol, the part this chapter
 * calls: UEFI PI spec, vol. 2, 13.4, EFI_MP_SERVICES_PROTOCOL. gnu-efi has no
 * header for it. The members this chapter does not call are kept as
 * pointers, so that the ones it does call sit where the spec puts them.
 */
#ifndef MP_SERVICES_H
#define MP_SERVICES_H

#include <efi.h>

#define MP_SERVICES_GUID \
    { 0x3fdda605, 0xa76e, 0x4f46, { 0xad, 0x29, 0x12, 0xf4, 0x53, 0x1b, 0x3d, 0x08 } }

typedef VOID (EFIAPI *ap_procedure)(VOID *argument);

struct mp_services {
    EFI_STATUS (EFIAPI *GetNumberOfProcessors)(struct mp_services *self, UINTN *processors,
                                              UINTN *enabled);
    VOID *GetProcessorInfo;
    VOID *StartupAllAPs;
    EFI_STATUS (EFIAPI *StartupThisAP)(struct mp_services *self, ap_procedure procedure,
                                      UINTN processor, EFI_EVENT wait, UINTN timeout_us,
                                      VOID *argument, BOOLEAN *finished);
    VOID *SwitchBSP;
    VOID *EnableDisableAP;
    EFI_STATUS (EFIAPI *WhoAmI)(struct mp_services *self, UINTN *processor);
};

#endif
