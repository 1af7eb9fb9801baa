/*
 * fuzz_http_request.c -- http_parse_request on any bytes: no crash, no read
 * outside the message, and what an accepted head says holds together.
 */
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *message = fuzz_copy(data, size, 0);
    struct http_request_head head;
    enum http_verdict verdict = http_parse_request(message, size, &head);
    CHECK(verdict < HTTP_VERDICT_COUNT);
    if (verdict == HTTP_OK) {
        CHECK(head.head_length >= 4 && head.head_length <= size);
        CHECK(head.head_length <= HTTP_HEAD_MAX);
        CHECK(span_inside(head.method, message, head.head_length) && head.method.length);
        CHECK(span_inside(head.target, message, head.head_length) && head.target.length);
        CHECK(head.path.length && head.path.at[0] == '/');
        CHECK(head.body == HTTP_BODY_NONE || head.body == HTTP_BODY_LENGTH ||
              head.body == HTTP_BODY_CHUNKED);
        /* The head ends where it says: the same bytes alone parse the same. */
        struct http_request_head again;
        CHECK(http_parse_request(message, head.head_length, &again) == HTTP_OK);
        CHECK(again.head_length == head.head_length && again.body == head.body &&
              again.content_length == head.content_length);
    } else if (verdict == HTTP_INCOMPLETE) {
        CHECK(size < HTTP_HEAD_MAX);
    } else {
        CHECK(http_verdict_status(verdict) >= 400);
    }
    free(message);
    return 0;
}
