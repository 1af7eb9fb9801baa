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

/* parse_field multiplies a value up to FORMAT_FIELD_MAX by 10 and adds a digit. */
_Static_assert(FORMAT_FIELD_MAX < (int)(~0u >> 1) / 10 - 9, "width arithmetic must not overflow int");
/* %zd reads a size_t's bits as the signed type of the same width: ptrdiff_t. */
_Static_assert(sizeof(ptrdiff_t) == sizeof(size_t), "ptrdiff_t and size_t differ in width");

struct spec {
    bool left;           /* '-' */
    bool zero;           /* '0' */
    bool alternate;      /* '#' */
    bool plus;           /* '+' */
    bool space;          /* ' ' */
    int width;           /* 0..FORMAT_FIELD_MAX */
    int precision;       /* -1: none; else 0..FORMAT_FIELD_MAX */
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

/*
 * One number: [padding] prefix [zeros] digits [padding]. C11 7.21.6.1:
 * the precision is the least number of digits (0 with precision 0 has none),
 * and the 0 flag is ignored when there is a precision or a '-'.
 */
static void emit_number(struct output *out, uint64_t value, unsigned base, bool upper,
                        const char *prefix, const struct spec *spec)
{
    const char *digit_chars = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char digits[DIGITS_MAX];
    int n = 0;
    while (value)
        digits[n++] = digit_chars[divide(&value, base)];
    if (n == 0 && spec->precision != 0)
        digits[n++] = '0';

    int prefix_length = 0;
    while (prefix[prefix_length])
        prefix_length++;
    int zeros = spec->precision > n ? spec->precision - n : 0;
    if (spec->zero && !spec->left && spec->precision < 0 && spec->width > prefix_length + n)
        zeros = spec->width - prefix_length - n;
    int padding = spec->width - prefix_length - zeros - n;

    if (!spec->left)
        emit_padding(out, ' ', padding);
    for (const char *p = prefix; *p; p++)
        emit(out, *p);
    emit_padding(out, '0', zeros);
    while (n)
        emit(out, digits[--n]);
    if (spec->left)
        emit_padding(out, ' ', padding);
}

/* length characters of s, padded to the width. */
static void emit_field(struct output *out, const char *s, int length, const struct spec *spec)
{
    if (!spec->left)
        emit_padding(out, ' ', spec->width - length);
    for (int i = 0; i < length; i++)
        emit(out, s[i]);
    if (spec->left)
        emit_padding(out, ' ', spec->width - length);
}

static void emit_string(struct output *out, const char *s, const struct spec *spec)
{
    if (!s)
        s = "(null)";
    int length = 0;
    while ((spec->precision < 0 || length < spec->precision) && s[length])
        length++;
    emit_field(out, s, length, spec);
}

enum length { LENGTH_INT, LENGTH_CHAR, LENGTH_SHORT, LENGTH_LONG, LENGTH_LONG_LONG, LENGTH_SIZE,
              LENGTH_MAX, LENGTH_PTRDIFF };

static uint64_t take_unsigned(va_list *args, enum length length)
{
    switch (length) {
    case LENGTH_CHAR:      return (unsigned char)va_arg(*args, unsigned);
    case LENGTH_SHORT:     return (unsigned short)va_arg(*args, unsigned);
    case LENGTH_LONG:      return va_arg(*args, unsigned long);
    case LENGTH_LONG_LONG: return va_arg(*args, unsigned long long);
    case LENGTH_SIZE:      return va_arg(*args, size_t);
    case LENGTH_MAX:       return va_arg(*args, uintmax_t);
    case LENGTH_PTRDIFF:   return (size_t)va_arg(*args, ptrdiff_t);
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
    /* size_t's signed twin: on i386 a 32-bit -1 must stay -1, not become 4294967295. */
    case LENGTH_SIZE:      return va_arg(*args, ptrdiff_t);
    case LENGTH_MAX:       return va_arg(*args, intmax_t);
    case LENGTH_PTRDIFF:   return va_arg(*args, ptrdiff_t);
    default:               return va_arg(*args, int);
    }
}

/* Decimal digits of a width or precision, stopping at FORMAT_FIELD_MAX:
 * "%9999999999d" would otherwise overflow int. */
static int parse_field(const char **p)
{
    int value = 0;
    while ((*p)[1] >= '0' && (*p)[1] <= '9') {
        int digit = *++*p - '0';
        if (value <= FORMAT_FIELD_MAX)
            value = value * 10 + digit;
    }
    return value > FORMAT_FIELD_MAX ? FORMAT_FIELD_MAX : value;
}

/* A width or precision given as *, as an int argument, clamped to FORMAT_FIELD_MAX
 * on both sides. Compared before it is negated: -INT_MIN does not exist. */
static int clamp_field(int value)
{
    if (value > FORMAT_FIELD_MAX)
        return FORMAT_FIELD_MAX;
    if (value < -FORMAT_FIELD_MAX)
        return -FORMAT_FIELD_MAX;
    return value;
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
            else if (p[1] == '+')
                spec.plus = true;
            else if (p[1] == ' ')
                spec.space = true;
            else
                break;
        }
        if (p[1] == '*') {
            /* C11 7.21.6.1p5: a negative width argument is a '-' flag and a positive width. */
            int width = clamp_field(va_arg(args, int));
            if (width < 0) {
                spec.left = true;
                width = -width;
            }
            spec.width = width;
            p++;
        } else {
            spec.width = parse_field(&p);
        }
        if (p[1] == '.') {
            p++;
            if (p[1] == '*') {
                /* ... and a negative precision argument is as if there were none. */
                int precision = clamp_field(va_arg(args, int));
                spec.precision = precision < 0 ? -1 : precision;
                p++;
            } else {
                spec.precision = parse_field(&p);
            }
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
        } else if (p[1] == 't') {
            p++;
            length = LENGTH_PTRDIFF;
        }

        char conversion = *++p;
        switch (conversion) {
        case 'd':
        case 'i': {
            int64_t value = take_signed(&args, length);
            const char *sign = value < 0 ? "-" : spec.plus ? "+" : spec.space ? " " : "";
            emit_number(&out, value < 0 ? -(uint64_t)value : (uint64_t)value, 10, false, sign,
                        &spec);
            break;
        }
        case 'u':
            emit_number(&out, take_unsigned(&args, length), 10, false, "", &spec);
            break;
        case 'x':
        case 'X': {
            /* '#' adds 0x to a value that is not zero (C11 7.21.6.1p6). */
            uint64_t value = take_unsigned(&args, length);
            const char *prefix = spec.alternate && value ? (conversion == 'X' ? "0X" : "0x") : "";
            emit_number(&out, value, 16, conversion == 'X', prefix, &spec);
            break;
        }
        case 'p':
            /* The course's choice (C leaves %p to the implementation): 0x and every digit. */
            spec.zero = true;
            spec.left = false;
            spec.precision = -1;
            spec.width = 2 + 2 * (int)sizeof(void *);
            emit_number(&out, (uintptr_t)va_arg(args, void *), 16, false, "0x", &spec);
            break;
        case 's':
            emit_string(&out, va_arg(args, const char *), &spec);
            break;
        case 'c': {
            char c = (char)va_arg(args, int);
            emit_field(&out, &c, 1, &spec);
            break;
        }
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
