/*
 * fuzz_http_url.c -- http_parse_url on any text: no crash, and an accepted
 * URL gives a path that cannot break out of the request line.
 */
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_copy(data, size, 1);            /* a C string: NUL after it */
    struct http_url url;
    enum http_verdict verdict = http_parse_url(text, &url);
    CHECK(verdict < HTTP_VERDICT_COUNT);
    if (verdict == HTTP_OK) {
        size_t n = strlen(url.path);
        CHECK(n >= 1 && n <= HTTP_URL_PATH_MAX && url.path[0] == '/');
        for (size_t i = 0; i < n; i++)
            CHECK((unsigned char)url.path[i] > ' ' && (unsigned char)url.path[i] < 0x7F &&
                  url.path[i] != '#');
        CHECK(url.port != 0 && strlen(url.host) < sizeof url.host);
    }
    free(text);
    return 0;
}
