/*
 * format.c: a small printf. See format.h for what it understands.
 *
 * 64-bit numbers are turned into digits by long division on 16-bit pieces,
 * each step dividing a value below 2^32 by the base, so a 32-bit kernel never
 * needs the compiler's 64-bit division helpers (__udivdi3, in libgcc).
 */
#include <stdbool.h>
#include <stdint.h>

#include "format.h"

#define DIGITS_MAX 24    /* 2^64 has 20 decimal digits; a sign and 0x fit too */

struct spec {
    bool left;           /* '-' */
    bool zero;           /* '0' */
    bool alternate;      /* '#' */
    int width;
    int precision;       /* -1: none */
};

struct output {
    format_sink sink;
    void *context;
    int count;
};

static void emit(struct output *out, char c)
{
    out->sink(c, out->context);
    out->count++;
}

static void emit_padding(struct output *out, char c, int n)
{
    while (n-- > 0)
        emit(out, c);
}

/* Divide *value by base in place, return the remainder. */
static unsigned divide(uint64_t *value, unsigned base)
{
    uint64_t quotient = 0;
    uint32_t remainder = 0;
    for (int shift = 48; shift >= 0; shift -= 16) {
        uint32_t piece = (remainder << 16) | (uint32_t)((*value >> shift) & 0xFFFF);
        quotient |= (uint64_t)(piece / base) << shift;
        remainder = piece % base;
    }
    *value = quotient;
    return remainder;
}

static void emit_number(struct output *out, uint64_t value, bool negative, unsigned base,
                        bool upper, const struct spec *spec)
{
    const char *digit_chars = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char digits[DIGITS_MAX];
    int n = 0;
    do
        digits[n++] = digit_chars[divide(&value, base)];
    while (value);

    const char *prefix = negative ? "-" : (spec->alternate && base == 16) ? (upper ? "0X" : "0x") : "";
    int prefix_length = negative ? 1 : (spec->alternate && base == 16) ? 2 : 0;
    int padding = spec->width - n - prefix_length;

    if (!spec->left && !spec->zero)
        emit_padding(out, ' ', padding);
    for (const char *p = prefix; *p; p++)
        emit(out, *p);
    if (!spec->left && spec->zero)
        emit_padding(out, '0', padding);
    while (n)
        emit(out, digits[--n]);
    if (spec->left)
        emit_padding(out, ' ', padding);
}

static void emit_string(struct output *out, const char *s, const struct spec *spec)
{
    if (!s)
        s = "(null)";
    int length = 0;
    while (s[length] && (spec->precision < 0 || length < spec->precision))
        length++;
    if (!spec->left)
        emit_padding(out, ' ', spec->width - length);
    for (int i = 0; i < length; i++)
        emit(out, s[i]);
    if (spec->left)
        emit_padding(out, ' ', spec->width - length);
}

enum length { LENGTH_INT, LENGTH_CHAR, LENGTH_SHORT, LENGTH_LONG, LENGTH_LONG_LONG, LENGTH_SIZE,
              LENGTH_MAX };

static uint64_t take_unsigned(va_list *args, enum length length)
{
    switch (length) {
    case LENGTH_CHAR:      return (unsigned char)va_arg(*args, unsigned);
    case LENGTH_SHORT:     return (unsigned short)va_arg(*args, unsigned);
    case LENGTH_LONG:      return va_arg(*args, unsigned long);
    case LENGTH_LONG_LONG: return va_arg(*args, unsigned long long);
    case LENGTH_SIZE:      return va_arg(*args, size_t);
    case LENGTH_MAX:       return va_arg(*args, uintmax_t);
    default:               return va_arg(*args, unsigned);
    }
}

