/*
 * host_check.c -- runs the chapter's freestanding sha256.c and text.c on the
 * host, for test_host_code.py:
 *   host_check sha256 STEP < data   SHA-256 of stdin, fed STEP bytes at a time
 *   host_check format               text_format on awkward cases, one a line
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

static int format_cases(void)
{
    char buf[64];
    text_format(buf, sizeof buf, "%d|%d|%u|%x|%08x|%X", 0, -42, 4000000000u, 0xbeef, 0x1234, 0xabc);
    printf("%s\n", buf);
    text_format(buf, sizeof buf, "%lu|%ld|%s|%5s|%c|%%", (uint64_t)1 << 40, (int64_t)-1, "ip",
                "ab", 'z');
    printf("%s\n", buf);
    size_t n = text_format(buf, 8, "%s", "truncated text");
    printf("%s|%zu\n", buf, n);
    uint64_t v = 0;
    size_t digits = text_parse_number("1aF!", 16, &v);
    printf("%zu|%llu|%zu\n", digits, (unsigned long long)v,
           text_parse_number("99999999999999999999", 10, &v));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "sha256") == 0)
        return hash_stdin((size_t)atoi(argv[2]));
    if (argc == 2 && strcmp(argv[1], "format") == 0)
        return format_cases();
    fprintf(stderr, "usage: host_check sha256 STEP < data | host_check format\n");
    return 2;
}
