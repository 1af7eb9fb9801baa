/* ch06-uefi/shell.c: the shell's core. See shell.h for what it offers.
 *
 *   shell_run ── autorun: file_read(\autorun.txt) ── each line: "> line", shell_execute
 *             └─ loop: prompt, line_read (editing, history, Tab), shell_execute
 *   shell_execute ── split into words ── find the command (chapter's first) ── run
 *
 * The line editor draws with ConOut only: printable characters, and
 * CHAR_BACKSPACE to step the cursor left. That keeps the serial mirror plain
 * (no cursor addressing), and works the same on the screen and the terminal.
 * A line never wraps: it may be as long as the console is wide, less the
 * prompt and one column. */
#include <efi.h>
#include <efilib.h>
#include "efi_console.h"
#include "file.h"
#include "keyboard.h"
#include "shell.h"
#include "shell_commands.h"

#define LINE_MAX_CHARS     120    /* the longest line on any console we draw to */
#define HISTORY_LINES      16     /* the oldest line is forgotten after this many */
#define ARGS_MAX           16     /* words in a command line */
#define BYTES_PER_KIB      1024
#define AUTORUN_MAX_BYTES  (64 * BYTES_PER_KIB)
#define UTF16_LE_BOM_0     0xFF   /* an autorun.txt saved as UTF-16 starts FF FE */
#define UTF16_LE_BOM_1     0xFE
#define ASCII_LAST         0x7F
#define COMMENT_CHAR       L'#'

static EFI_HANDLE image_handle;
static const struct shell_command *chapter_commands;
static UINTN chapter_command_count;
static BOOLEAN exit_requested;

static CHAR16 history[HISTORY_LINES][LINE_MAX_CHARS + 1];
static UINTN history_count;

EFI_HANDLE shell_image(void)
{
    return image_handle;
}

/* ---- the command table -------------------------------------------------- */

/* Commands in the order `help` lists them: the chapter's, then the common ones. */
static const struct shell_command *command_at(UINTN i)
{
    if (i < chapter_command_count)
        return &chapter_commands[i];
    i -= chapter_command_count;
    return i < shell_common_command_count ? &shell_common_commands[i] : NULL;
}

static const struct shell_command *command_find(const CHAR16 *name)
{
    const struct shell_command *c;
    for (UINTN i = 0; (c = command_at(i)); i++)
        if (StrCmp(c->name, name) == 0)
            return c;
    return NULL;
}

EFI_STATUS shell_usage(CHAR16 **argv)
{
    const struct shell_command *c = command_find(argv[0]);
    Print(L"usage: %s\n", c ? c->usage : argv[0]);
    return EFI_INVALID_PARAMETER;
}

/* ---- the line editor ------------------------------------------------------ */

struct line {
    CHAR16 text[LINE_MAX_CHARS + 1];
    UINTN length;           /* characters in text */
    UINTN cursor;           /* 0..length: where the next character goes */
    UINTN max;              /* what fits on the console */
};

static void write_char(CHAR16 c)
{
    CHAR16 s[2] = { c, 0 };
    console_write(s);
}

static void cursor_back(UINTN n)
{
    while (n--)
        write_char(CHAR_BACKSPACE);
}

/* Redraw from the cursor to the end, blank `erase` old columns after it,
   and put the cursor back where it was. */
static void redraw_tail(const struct line *l, UINTN erase)
{
    console_write(l->text + l->cursor);
    for (UINTN i = 0; i < erase; i++)
        write_char(L' ');
    cursor_back(l->length - l->cursor + erase);
}

/* Replace the whole line with `text` (history, completion), cursor at the end. */
static void line_replace(struct line *l, const CHAR16 *text)
{
    UINTN old = l->length;
    cursor_back(l->cursor);
    l->length = 0;
    while (text[l->length] && l->length < l->max) {
        l->text[l->length] = text[l->length];
        l->length++;
    }
    l->text[l->length] = 0;
    console_write(l->text);
    for (UINTN i = l->length; i < old; i++)
        write_char(L' ');
    cursor_back(old > l->length ? old - l->length : 0);
    l->cursor = l->length;
}

