/*
 * command_loop.c -- TEMPORARY stand-in for chapter 6's shell (see shell.h):
 * runs \autorun.txt line by line ("> line"), then a `bootcamp> ` prompt.
 * Knows only help, shutdown and exit besides the commands it is given.
 */
#include <efi.h>
#include <efilib.h>
#include "shell.h"

#define LINE_MAX 512
#define ARGS_MAX 16
#define AUTORUN_NAME L"\\autorun.txt"
#define AUTORUN_MAX  (64 * 1024)

static const struct shell_command *commands;
static UINTN command_count;

static EFI_STATUS run_line(CHAR16 *line)
{
    CHAR16 *argv[ARGS_MAX];
    UINTN argc = 0;
    for (CHAR16 *p = line; *p && argc < ARGS_MAX;) {
        while (*p == L' ' || *p == L'\t')
            *p++ = 0;
        if (!*p)
            break;
        argv[argc++] = p;
        while (*p && *p != L' ' && *p != L'\t')
            p++;
    }
    if (argc == 0 || argv[0][0] == L'#')
        return EFI_SUCCESS;
    if (StrCmp(argv[0], L"exit") == 0)
        return EFI_ABORTED;
    if (StrCmp(argv[0], L"shutdown") == 0) {
        Print(L"shutting down\n");
        uefi_call_wrapper(RT->ResetSystem, 4, EfiResetShutdown, EFI_SUCCESS, 0, NULL);
    }
    if (StrCmp(argv[0], L"help") == 0) {
        Print(L"help, shutdown, exit\n");
        for (UINTN i = 0; i < command_count; i++)
            Print(L"%-24s %s\n", commands[i].usage, commands[i].help);
        return EFI_SUCCESS;
    }
    for (UINTN i = 0; i < command_count; i++)
        if (StrCmp(argv[0], commands[i].name) == 0)
            return commands[i].run(argc, argv);
    Print(L"unknown command: %s (try help)\n", argv[0]);
    return EFI_NOT_FOUND;
}

static void run_autorun(EFI_HANDLE image)
{
    EFI_LOADED_IMAGE *loaded;
    if (EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol,
                                    (VOID **)&loaded)))
        return;
    EFI_FILE_HANDLE root = LibOpenRoot(loaded->DeviceHandle), file;
    if (!root)
        return;
    if (EFI_ERROR(uefi_call_wrapper(root->Open, 5, root, &file, AUTORUN_NAME, EFI_FILE_MODE_READ,
                                    0))) {
        uefi_call_wrapper(root->Close, 1, root);
        return;
    }
    CHAR8 *text = AllocateZeroPool(AUTORUN_MAX + 1);
    UINTN size = AUTORUN_MAX;
    if (text && !EFI_ERROR(uefi_call_wrapper(file->Read, 3, file, &size, text))) {
        CHAR16 line[LINE_MAX];
        UINTN n = 0;
        for (UINTN i = 0; i <= size; i++) {
            if (i == size || text[i] == '\n') {
                if (n && line[n - 1] == L'\r')
                    n--;
                line[n] = 0;
                if (n) {
                    Print(L"> %s\n", line);
                    if (run_line(line) == EFI_ABORTED)
                        break;
                }
                n = 0;
            } else if (n + 1 < LINE_MAX) {
                line[n++] = text[i];
            }
        }
    }
    if (text)
        FreePool(text);
    uefi_call_wrapper(file->Close, 1, file);
    uefi_call_wrapper(root->Close, 1, root);
}

EFI_STATUS shell_run(EFI_HANDLE image, EFI_SYSTEM_TABLE *st, const struct shell_command *extra,
                     UINTN extra_count)
{
    (void)st;
    commands = extra;
    command_count = extra_count;
    run_autorun(image);
    for (;;) {
        CHAR16 line[LINE_MAX];
        UINTN n = 0;
        Print(L"bootcamp> ");
        for (;;) {
            EFI_INPUT_KEY key;
            UINTN index;
            uefi_call_wrapper(BS->WaitForEvent, 3, 1, &ST->ConIn->WaitForKey, &index);
            if (EFI_ERROR(uefi_call_wrapper(ST->ConIn->ReadKeyStroke, 2, ST->ConIn, &key)))
                continue;
            if (key.UnicodeChar == L'\r' || key.UnicodeChar == L'\n') {
                Print(L"\n");
                break;
            }
            if (key.UnicodeChar == L'\b') {
                if (n) {
                    n--;
                    Print(L"\b \b");
                }
            } else if (key.UnicodeChar >= L' ' && n + 1 < LINE_MAX) {
                line[n++] = key.UnicodeChar;
                Print(L"%c", key.UnicodeChar);
            }
        }
        line[n] = 0;
        if (run_line(line) == EFI_ABORTED)
            return EFI_SUCCESS;
    }
}
