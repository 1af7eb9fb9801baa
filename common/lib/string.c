/*
 * string.c: memory and string functions for kernels with no C library.
 * Byte at a time: simple to read and step through in gdb; no kernel in this
 * course copies enough for speed to matter.
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

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

size_t strnlen(const char *s, size_t limit)
{
    size_t n = 0;
    while (n < limit && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t count)
{
    for (; count; count--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            break;
    }
    return 0;
}
