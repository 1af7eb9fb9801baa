/*
 * serial.c: COM1, the first 16550 UART, for output.
 *
 * Registers at COM1_BASE + n (source: National Semiconductor PC16550D data
 * sheet, table "Register summary"):
 *   +0  data (DLAB=0) / divisor low byte (DLAB=1)
 *   +1  interrupt enable (DLAB=0) / divisor high byte (DLAB=1)
 *   +2  FIFO control
 *   +3  line control: word length, stop bits, parity, DLAB (bit 7)
 *   +4  modem control: DTR, RTS, OUT2, loopback (bit 4)
 *   +5  line status: bit 5 = transmit holding register empty
 */
#include <stdbool.h>
#include <stdint.h>

#include "io.h"
#include "serial.h"

#define COM1_BASE               0x3F8
#define UART_DATA               0
#define UART_INTERRUPT_ENABLE   1
#define UART_DIVISOR_LOW        0
#define UART_DIVISOR_HIGH       1
#define UART_FIFO_CONTROL       2
#define UART_LINE_CONTROL       3
#define UART_MODEM_CONTROL      4
#define UART_LINE_STATUS        5

#define UART_CLOCK_HZ           115200  /* 1.8432 MHz / 16: the divisor's base */
#define SERIAL_BAUD             115200
#define LINE_8N1                0x03    /* 8 data bits, no parity, 1 stop bit */
#define LINE_DLAB               0x80    /* divisor latch access */
#define FIFO_ENABLE_AND_CLEAR   0x07    /* enable, clear receive and transmit FIFOs */
#define MODEM_DTR_RTS_OUT2      0x0B
#define MODEM_LOOPBACK          0x10
#define STATUS_TRANSMIT_EMPTY   0x20
#define LOOPBACK_TEST_BYTE      0xAE
/* How often to look at the line status before giving up on a byte: a UART
 * that never empties (or is not there) must not hang the kernel. */
#define TRANSMIT_POLLS          100000

static bool present;

bool serial_init(void)
{
    outb(COM1_BASE + UART_INTERRUPT_ENABLE, 0);                  /* no interrupts: we poll */
    outb(COM1_BASE + UART_LINE_CONTROL, LINE_DLAB);
    outb(COM1_BASE + UART_DIVISOR_LOW, UART_CLOCK_HZ / SERIAL_BAUD);
    outb(COM1_BASE + UART_DIVISOR_HIGH, 0);
    outb(COM1_BASE + UART_LINE_CONTROL, LINE_8N1);               /* also clears DLAB */
    outb(COM1_BASE + UART_FIFO_CONTROL, FIFO_ENABLE_AND_CLEAR);
    /* Is anyone there? In loopback mode a byte sent comes straight back. */
    outb(COM1_BASE + UART_MODEM_CONTROL, MODEM_DTR_RTS_OUT2 | MODEM_LOOPBACK);
    outb(COM1_BASE + UART_DATA, LOOPBACK_TEST_BYTE);
    present = inb(COM1_BASE + UART_DATA) == LOOPBACK_TEST_BYTE;
    outb(COM1_BASE + UART_MODEM_CONTROL, MODEM_DTR_RTS_OUT2);
    return present;
}

static void send(char c)
{
    for (unsigned polls = 0; polls < TRANSMIT_POLLS; polls++) {
        if (inb(COM1_BASE + UART_LINE_STATUS) & STATUS_TRANSMIT_EMPTY) {
            outb(COM1_BASE + UART_DATA, (uint8_t)c);
            return;
        }
    }
}

void serial_put_char(char c)
{
    if (!present)
        return;
    if (c == '\n')
        send('\r');
    send(c);
}

void serial_write(const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++)
        serial_put_char(text[i]);
}
