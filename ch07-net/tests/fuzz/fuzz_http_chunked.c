/*
 * fuzz_http_chunked.c -- http_chunked_decode on any bytes, whole and in
 * pieces: the first byte picks the piece size. Both ways must agree on the
 * verdict, on where the body ends and on every decoded byte, as a body
 * split anywhere by TCP must decode the same.
 */
#include "fuzz_check.h"

#define STEP_MAX 64

static enum http_verdict decode(const uint8_t *data, size_t size, size_t step, uint8_t *out,
                                size_t *out_length, size_t *used_total)
{
    struct http_chunked chunked;
    http_chunked_init(&chunked);
    uint8_t *in = (uint8_t *)fuzz_copy(data, size, 0);
    enum http_verdict verdict = HTTP_INCOMPLETE;
    size_t at = 0;
    *out_length = 0;
    while (verdict == HTTP_INCOMPLETE && at < size) {
        size_t n = size - at < step ? size - at : step, used, produced;
        /* In place, as the client and the server decode. */
        verdict = http_chunked_decode(&chunked, in + at, n, in + at, &used, &produced);
        CHECK(used <= n && produced <= used);
        CHECK(verdict != HTTP_INCOMPLETE || used == n);
        memcpy(out + *out_length, in + at, produced);
        *out_length += produced;
        at += used;
    }
    *used_total = at;
    free(in);
    return verdict;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t step = (size_t)data[0] % STEP_MAX + 1;
    data++, size--;
    uint8_t *whole = malloc(size + 1), *pieces = malloc(size + 1);
    CHECK(whole && pieces);
    size_t whole_length, pieces_length, whole_used, pieces_used;
    enum http_verdict a = decode(data, size, size ? size : 1, whole, &whole_length, &whole_used);
    enum http_verdict b = decode(data, size, step, pieces, &pieces_length, &pieces_used);
    CHECK(a == b);
    CHECK(whole_length == pieces_length && memcmp(whole, pieces, whole_length) == 0);
    if (a == HTTP_OK)
        CHECK(whole_used == pieces_used);
    free(whole);
    free(pieces);
    return 0;
}
