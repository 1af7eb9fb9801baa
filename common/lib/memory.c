/*
 * memory.c: copying, filling and comparing bytes, for kernels with no C library.
 * Byte at a time: simple to read and step through in gdb; no kernel in this
 * course copies enough for speed to matter.
 * Apart from string.c because a UEFI program gets these four from gnu-efi's
 * libefi.a (its init.o defines memcpy and memset beside InitializeLib), and
 * links string.c alone.
 */
#include "string.h"

void *memcpy(void *destination, const void *source, size_t count)
{
    unsigned char *d = destination;
    const unsigned char *s = source;
    while (count--)
        *d++ = *s++;
    return destination;
}

void *memmove(void *destination, const void *source, size_t count)
{
    unsigned char *d = destination;
    const unsigned char *s = source;
    if (d < s) {
        while (count--)
            *d++ = *s++;
    } else {
        /* Overlapping with the destination above the source: copy from the end. */
        while (count--)
            d[count] = s[count];
    }
    return destination;
}

void *memset(void *destination, int byte, size_t count)
{
    unsigned char *d = destination;
    while (count--)
        *d++ = (unsigned char)byte;
    return destination;
}

int memcmp(const void *a, const void *b, size_t count)
{
    const unsigned char *x = a, *y = b;
    for (; count; count--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}