static int64_t take_signed(va_list *args, enum length length)
{
    switch (length) {
    case LENGTH_CHAR:      return (signed char)va_arg(*args, int);
    case LENGTH_SHORT:     return (short)va_arg(*args, int);
    case LENGTH_LONG:      return va_arg(*args, long);
    case LENGTH_LONG_LONG: return va_arg(*args, long long);
    case LENGTH_SIZE:      return (int64_t)va_arg(*args, size_t);
    case LENGTH_MAX:       return va_arg(*args, intmax_t);
    default:               return va_arg(*args, int);
    }
}

int format(format_sink sink, void *context, const char *fmt, va_list args_in)
{
    struct output out = { sink, context, 0 };
    va_list args;
    va_copy(args, args_in);

    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            emit(&out, *p);
            continue;
        }
        struct spec spec = { .precision = -1 };
        for (;; p++) {
            if (p[1] == '-')
                spec.left = true;
            else if (p[1] == '0')
                spec.zero = true;
            else if (p[1] == '#')
                spec.alternate = true;
            else
                break;
        }
        if (p[1] == '*') {
            spec.width = va_arg(args, int);
            p++;
        }
        while (p[1] >= '0' && p[1] <= '9')
            spec.width = spec.width * 10 + (*++p - '0');
        if (p[1] == '.') {
            p++;
            spec.precision = 0;
            if (p[1] == '*') {
                spec.precision = va_arg(args, int);
                p++;
            }
            while (p[1] >= '0' && p[1] <= '9')
                spec.precision = spec.precision * 10 + (*++p - '0');
        }
        enum length length = LENGTH_INT;
        if (p[1] == 'h') {
            p++;
            length = LENGTH_SHORT;
            if (p[1] == 'h') {
                p++;
                length = LENGTH_CHAR;
            }
        } else if (p[1] == 'l') {
            p++;
            length = LENGTH_LONG;
            if (p[1] == 'l') {
                p++;
                length = LENGTH_LONG_LONG;
            }
        } else if (p[1] == 'z') {
            p++;
            length = LENGTH_SIZE;
        } else if (p[1] == 'j') {
            p++;
            length = LENGTH_MAX;
        }

        char conversion = *++p;
        switch (conversion) {
        case 'd':
        case 'i': {
            int64_t value = take_signed(&args, length);
            emit_number(&out, value < 0 ? -(uint64_t)value : (uint64_t)value, value < 0, 10,
                        false, &spec);
            break;
        }
        case 'u':
            emit_number(&out, take_unsigned(&args, length), false, 10, false, &spec);
            break;
        case 'x':
        case 'X':
            emit_number(&out, take_unsigned(&args, length), false, 16, conversion == 'X', &spec);
            break;
        case 'p':
            spec.alternate = true;
            spec.zero = true;
            spec.width = 2 + 2 * (int)sizeof(void *);
            emit_number(&out, (uintptr_t)va_arg(args, void *), false, 16, false, &spec);
            break;
        case 's':
            emit_string(&out, va_arg(args, const char *), &spec);
            break;
        case 'c':
            emit(&out, (char)va_arg(args, int));
            break;
        case '%':
            emit(&out, '%');
            break;
        case '\0':
            /* A lone % at the end: print it, and stop. */
            emit(&out, '%');
            p--;
            break;
        default:
            /* Unknown conversion: show it as written, so the mistake is visible. */
            emit(&out, '%');
            emit(&out, conversion);
            break;
        }
    }
    va_end(args);
    return out.count;
}

struct buffer {
    char *data;
    size_t size;
    size_t used;
};

static void buffer_sink(char c, void *context)
{
    struct buffer *b = context;
    if (b->used + 1 < b->size)
        b->data[b->used] = c;
    b->used++;
}

int snprintf(char *buffer, size_t size, const char *fmt, ...)
{
    struct buffer b = { buffer, size, 0 };
    va_list args;
    va_start(args, fmt);
    int n = format(buffer_sink, &b, fmt, args);
    va_end(args);
    if (size)
        buffer[b.used < size ? b.used : size - 1] = '\0';
    return n;
}
