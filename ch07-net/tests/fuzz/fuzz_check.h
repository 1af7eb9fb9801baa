/*
 * fuzz_check.h -- what the ch07 fuzz targets share: a copy of the input of
 * exactly its size (so AddressSanitizer sees a read one byte past it), and
 * CHECK, which stops the fuzzer on a broken promise of http_parse.h, not
 * only on a crash.
 */
#ifndef FUZZ_CHECK_H
#define FUZZ_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "http_parse.h"

#define CHECK(condition)                                                          \
    do {                                                                          \
        if (!(condition)) {                                                       \
            fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, __LINE__,    \
                    #condition);                                                  \
            abort();                                                              \
        }                                                                         \
    } while (0)

/* size bytes of data in a buffer of their own; extra zero bytes after them. */
static inline char *fuzz_copy(const uint8_t *data, size_t size, size_t extra)
{
    char *copy = malloc(size + extra ? size + extra : 1);
    CHECK(copy != NULL);
    if (size)
        memcpy(copy, data, size);
    memset(copy + size, 0, extra);
    return copy;
}

/* The span lies inside buffer[0..size), or is empty. */
static inline int span_inside(struct http_span span, const char *buffer, size_t size)
{
    return span.length == 0 ||
           (span.at >= buffer && (size_t)(span.at - buffer) <= size &&
            span.length <= size - (size_t)(span.at - buffer));
}

#endif
