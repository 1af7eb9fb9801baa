/*
 * host_check.c -- runs the chapter's freestanding sha256.c and text.c on the
 * host, for test_host_code.py:
 *   host_check sha256 STEP < data   SHA-256 of stdin, fed STEP bytes at a time
 *   host_check text                 text.c's helpers on awkward cases, one a line
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sha256.h"
#include "text.h"
#include "lab_todo.h"

#define INPUT_MAX (4 * 1024 * 1024)

/* A lab stub in the code under test ran (lab_todo.h): say so first, where
   the test reads (bootcamp.machine.lab_todo_in_output). */
void lab_todo(const char *message)
{
    printf("%s\n", message);
}

static int hash_stdin(size_t step)
{
    static unsigned char data[INPUT_MAX];
    size_t length = fread(data, 1, sizeof data, stdin);
    struct sha256 ctx;
    uint8_t digest[SHA256_DIGEST_BYTES];
    char hex[SHA256_HEX_CHARS + 1];
    sha256_init(&ctx);
    for (size_t done = 0; done < length; done += step)
        sha256_update(&ctx, data + done, length - done < step ? length - done : step);
    sha256_final(&ctx, digest);
    sha256_hex(digest, hex);
    printf("%s\n", hex);
    return 0;
}

/* What is left of text.c beside the course's snprintf: comparing, searching,
   parsing numbers. One line per case, fields between bars. */
static int text_cases(void)
{
    const char request[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\nbody";
    const char *end = text_find(request, sizeof request - 1, "\r\n\r\n");
    printf("%ld|%d|%d\n", end ? (long)(end - request) : -1L,
           text_find(request, 8, "HTTP") == NULL,           /* past the length: not found */
           text_find(request, sizeof request - 1, "") == request);
    printf("%d|%d|%d|%d\n", text_equal_nocase("Content-LENGTH", "content-length", 14),
           text_equal_nocase("Host", "Hose", 4), text_equal_nocase("ab", "AB", 10),
           text_equal_nocase("Hosx", "Host", 3));
    printf("%d|%d|%d\n", text_starts_with("http://x", "http://"), text_starts_with("htt", "http"),
           text_starts_with("x", ""));
    printf("%c%c%c\n", text_upper('a'), text_upper('Z'), text_upper('{'));
    uint64_t v = 0;
    size_t digits = text_parse_number("1aF!", 16, &v);
    printf("%zu|%llu|", digits, (unsigned long long)v);
    digits = text_parse_number("18446744073709551615", 10, &v);
    printf("%zu|%llu|", digits, (unsigned long long)v);
    printf("%zu|%zu|%zu\n", text_parse_number("18446744073709551616", 10, &v),
           text_parse_number("x1", 10, &v), text_parse_number("ff", 10, &v));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "sha256") == 0)
        return hash_stdin((size_t)atoi(argv[2]));
    if (argc == 2 && strcmp(argv[1], "text") == 0)
        return text_cases();
    fprintf(stderr, "usage: host_check sha256 STEP < data | host_check text\n");
    return 2;
}