static void line_insert(struct line *l, CHAR16 c)
{
    if (l->length >= l->max)
        return;                                     /* full: the key is ignored */
    for (UINTN i = l->length; i > l->cursor; i--)
        l->text[i] = l->text[i - 1];
    l->text[l->cursor] = c;
    l->text[++l->length] = 0;
    /* Draw the new character and what follows it; step back over the latter. */
    console_write(l->text + l->cursor);
    l->cursor++;
    cursor_back(l->length - l->cursor);
}

/* Delete the character under the cursor. */
static void line_delete(struct line *l)
{
    if (l->cursor >= l->length)
        return;
    for (UINTN i = l->cursor; i < l->length; i++)
        l->text[i] = l->text[i + 1];
    l->length--;
    redraw_tail(l, 1);
}

static void line_backspace(struct line *l)
{
    if (l->cursor == 0)
        return;
    cursor_back(1);
    l->cursor--;
    line_delete(l);
}

static void line_move(struct line *l, UINTN to)
{
    if (to < l->cursor)
        cursor_back(l->cursor - to);
    while (l->cursor < to)
        write_char(l->text[l->cursor++]);
    l->cursor = to;
}

static void prompt_and_line(const struct line *l)
{
    console_write(SHELL_PROMPT);
    console_write(l->text);
    cursor_back(l->length - l->cursor);
}

/* Tab: complete the command name before the cursor. One match: the whole name
   and a space. Several: as far as they agree; if that adds nothing, list them. */
static void line_complete(struct line *l)
{
    for (UINTN i = 0; i < l->cursor; i++)
        if (l->text[i] == L' ')
            return;                                 /* only the first word is completed */

    const struct shell_command *c, *first = NULL;
    UINTN matches = 0, common = 0;
    for (UINTN i = 0; (c = command_at(i)); i++) {
        if (StrnCmp(c->name, l->text, l->cursor) != 0)
            continue;
        if (!first) {
            first = c;
            common = StrLen(c->name);
        } else {
            UINTN n = 0;
            while (n < common && first->name[n] == c->name[n])
                n++;
            common = n;
        }
        matches++;
    }
    if (matches == 0)
        return;

    CHAR16 completed[LINE_MAX_CHARS + 1];
    UINTN n = 0;
    for (; n < common && n < l->max; n++)
        completed[n] = first->name[n];
    if (matches == 1 && n < l->max)
        completed[n++] = L' ';
    completed[n] = 0;
    if (n > l->cursor) {
        /* Keep what follows the cursor after the completed word. */
        CHAR16 tail[LINE_MAX_CHARS + 1];
        StrCpy(tail, l->text + l->cursor);
        UINTN at = n;
        for (UINTN i = 0; tail[i] && at < l->max; i++)
            completed[at++] = tail[i];
        completed[at] = 0;
        line_replace(l, completed);
        line_move(l, n);
        return;
    }
    if (matches > 1) {
        console_write(L"\r\n");
        for (UINTN i = 0; (c = command_at(i)); i++)
            if (StrnCmp(c->name, l->text, l->cursor) == 0)
                Print(L"%s  ", c->name);
        console_write(L"\r\n");
        prompt_and_line(l);
    }
}

static void history_add(const CHAR16 *text)
{
    if (!text[0] || (history_count && StrCmp(history[history_count - 1], text) == 0))
        return;
    if (history_count == HISTORY_LINES) {
        for (UINTN i = 1; i < HISTORY_LINES; i++)
            StrCpy(history[i - 1], history[i]);
        history_count--;
    }
    StrCpy(history[history_count++], text);
}

static UINTN console_columns(void)
{
    UINTN columns = 80, rows = 25;
    ST->ConOut->QueryMode(ST->ConOut, ST->ConOut->Mode->Mode, &columns, &rows);
    return columns;
}

