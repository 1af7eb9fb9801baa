/* ch06-uefi/chapter_commands.h: this chapter's shell commands (see
 * struct shell_command in shell.h). */
#ifndef CH06_CHAPTER_COMMANDS_H
#define CH06_CHAPTER_COMMANDS_H

#include <efi.h>

EFI_STATUS command_modes(UINTN argc, CHAR16 **argv);    /* graphics.c */
EFI_STATUS command_mandel(UINTN argc, CHAR16 **argv);   /* mandel.c */
EFI_STATUS command_snake(UINTN argc, CHAR16 **argv);    /* snake.c */

#endif
