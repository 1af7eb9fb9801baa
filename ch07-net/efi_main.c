/*
 * efi_main.c -- chapter 7's UEFI application: the chapter 6 shell with
 * network commands.
 *
 * Who calls: the firmware's boot manager loads \EFI\BOOT\BOOTX64.EFI from the
 * ESP and calls its entry point in 64-bit long mode, paging on (identity
 * map), interrupts on, with the Microsoft x64 convention (RCX = image handle,
 * RDX = system table) and a firmware stack. gnu-efi's crt0 applies our
 * relocations and calls efi_main with the System V convention -- which is
 * why efi_main is not EFIAPI while the event notify functions are.
 * Where it goes: the shell; `exit` returns to the boot manager, `shutdown`
 * powers off.
 */
#include <efi.h>
#include <efilib.h>
#include "debug.h"
#include "hash_worker.h"
#include "lab_todo.h"
#include "net.h"
#include "net_commands.h"

/* A lab stub in sha256.c or http_parse.c ran (lab_todo.h): say so on the console. */
void lab_todo(const char *message)
{
    Print(L"%a\n", message);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
    /* 1. gnu-efi's globals (ST, BS, RT) and our millisecond clock. */
    net_init(image, st);
    /* 2. No watchdog: servers run for as long as the learner wants. */
    BS->SetWatchdogTimer(0, 0, 0, NULL);
    Print(L"bootcamp ch07: networking in the firmware (type help)\n");
    /* Where we were loaded, for gdb (make debug waits here for it). */
    debug_announce(image);
    /* 3. Chapter 6's shell (shell.c, through BUILDS_ON) with our commands. The network starts
          at the first command that needs it (ip, get, ...), not before. */
    EFI_STATUS status = shell_run(image, st, net_commands, net_command_count);
    /* 4. The second processor, if `ip` or `get` started it, runs our code: it
          must be back in the firmware's hands before this program's memory is. */
    hash_worker_stop();
    Print(L"Leaving bootcamp; the firmware takes over again.\n");
    return status;
}
