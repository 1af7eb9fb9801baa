/*
 * format.h: a small printf (common/lib/format.c), with no idea where its
 * characters go: each character is handed to a `sink`.
 *
 * Conversions: %d %i %u %x %X %p %s %c %%, as C11 7.21.6.1 says, except:
 *   %p prints 0x and every hex digit of the pointer (C leaves %p's form open);
 *   an unknown conversion prints itself ("%q"), so the mistake shows.
 * Flags: - (left-justify), 0 (pad with zeros), # (0x prefix for %x of a value
 * that is not 0), + and space (sign of %d).
 * Width: a number or *; a negative * width means '-' and its absolute value.
 * Precision: for numbers the least number of digits, for %s the most
 * characters; a negative * precision counts as none.
 * Width and precision stop at FORMAT_FIELD_MAX: C would print a width of
 * 2000000000 (and fail past INT_MAX); a kernel console has no use for that, and
 * a typo like %9999999999d must neither overflow an int nor print for hours.
 * Length: hh h l ll z (size_t, signed for %zd) t (ptrdiff_t) j (intmax_t).
 *
 * Numbers are converted without 64-bit division, so a 32-bit kernel needs no
 * libgcc (Debian's gcc has no 32-bit libgcc unless gcc-multilib is installed).
 */
#ifndef BOOTCAMP_FORMAT_H
#define BOOTCAMP_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

#define FORMAT_FIELD_MAX 4096   /* largest width or precision, in characters */

typedef void (*format_sink)(char c, void *context);

/* Format into `sink`; returns the number of characters produced. */
int format(format_sink sink, void *context, const char *fmt, va_list args);

/* Format into buffer[0..size-1], always zero-terminated when size > 0; returns
 * the length the whole result would have had. */
int snprintf(char *buffer, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
