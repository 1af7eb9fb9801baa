# The sources of the UEFI shell in common/efi/ (shell.h), for a chapter's
# NAME_SOURCES; efi.mk's vpath finds them there:
#   include ../common/mk/efi_shell.mk
#   bootcamp_SOURCES := efi_main.c my_command.c $(EFI_SHELL_SOURCES)
EFI_SHELL_SOURCES := shell.c sysinfo.c memmap.c cpuid.c console.c file.c guid.c keyboard.c debug.c
