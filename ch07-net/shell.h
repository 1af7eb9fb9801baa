/*
 * shell.h -- TEMPORARY: the interface of chapter 6's shell (common/efi/shell.h),
 * copied here while that shell is written on its own branch. command_loop.c
 * implements it minimally. Both files go when the real shell is merged.
 */
#ifndef SHELL_H
#define SHELL_H

#include <efi.h>

struct shell_command {
    const CHAR16 *name;      /* L"peek" */
    const CHAR16 *usage;     /* L"peek ADDR [LEN]" */
    const CHAR16 *help;      /* one line, shown by `help` */
    EFI_STATUS (*run)(UINTN argc, CHAR16 **argv);   /* argv[0] is the name */
};

/* Runs \autorun.txt from the boot volume if present (each line echoed as
   "> line"), then the interactive prompt `bootcamp> `, until exit. */
EFI_STATUS shell_run(EFI_HANDLE image, EFI_SYSTEM_TABLE *st, const struct shell_command *extra,
                     UINTN extra_count);

#endif
