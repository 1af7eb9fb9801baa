/*
 * text.c -- see text.h. Our own small formatter rather than gnu-efi's
 * AsciiVSPrint, whose conversions follow the firmware's Print (%a for ASCII
 * strings): here %s means a char string, as everywhere else in C.
 */
#include "text.h"

struct out {
    char *buf;
    size_t size, length;
};

static void put(struct out *o, char c)
{
    if (o->length + 1 < o->size)
        o->buf[o->length] = c;
    o->length++;
}

static void put_number(struct out *o, uint64_t value, unsigned base, int upper,
                       int negative, unsigned width, char pad)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    unsigned n = 0;
    do {
        tmp[n++] = digits[value % base];
        value /= base;
    } while (value);
    if (negative)
        tmp[n++] = '-';
    while (width > n) {
        put(o, pad);
        width--;
    }
    while (n)
        put(o, tmp[--n]);
}

size_t text_vformat(char *buf, size_t size, const char *fmt, va_list args)
{
    struct out o = { buf, size, 0 };
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        unsigned width = 0, longs = 0;
        if (*fmt == '0')
            pad = '0';
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (unsigned)(*fmt++ - '0');
        while (*fmt == 'l')
            longs++, fmt++;
        if (*fmt == 'z')
            longs = 2, fmt++;
        switch (*fmt) {
        case 's': {
            const char *s = va_arg(args, const char *);
            size_t len = text_length(s ? s : "(null)");
            for (; width > len; width--)
                put(&o, ' ');
            for (s = s ? s : "(null)"; *s; s++)
                put(&o, *s);
            break;
        }
        case 'c':
            put(&o, (char)va_arg(args, int));
            break;
        case 'd': {
            int64_t v = longs ? va_arg(args, int64_t) : va_arg(args, int);
            put_number(&o, v < 0 ? (uint64_t)-v : (uint64_t)v, 10, 0, v < 0, width, pad);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t v = longs ? va_arg(args, uint64_t) : va_arg(args, unsigned);
            put_number(&o, v, *fmt == 'u' ? 10 : 16, *fmt == 'X', 0, width, pad);
            break;
        }
        case '%':
            put(&o, '%');
            break;
        default:            /* an unknown conversion is shown, not swallowed */
            put(&o, '%');
            if (*fmt)
                put(&o, *fmt);
            else
                fmt--;
        }
    }
    if (size)
        buf[o.length < size ? o.length : size - 1] = 0;
    return o.length < size ? o.length : (size ? size - 1 : 0);
}

size_t text_format(char *buf, size_t size, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    size_t n = text_vformat(buf, size, fmt, args);
    va_end(args);
    return n;
}

size_t text_length(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

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
    size_t n = text_length(needle);
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
