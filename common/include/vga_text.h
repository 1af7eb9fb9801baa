/*
 * vga_text.h: the VGA colour text screen (common/drivers/vga_text.c).
 *
 * 80 columns x 25 rows at physical address 0xB8000, two bytes per cell: the
 * character (code page 437) and an attribute, background colour in bits 4-6
 * and foreground colour in bits 0-3. The driver keeps a cursor, scrolls when it
 * runs off the bottom and moves the blinking hardware cursor along.
 */
#ifndef BOOTCAMP_VGA_TEXT_H
#define BOOTCAMP_VGA_TEXT_H

#include <stddef.h>

#define VGA_TEXT_BASE    0xB8000
#define VGA_TEXT_COLUMNS 80
#define VGA_TEXT_ROWS    25

enum vga_colour {
    VGA_BLACK, VGA_BLUE, VGA_GREEN, VGA_CYAN, VGA_RED, VGA_MAGENTA, VGA_BROWN, VGA_LIGHT_GREY,
    VGA_DARK_GREY, VGA_LIGHT_BLUE, VGA_LIGHT_GREEN, VGA_LIGHT_CYAN, VGA_LIGHT_RED,
    VGA_LIGHT_MAGENTA, VGA_YELLOW, VGA_WHITE,
};

/* Light grey on black, cursor at (row, 0); the screen is left as it is. */
void vga_text_init(unsigned row);
/* Blank every cell in the current colour and put the cursor top left. */
void vga_text_clear(void);
void vga_text_set_colour(enum vga_colour foreground, enum vga_colour background);
void vga_text_move_to(unsigned row, unsigned column);
/* Print one character: '\n' starts a new line, '\r' returns to column 0,
 * '\t' moves to the next multiple of 8; the screen scrolls at the bottom. */
void vga_text_put_char(char c);
void vga_text_write(const char *text, size_t length);

#endif
