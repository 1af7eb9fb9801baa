/*
 * console.c: print to the screen, COM1 and port 0xE9 at once (console.h).
 */
#include <stdarg.h>

#include "console.h"
#include "cpu.h"
#include "debugcon.h"
#include "format.h"
#include "serial.h"
#include "string.h"

/* Characters are gathered in a line buffer and written out a line at a time. */
#define CONSOLE_LINE_BYTES 128

struct line {
    char text[CONSOLE_LINE_BYTES];
    size_t used;
};

void console_init(unsigned row)
{
    vga_text_init(row);
    serial_init();
}

void console_write(const char *text, size_t length)
{
    vga_text_write(text, length);
    serial_write(text, length);
    debugcon_write(text, length);
}

void console_set_colour(enum vga_colour foreground, enum vga_colour background)
{
    vga_text_set_colour(foreground, background);
}

static void flush(struct line *line)
{
    console_write(line->text, line->used);
    line->used = 0;
}

static void line_sink(char c, void *context)
{
    struct line *line = context;
    line->text[line->used++] = c;
    if (c == '\n' || line->used == CONSOLE_LINE_BYTES)
        flush(line);
}

static int console_vprintf(const char *fmt, va_list args)
{
    struct line line = { .used = 0 };
    int n = format(line_sink, &line, fmt, args);
    flush(&line);
    return n;
}

int kprintf(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    int n = console_vprintf(fmt, args);
    va_end(args);
    return n;
}

void panic(const char *fmt, ...)
{
    va_list args;
    console_set_colour(VGA_WHITE, VGA_RED);
    kprintf("error: ");
    va_start(args, fmt);
    console_vprintf(fmt, args);
    va_end(args);
    kprintf("\nhalted.\n");
    cpu_halt_forever();
}
