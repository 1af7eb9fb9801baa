/*
 * format.h: a small printf (common/lib/format.c), with no idea where its
 * characters go: each character is handed to a `sink`.
 *
 * Conversions: %d %i %u %x %X %p %s %c %%
 * Flags: - (left-justify), 0 (pad with zeros), # (0x prefix for %x)
 * Width: a number or *.  Precision: only for %s (at most that many characters).
 * Length: hh h l ll z (size_t) j (intmax_t).
 *
 * Numbers are converted without 64-bit division, so a 32-bit kernel needs no
 * libgcc (Debian's gcc has no 32-bit libgcc unless gcc-multilib is installed).
 */
#ifndef BOOTCAMP_FORMAT_H
#define BOOTCAMP_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*format_sink)(char c, void *context);

/* Format into `sink`; returns the number of characters produced. */
int format(format_sink sink, void *context, const char *fmt, va_list args);

/* Format into buffer[0..size-1], always zero-terminated when size > 0; returns
 * the length the whole result would have had. */
int snprintf(char *buffer, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
