/*
 * text.c -- see text.h. Only what the course's C library (common/lib) does
 * not have: its snprintf (format.h) formats the chapter's ASCII text, and
 * its string.c measures and compares it.
 */
#include "text.h"

char text_upper(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

int text_equal_nocase(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (text_upper(a[i]) != text_upper(b[i]))
            return 0;
        if (!a[i])
            return 1;
    }
    return 1;
}

int text_starts_with(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++)
            return 0;
    return 1;
}

const char *text_find(const char *haystack, size_t length, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= length; i++) {
        size_t j = 0;
        while (j < n && haystack[i + j] == needle[j])
            j++;
        if (j == n)
            return haystack + i;
    }
    return NULL;
}

size_t text_parse_number(const char *s, unsigned base, uint64_t *value)
{
    size_t i = 0;
    uint64_t v = 0;
    for (;; i++) {
        char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (base == 16 && text_upper(c) >= 'A' && text_upper(c) <= 'F')
            d = (unsigned)(text_upper(c) - 'A' + 10);
        else
            break;
        if (v > (UINT64_MAX - d) / base)
            return 0;
        v = v * base + d;
    }
    *value = v;
    return i;
}
