/* ch06-uefi/shell_commands.h: the common commands of the shell (shell.h),
 * one file each: sysinfo.c, memmap.c (memmap, peek), cpuid.c; help, reboot,
 * shutdown and exit live in shell.c. Each follows struct shell_command's
 * `run`: argc words in argv, argv[0] the command's name. */
#ifndef BOOTCAMP_SHELL_COMMANDS_H
#define BOOTCAMP_SHELL_COMMANDS_H

#include <efi.h>

EFI_STATUS command_sysinfo(UINTN argc, CHAR16 **argv);
EFI_STATUS command_memmap(UINTN argc, CHAR16 **argv);
EFI_STATUS command_peek(UINTN argc, CHAR16 **argv);
EFI_STATUS command_cpuid(UINTN argc, CHAR16 **argv);

#endif
