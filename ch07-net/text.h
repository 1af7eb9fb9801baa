/*
 * text.h -- ASCII text helpers for the protocols (HTTP speaks bytes, the
 * firmware console speaks CHAR16): comparing, searching, parsing numbers.
 * Formatting is the course's snprintf (format.h, common/lib/format.c), the
 * same one the kernels of chapters 4 and 5 print with; measuring and comparing
 * is its string.c (EFI_COMMON in the Makefile). Freestanding: text.c
 * builds for the firmware and, in the tests, for the host.
 */
#ifndef TEXT_H
#define TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>     /* strlen, strcmp ...: common/lib/string.c in the firmware */

int    text_equal_nocase(const char *a, const char *b, size_t n);   /* first n bytes */
int    text_starts_with(const char *s, const char *prefix);
/* The first occurrence of needle in haystack[0..length), or NULL. */
const char *text_find(const char *haystack, size_t length, const char *needle);
/* Digits of `base` (10 or 16) from s into *value; returns how many were read, 0 on
   none or on overflow. */
size_t text_parse_number(const char *s, unsigned base, uint64_t *value);
char   text_upper(char c);

#endif