/* Show the prompt and read one line into `out` (LINE_MAX_CHARS + 1 wide). */
static void line_read(CHAR16 *out)
{
    struct line l = { .length = 0, .cursor = 0 };
    UINTN prompt = StrLen(SHELL_PROMPT), columns = console_columns();
    l.max = columns > prompt + 1 ? columns - prompt - 1 : 1;
    if (l.max > LINE_MAX_CHARS)
        l.max = LINE_MAX_CHARS;
    l.text[0] = 0;

    /* Up and down walk the history; `draft` keeps the line being typed. */
    CHAR16 draft[LINE_MAX_CHARS + 1] = { 0 };
    UINTN browsing = history_count;

    console_write(SHELL_PROMPT);
    for (;;) {
        EFI_INPUT_KEY key = keyboard_wait();
        switch (key.ScanCode) {
        case SCAN_LEFT:   if (l.cursor > 0) line_move(&l, l.cursor - 1); continue;
        case SCAN_RIGHT:  if (l.cursor < l.length) line_move(&l, l.cursor + 1); continue;
        case SCAN_HOME:   line_move(&l, 0); continue;
        case SCAN_END:    line_move(&l, l.length); continue;
        case SCAN_DELETE: line_delete(&l); continue;
        case SCAN_ESC:    line_replace(&l, L""); continue;
        case SCAN_UP:
            if (browsing > 0) {
                if (browsing == history_count)
                    StrCpy(draft, l.text);
                line_replace(&l, history[--browsing]);
            }
            continue;
        case SCAN_DOWN:
            if (browsing < history_count) {
                browsing++;
                line_replace(&l, browsing == history_count ? draft : history[browsing]);
            }
            continue;
        }
        switch (key.UnicodeChar) {
        case CHAR_CARRIAGE_RETURN:
        case CHAR_LINEFEED:
            console_write(L"\r\n");
            StrCpy(out, l.text);
            return;
        case CHAR_BACKSPACE:
            line_backspace(&l);
            continue;
        case CHAR_TAB:
            line_complete(&l);
            continue;
        case KEY_CTRL_C:                /* as in a shell: the line is dropped */
            console_write(L"^C\r\n");
            out[0] = 0;
            return;
        }
        if (key.UnicodeChar >= L' ' && key.UnicodeChar != ASCII_LAST)
            line_insert(&l, key.UnicodeChar);
    }
}

/* ---- running a line ------------------------------------------------------- */

EFI_STATUS shell_execute(const CHAR16 *line)
{
    CHAR16 words[LINE_MAX_CHARS + 1];
    CHAR16 *argv[ARGS_MAX + 1];
    UINTN argc = 0, i = 0;

    if (StrLen(line) > LINE_MAX_CHARS) {
        Print(L"The line is longer than %d characters; nothing was run.\n", LINE_MAX_CHARS);
        return EFI_BAD_BUFFER_SIZE;
    }
    StrCpy(words, line);
    for (;;) {
        while (words[i] == L' ' || words[i] == L'\t')
            words[i++] = 0;
        if (!words[i])
            break;
        if (argc == ARGS_MAX) {
            Print(L"Too many words: a command takes at most %d.\n", ARGS_MAX - 1);
            return EFI_INVALID_PARAMETER;
        }
        argv[argc++] = &words[i];
        while (words[i] && words[i] != L' ' && words[i] != L'\t')
            i++;
    }
    argv[argc] = NULL;
    if (argc == 0)
        return EFI_SUCCESS;

    const struct shell_command *command = command_find(argv[0]);
    if (!command) {
        Print(L"unknown command: %s (type help)\n", argv[0]);
        return EFI_NOT_FOUND;
    }
    return command->run(argc, argv);
}

/* Lines of \autorun.txt, ASCII (or UTF-8, whose other characters become '?')
   or UTF-16 LE with its byte order mark, each run as if typed. */
static void autorun(void)
{
    UINT8 *data;
    UINTN size;
    EFI_STATUS status = file_read(image_handle, SHELL_AUTORUN_PATH, AUTORUN_MAX_BYTES, &data, &size);
    if (status == EFI_NOT_FOUND)
        return;                                     /* no script: straight to the prompt */
    if (status == EFI_BAD_BUFFER_SIZE) {            /* file_read's "bigger than max_bytes" */
        Print(L"%s is bigger than %d KiB, the most the shell reads; nothing was run.\n",
              SHELL_AUTORUN_PATH, AUTORUN_MAX_BYTES / BYTES_PER_KIB);
        return;
    }
    if (EFI_ERROR(status)) {
        Print(L"Could not read %s: %r.\n", SHELL_AUTORUN_PATH, status);
        return;
    }

    BOOLEAN utf16 = size >= 2 && data[0] == UTF16_LE_BOM_0 && data[1] == UTF16_LE_BOM_1;
    UINTN unit = utf16 ? 2 : 1, at = utf16 ? 2 : 0, number = 0;
    while (at < size && !exit_requested) {
        CHAR16 line[LINE_MAX_CHARS + 1];
        UINTN n = 0;
        BOOLEAN too_long = FALSE;
        number++;
        for (; at + unit <= size; at += unit) {
            CHAR16 c = utf16 ? (CHAR16)(data[at] | data[at + 1] << 8) : data[at];
            if (c == L'\n') {
                at += unit;
                break;
            }
            if (c == L'\r')
                continue;
            if (n == LINE_MAX_CHARS)
                too_long = TRUE;
            else
                line[n++] = (!utf16 && c > ASCII_LAST) ? L'?' : c;
        }
        line[n] = 0;
        if (too_long) {
            Print(L"%s line %d is longer than %d characters; skipped.\n",
                  SHELL_AUTORUN_PATH, number, LINE_MAX_CHARS);
            continue;
        }
        UINTN first = 0;
        while (line[first] == L' ' || line[first] == L'\t')
            first++;
        if (!line[first] || line[first] == COMMENT_CHAR)
            continue;
        Print(L"> %s\n", line);
        shell_execute(line);
    }
    FreePool(data);
}

