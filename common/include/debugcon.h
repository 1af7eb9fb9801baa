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

/* DEBUG_PORT (0xE9) comes from the build: common/mk/tools.mk defines it once
   for C and assembly alike. */
#ifndef DEBUG_PORT
#error "DEBUG_PORT is not defined: the build passes it (common/mk/tools.mk)"
#endif

void debugcon_write(const char *text, size_t length);

#endif
