/*
 * debugcon.h: the emulators' debug port 0xE9 (common/drivers/debugcon.c).
 *
 * Each byte written to port 0xE9 comes out on the host: QEMU's -debugcon
 * file, Bochs's standard output (port_e9_hack). On a real PC nothing listens
 * there and the writes are lost, which is harmless.
 */
#ifndef BOOTCAMP_DEBUGCON_H
#define BOOTCAMP_DEBUGCON_H

#include <stddef.h>

#define DEBUGCON_PORT 0xE9

void debugcon_write(const char *text, size_t length);

#endif
