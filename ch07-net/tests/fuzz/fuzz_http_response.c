/*
 * fuzz_http_response.c -- http_parse_response on any bytes, as the answer to
 * GET and to HEAD: no crash, no read or write outside the message, and what
 * an accepted head says holds together.
 */
#include "fuzz_check.h"

static void one(const uint8_t *data, size_t size, int request_was_head)
{
    char *message = fuzz_copy(data, size, 0);
    struct http_response_head head;
    enum http_verdict verdict = http_parse_response(message, size, request_was_head, &head);
    CHECK(verdict < HTTP_VERDICT_COUNT);
    if (verdict == HTTP_OK) {
        CHECK(head.head_length > 0 && head.head_length <= size);
        CHECK(head.head_length <= HTTP_HEAD_MAX);
        CHECK(head.status >= 100 && head.status <= 999);
        CHECK(span_inside(head.reason, message, head.head_length));
        CHECK(span_inside(head.location, message, head.head_length));
        CHECK(span_inside(head.transfer_encoding, message, head.head_length));
        if (request_was_head || head.status / 100 == 1 || head.status == 204 ||
            head.status == 304)
            CHECK(head.body == HTTP_BODY_NONE);
        /* Only the head is touched (obs-fold is joined inside it). */
        CHECK(size == head.head_length ||
              memcmp(message + head.head_length, data + head.head_length,
                     size - head.head_length) == 0);
    } else if (verdict == HTTP_INCOMPLETE) {
        CHECK(size < HTTP_HEAD_MAX);
    }
    free(message);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one(data, size, 0);
    one(data, size, 1);
    return 0;
}
