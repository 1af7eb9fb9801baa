/*
 * console.h: one place to print (common/drivers/console.c).
 *
 * Everything printed goes to the VGA text screen (what the learner sees), to
 * COM1 and to the debug port 0xE9 (what the tests read), so a message is never
 * on one and missing from the others.
 */
#ifndef BOOTCAMP_CONSOLE_H
#define BOOTCAMP_CONSOLE_H

#include <stddef.h>

#include "vga_text.h"

/* Start printing on the screen at `row` (rows above it are kept), set up COM1. */
void console_init(unsigned row);
void console_write(const char *text, size_t length);
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The colour of what is printed next on the screen (serial and 0xE9 have none). */
void console_set_colour(enum vga_colour foreground, enum vga_colour background);

/* Print "error: " and the message in white on red everywhere, then halt for good. */
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

#endif
