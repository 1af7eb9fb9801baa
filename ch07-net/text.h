/*
 * text.h -- ASCII text helpers for the protocols (HTTP speaks bytes, the
 * firmware console speaks CHAR16). Freestanding: text.c builds for the
 * firmware and, in the tests, for the host.
 */
#ifndef TEXT_H
#define TEXT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* printf-like into buf (always NUL-terminated); returns the length written.
   Knows %s %c %d %u %x %X with l/ll, a width and 0 padding, and %%. */
size_t text_vformat(char *buf, size_t size, const char *fmt, va_list args);
size_t text_format(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

size_t text_length(const char *s);
int    text_equal_nocase(const char *a, const char *b, size_t n);   /* first n bytes */
int    text_starts_with(const char *s, const char *prefix);
/* The first occurrence of needle in haystack[0..length), or NULL. */
const char *text_find(const char *haystack, size_t length, const char *needle);
/* Digits of `base` (10 or 16) from s into *value; returns how many were read, 0 on
   none or on overflow. */
size_t text_parse_number(const char *s, unsigned base, uint64_t *value);
char   text_upper(char c);

#endif
