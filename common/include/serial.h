/*
 * serial.h: the first serial port, COM1 (common/drivers/serial.c).
 *
 * 115200 baud, 8 data bits, no parity, 1 stop bit. Output only: a kernel that
 * prints here can be read by a test (QEMU's -serial file, Bochs's com1 file)
 * or by a terminal on a real machine's null-modem cable.
 */
#ifndef BOOTCAMP_SERIAL_H
#define BOOTCAMP_SERIAL_H

#include <stdbool.h>
#include <stddef.h>

/* Program COM1; false when no UART answers (the port then stays unused). */
bool serial_init(void);
/* Send one character ('\n' goes out as "\r\n", as terminals expect). */
void serial_put_char(char c);
void serial_write(const char *text, size_t length);

#endif
