/*
 * io.h: the x86 I/O port instructions (in, out) as inline functions.
 *
 * Ports are a 16-bit address space of their own, separate from memory; each
 * device driver names its ports (serial.c: COM1_BASE, vga_text.c: the CRTC).
 * Works the same in 32-bit protected mode and 64-bit long mode.
 */
#ifndef BOOTCAMP_IO_H
#define BOOTCAMP_IO_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t value)
{
    __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t value;
    __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

#endif
