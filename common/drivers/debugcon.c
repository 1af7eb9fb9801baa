/* debugcon.c: bytes to the emulator's debug port 0xE9 (see debugcon.h). */
#include "debugcon.h"
#include "io.h"

void debugcon_write(const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++)
        outb(DEBUG_PORT, (uint8_t)text[i]);
}
