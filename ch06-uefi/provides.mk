# What chapter 6 gives the chapters that build on it (BUILDS_ON := ch06-uefi):
# the shell and its common commands, as source files of this folder. The build
# finds them here through BUILDS_ON's search path; a chapter adds its own
# commands and lists these in its program's sources:
#   net_SOURCES = efi_main.c my_commands.c $(SHELL_SOURCES)
SHELL_SOURCES := shell.c sysinfo.c memmap.c cpuid.c file.c guid.c keyboard.c \
                 efi_console.c debug.c