EFI_STATUS shell_run(EFI_HANDLE image, EFI_SYSTEM_TABLE *st,
                     const struct shell_command *extra, UINTN extra_count)
{
    InitializeLib(image, st);
    keyboard_init();
    image_handle = image;
    chapter_commands = extra;
    chapter_command_count = extra_count;
    exit_requested = FALSE;

    autorun();
    while (!exit_requested) {
        CHAR16 line[LINE_MAX_CHARS + 1];
        line_read(line);
        history_add(line);
        shell_execute(line);
    }
    return EFI_SUCCESS;
}

/* ---- help, exit, reboot, shutdown ----------------------------------------- */

static EFI_STATUS command_help(UINTN argc, CHAR16 **argv)
{
    const struct shell_command *c;
    UINTN width = 0;
    if (argc > 1)
        return shell_usage(argv);
    for (UINTN i = 0; (c = command_at(i)); i++)
        if (StrLen(c->usage) > width)
            width = StrLen(c->usage);
    for (UINTN i = 0; (c = command_at(i)); i++) {
        Print(L"  %s", c->usage);
        for (UINTN pad = StrLen(c->usage); pad < width + 2; pad++)
            write_char(L' ');
        Print(L"%s\n", c->help);
    }
    console_write(L"Keys: Left/Right/Home/End move, Up/Down recall earlier lines, Tab completes a command,\r\n"
                  L"      Ctrl-C drops the line.\r\n");
    return EFI_SUCCESS;
}

static EFI_STATUS command_exit(UINTN argc, CHAR16 **argv)
{
    if (argc > 1)
        return shell_usage(argv);
    exit_requested = TRUE;
    return EFI_SUCCESS;
}

/* ResetSystem does not return when it works (UEFI spec 8.5.1). */
static EFI_STATUS reset(EFI_RESET_TYPE type, const CHAR16 *what)
{
    Print(L"%s.\n", what);
    RT->ResetSystem(type, EFI_SUCCESS, 0, NULL);
    Print(L"ResetSystem returned: the firmware could not do it.\n");
    return EFI_UNSUPPORTED;
}

static EFI_STATUS command_reboot(UINTN argc, CHAR16 **argv)
{
    return argc > 1 ? shell_usage(argv) : reset(EfiResetCold, L"Rebooting");
}

static EFI_STATUS command_shutdown(UINTN argc, CHAR16 **argv)
{
    return argc > 1 ? shell_usage(argv) : reset(EfiResetShutdown, L"Powering off");
}

const struct shell_command shell_common_commands[] = {
    { L"help",     L"help",            L"this list", command_help },
    { L"sysinfo",  L"sysinfo",         L"firmware, UEFI version, system table and configuration tables", command_sysinfo },
    { L"memmap",   L"memmap",          L"the memory map, summed by type", command_memmap },
    { L"cpuid",    L"cpuid",           L"what the processor says about itself", command_cpuid },
    { L"peek",     L"peek ADDR [LEN]", L"hex dump of LEN (default 64) bytes of physical memory at hex ADDR", command_peek },
    { L"reboot",   L"reboot",          L"restart the machine", command_reboot },
    { L"shutdown", L"shutdown",        L"power the machine off", command_shutdown },
    { L"exit",     L"exit",            L"leave the shell, back to the firmware", command_exit },
};
const UINTN shell_common_command_count = sizeof shell_common_commands / sizeof shell_common_commands[0];
