/* ch06-uefi/shell.h: a console shell for UEFI programs.
 *
 * A chapter gives shell_run() its own commands; the shell adds the common
 * ones, reads lines with editing (left/right, Home/End, Backspace/Delete,
 * history with up/down, Tab completes command names), splits them into
 * words and runs the command named by the first word. Everything is printed
 * through ConOut, which OVMF also mirrors on the serial port.
 *
 * Script mode: if the boot volume holds \autorun.txt, its lines run first,
 * each echoed as "> line" (blank lines and lines starting with # are
 * skipped). A `shutdown` line powers the machine off; `exit` returns. */
#ifndef BOOTCAMP_SHELL_H
#define BOOTCAMP_SHELL_H

#include <efi.h>

#define SHELL_PROMPT L"bootcamp> "
#define SHELL_AUTORUN_PATH L"\\autorun.txt"

struct shell_command {
    const CHAR16 *name;      /* L"peek" */
    const CHAR16 *usage;     /* L"peek ADDR [LEN]" */
    const CHAR16 *help;      /* one line, shown by `help` */
    EFI_STATUS (*run)(UINTN argc, CHAR16 **argv);   /* argv[0] is the name */
};

/* The commands every shell has: help, sysinfo, memmap, cpuid, peek, reboot, shutdown, exit. */
extern const struct shell_command shell_common_commands[];
extern const UINTN shell_common_command_count;

/* Run \autorun.txt from the boot volume if present (each line echoed as "> line"), then the
   interactive prompt, until `exit`. `extra` are the chapter's own commands (ch06: mandel,
   snake; ch07: ip, get, post, serve...). Returns when the user types exit. */
EFI_STATUS shell_run(EFI_HANDLE image, EFI_SYSTEM_TABLE *st,
                     const struct shell_command *extra, UINTN extra_count);

/* Run one line as if it had been typed (what autorun does for each line). */
EFI_STATUS shell_execute(const CHAR16 *line);

/* Print "usage: <usage of argv[0]>" and return EFI_INVALID_PARAMETER: what a
   command does when its arguments are wrong. */
EFI_STATUS shell_usage(CHAR16 **argv);

/* The image handle shell_run was given (to read files from the boot volume). */
EFI_HANDLE shell_image(void);

#endif
