/*
 * net_internal.h -- what net.c and socket.c share, not for programs.
 */
#ifndef NET_INTERNAL_H
#define NET_INTERNAL_H

#include <efi.h>

extern EFI_HANDLE net_nic;                       /* the NIC's controller handle */
extern EFI_SERVICE_BINDING *net_tcp4_service;    /* its TCP4 service binding */

/* Set net_errno (and net_efi_status) and return -1. */
int net_fail(int error);
int net_fail_efi(EFI_STATUS status);

#endif
