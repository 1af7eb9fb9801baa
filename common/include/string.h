/*
 * string.h: the freestanding C library's memory and string functions
 * (common/lib/memory.c and string.c). The compiler may call memcpy, memmove, memset and
 * memcmp by itself (for struct copies, for example), so they must exist even
 * in a kernel that never names them. The same sources build for 32-bit and
 * 64-bit kernels.
 */
#ifndef BOOTCAMP_STRING_H
#define BOOTCAMP_STRING_H

#include <stddef.h>

void *memcpy(void *destination, const void *source, size_t count);
void *memmove(void *destination, const void *source, size_t count);
void *memset(void *destination, int byte, size_t count);
int memcmp(const void *a, const void *b, size_t count);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t limit);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t count);

#endif
