/* ch06-uefi/efi_main.c: where the firmware hands over.
 *
 * Who calls us: the UEFI boot manager (OVMF's BdsDxe) found no boot option that
 * works better, so it looked on each removable or otherwise unconfigured disk for
 * \EFI\BOOT\BOOTX64.EFI, loaded that PE32+ image at some address of its choosing
 * (LoadImage) and called its entry point (StartImage).
 *
 * CPU mode: 64-bit long mode, paging on with physical memory identity-mapped,
 * interrupts on (the firmware's timer ticks), one processor. The stack is the
 * firmware's (at least 128 KiB, UEFI spec 2.3.4). The entry point is gnu-efi's
 * _start (crt0-efi-x86_64.o): it is called with the Microsoft x64 convention
 * (RCX = image handle, RDX = system table), applies our relocations, and calls
 * efi_main below with the System V convention (RDI, RSI): so efi_main is not
 * EFIAPI. What efi_main returns goes back to the boot manager.
 *
 * Where it goes next: shell_run (shell.c), until `exit`.
 */
#include <efi.h>
#include <efilib.h>
#include "chapter_commands.h"
#include "debug.h"
#include "shell.h"

#define WATCHDOG_OFF 0

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table);

static const struct shell_command chapter_commands[] = {
    { L"mandel", L"mandel",  L"draw the Mandelbrot set on the framebuffer (GOP)", command_mandel },
    { L"modes",  L"modes",   L"list the video modes the GOP offers",               command_modes },
    { L"snake",  L"snake",   L"play snake with the arrow keys; Esc quits",          command_snake },
};

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table)
{
    /* 1. gnu-efi's library: sets ST, BS and RT for Print() and the rest. */
    InitializeLib(image, system_table);

    /* 2. The boot manager gave us 5 minutes before it resets the machine
          (UEFI spec 3.1.2); a shell waits for people, so switch it off. */
    BS->SetWatchdogTimer(WATCHDOG_OFF, 0, 0, NULL);

    /* 3. Say who we are and where we were loaded (and wait for gdb if asked). */
    ST->ConOut->ClearScreen(ST->ConOut);
    Print(L"bootcamp ch06: a UEFI application. Type help, or press Tab to complete a command.\n");
    debug_announce(image);

    /* 4. The shell: \autorun.txt if there is one, then the prompt. */
    EFI_STATUS status = shell_run(image, system_table, chapter_commands,
                                  sizeof chapter_commands / sizeof chapter_commands[0]);

    /* 5. `exit`: back to the boot manager, which then starts EDK II's front
          page (Boot0000 "UiApp", the setup menu). */
    Print(L"Leaving bootcamp; the firmware takes over again.\n");
    return status;
}
