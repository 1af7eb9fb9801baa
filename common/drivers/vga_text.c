/*
 * vga_text.c: print on the VGA colour text screen, with colours and scrolling.
 *
 *   0xB8000  row 0:  [char][attr][char][attr] ... 80 cells, 160 bytes
 *   0xB80A0  row 1
 *   ...
 *   0xB8F00  row 24  (80 x 25 x 2 = 4000 bytes in all)
 *
 *   attribute byte:  bit 7 blink | bits 6-4 background | bits 3-0 foreground
 *
 * The blinking cursor is the CRT controller's, moved through its index and
 * data ports (registers 0x0E and 0x0F: the cell number, high then low byte).
 * Source: IBM VGA Technical Reference, "CRT Controller Registers".
 */
#include <stdint.h>

#include "io.h"
#include "string.h"
#include "vga_text.h"

#define CRTC_INDEX_PORT         0x3D4
#define CRTC_DATA_PORT          0x3D5
#define CRTC_CURSOR_HIGH        0x0E
#define CRTC_CURSOR_LOW         0x0F
#define TAB_STOP                8

static volatile uint16_t *const cells = (volatile uint16_t *)VGA_TEXT_BASE;
static unsigned cursor_row, cursor_column;
static uint8_t attribute = VGA_LIGHT_GREY | VGA_BLACK << 4;

static uint16_t cell(char c)
{
    return (uint16_t)((uint8_t)c | attribute << 8);
}

static void move_hardware_cursor(void)
{
    uint16_t position = (uint16_t)(cursor_row * VGA_TEXT_COLUMNS + cursor_column);
    outb(CRTC_INDEX_PORT, CRTC_CURSOR_HIGH);
    outb(CRTC_DATA_PORT, (uint8_t)(position >> 8));
    outb(CRTC_INDEX_PORT, CRTC_CURSOR_LOW);
    outb(CRTC_DATA_PORT, (uint8_t)position);
}

void vga_text_init(unsigned row)
{
    vga_text_set_colour(VGA_LIGHT_GREY, VGA_BLACK);
    vga_text_move_to(row, 0);
}

void vga_text_clear(void)
{
    for (unsigned i = 0; i < VGA_TEXT_COLUMNS * VGA_TEXT_ROWS; i++)
        cells[i] = cell(' ');
    vga_text_move_to(0, 0);
}

void vga_text_set_colour(enum vga_colour foreground, enum vga_colour background)
{
    attribute = (uint8_t)(foreground | background << 4);
}

void vga_text_move_to(unsigned row, unsigned column)
{
    cursor_row = row < VGA_TEXT_ROWS ? row : VGA_TEXT_ROWS - 1;
    cursor_column = column < VGA_TEXT_COLUMNS ? column : VGA_TEXT_COLUMNS - 1;
    move_hardware_cursor();
}

/* Move every row up by one and blank the bottom row. */
static void scroll(void)
{
    for (unsigned i = 0; i < VGA_TEXT_COLUMNS * (VGA_TEXT_ROWS - 1); i++)
        cells[i] = cells[i + VGA_TEXT_COLUMNS];
    for (unsigned i = 0; i < VGA_TEXT_COLUMNS; i++)
        cells[(VGA_TEXT_ROWS - 1) * VGA_TEXT_COLUMNS + i] = cell(' ');
}

static void new_line(void)
{
    cursor_column = 0;
    if (++cursor_row == VGA_TEXT_ROWS) {
        scroll();
        cursor_row = VGA_TEXT_ROWS - 1;
    }
}

static void put_char(char c)
{
    switch (c) {
    case '\n':
        new_line();
        return;
    case '\r':
        cursor_column = 0;
        return;
    case '\t':
        do
            put_char(' ');
        while (cursor_column % TAB_STOP);
        return;
    }
    cells[cursor_row * VGA_TEXT_COLUMNS + cursor_column] = cell(c);
    if (++cursor_column == VGA_TEXT_COLUMNS)
        new_line();
}

void vga_text_put_char(char c)
{
    put_char(c);
    move_hardware_cursor();
}

void vga_text_write(const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++)
        put_char(text[i]);
    move_hardware_cursor();
}
