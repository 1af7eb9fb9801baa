/*
 * fuzz_format.c: the course's printf (lib/format.c) against the host C
 * library, one conversion at a time.
 *
 * The input is read as a list of conversions: each takes a few bytes for its
 * flags, width, precision, length and conversion letter, and 8 bytes for its
 * argument, and is printed by both. Where C defines the result, both must be
 * equal, byte for byte, and return the same length; otherwise (a width past
 * FORMAT_FIELD_MAX, %p, the course's own choices in format.h) ours must only
 * run to the end within its limits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

#define SPEC_MAX     64          /* characters in one generated conversion */
#define OUT_MAX      (4 * FORMAT_FIELD_MAX)
#define COMPARED_MAX 1000        /* widths and precisions the oracle is asked about */

struct input {
    const uint8_t *data;
    size_t size;
};

static uint8_t take_byte(struct input *in)
{
    if (!in->size)
        return 0;
    in->size--;
    return *in->data++;
}

static uint64_t take_u64(struct input *in)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | take_byte(in);
    return v;
}

static char ours[OUT_MAX], theirs[OUT_MAX];

static int host_snprintf(char *buffer, size_t size, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(buffer, size, fmt, args);
    va_end(args);
    return n;
}

/* Both printfs, the same format and argument; x is the argument's type. */
#define BOTH(x) do { a = snprintf(ours, sizeof ours, spec, x); \
                     b = host_snprintf(theirs, sizeof theirs, spec, x); } while (0)
#define OURS(x) do { a = snprintf(ours, sizeof ours, spec, x); } while (0)

enum kind { SIGNED, UNSIGNED, STRING, CHAR, POINTER, PERCENT };

static void check(const char *spec, int a, int b)
{
    if (a == b && strcmp(ours, theirs) == 0)
        return;
    fprintf(stderr, "format \"%s\": ours %d \"%s\"\n      C library %d \"%s\"\n", spec, a,
            ours, b, theirs);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = { data, size };
    static const char conversions[] = "diuxXscp%";
    static const char *const lengths[] = { "", "hh", "h", "l", "ll", "z", "j", "t" };
    static const char flag_chars[] = "-0#+ ";
    char string[33];

    while (in.size) {
        char spec[SPEC_MAX];
        size_t n = 0;
        uint8_t flags = take_byte(&in), shape = take_byte(&in);
        char conversion = conversions[take_byte(&in) % (sizeof conversions - 1)];
        const char *length = lengths[shape & 7];
        int width = (int16_t)(take_byte(&in) << 8 | take_byte(&in));    /* -32768..32767 */
        int precision = (int16_t)(take_byte(&in) << 8 | take_byte(&in));
        uint64_t value = take_u64(&in);
        enum kind kind = conversion == 'd' || conversion == 'i' ? SIGNED
                       : conversion == 's' ? STRING : conversion == 'c' ? CHAR
                       : conversion == 'p' ? POINTER : conversion == '%' ? PERCENT : UNSIGNED;
        /* Where C says "undefined", there is nothing to compare: leave it out. */
        if (kind == STRING || kind == CHAR || kind == POINTER || kind == PERCENT)
            length = "";
        int star_width = shape & 0x10, star_precision = shape & 0x20;
        int has_width = shape & 0x08, has_precision = shape & 0x40;
        int huge = (shape & 0x80) && (flags & 0x80);    /* ten digits, or INT_MIN */

        spec[n++] = '%';
        for (int i = 0; i < 5; i++) {
            char f = flag_chars[i];
            if (!(flags & (1 << i)) || kind == PERCENT)
                continue;
            if (f == '#' && conversion != 'x' && conversion != 'X')
                continue;
            if (f == '0' && (kind == STRING || kind == CHAR))
                continue;
            spec[n++] = f;
        }
        if (has_width && kind != PERCENT) {
            if (star_width)
                spec[n++] = '*';
            else if (huge)
                n += sprintf(spec + n, "9999999999");
            else
                n += sprintf(spec + n, "%d", abs(width) % COMPARED_MAX);
        }
        if (has_precision && kind != PERCENT && kind != CHAR && kind != POINTER) {
            spec[n++] = '.';
            if (star_precision)
                spec[n++] = '*';
            else
                n += sprintf(spec + n, "%d", abs(precision) % COMPARED_MAX);
        }
        n += sprintf(spec + n, "%s%c", length, conversion);
        spec[n] = 0;

        /* The * arguments come first, then the value. */
        int w = huge ? (int)0x80000000u : width % COMPARED_MAX;
        int p = precision % COMPARED_MAX;
        int compared = !huge && kind != POINTER;
        int a = 0, b = 0;
        unsigned string_length = value % sizeof string;
        for (unsigned i = 0; i < string_length; i++)
            string[i] = (char)(' ' + (take_byte(&in) % 95));      /* printable ASCII */
        string[string_length] = 0;

#define ARGS(x) do { \
            if (has_width && star_width && has_precision && star_precision) \
                { if (compared) BOTH2(w, p, x); else OURS2(w, p, x); } \
            else if (has_width && star_width) \
                { if (compared) BOTH1(w, x); else OURS1(w, x); } \
            else if (has_precision && star_precision) \
                { if (compared) BOTH1(p, x); else OURS1(p, x); } \
            else if (compared) BOTH(x); else OURS(x); \
        } while (0)
#define BOTH1(s, x) do { a = snprintf(ours, sizeof ours, spec, s, x); \
                         b = host_snprintf(theirs, sizeof theirs, spec, s, x); } while (0)
#define OURS1(s, x) do { a = snprintf(ours, sizeof ours, spec, s, x); } while (0)
#define BOTH2(s, t, x) do { a = snprintf(ours, sizeof ours, spec, s, t, x); \
                            b = host_snprintf(theirs, sizeof theirs, spec, s, t, x); } while (0)
#define OURS2(s, t, x) do { a = snprintf(ours, sizeof ours, spec, s, t, x); } while (0)

        if (kind == PERCENT) {
            ARGS(0);
        } else if (kind == STRING) {
            ARGS(string);
        } else if (kind == CHAR) {
            ARGS((int)(' ' + value % 95));
        } else if (kind == POINTER) {
            ARGS((void *)(uintptr_t)value);
        } else if (!strcmp(length, "ll")) {
            ARGS((long long)value);
        } else if (!strcmp(length, "l")) {
            ARGS((long)value);
        } else if (!strcmp(length, "z")) {
            ARGS((size_t)value);
        } else if (!strcmp(length, "j")) {
            ARGS((intmax_t)value);
        } else if (!strcmp(length, "t")) {
            ARGS((ptrdiff_t)value);
        } else {
            ARGS((int)value);          /* int, and hh and h, which take an int too */
        }
        if (compared)
            check(spec, a, b);
        else if (a < 0 || a > 2 * FORMAT_FIELD_MAX + 64) {
            fprintf(stderr, "format \"%s\": %d characters, past FORMAT_FIELD_MAX\n", spec, a);
            abort();
        }
    }
    return 0;
}
