/*
 * net_commands.h -- the chapter's commands for the chapter 6 shell.
 */
#ifndef NET_COMMANDS_H
#define NET_COMMANDS_H

#include <efi.h>
#include "shell.h"

extern const struct shell_command net_commands[];
extern const UINTN net_command_count;

#endif
