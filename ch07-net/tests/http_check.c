/*
 * http_check.c -- runs the chapter's HTTP parsers (http_parse.c) on the host
 * for test_http_parse.py. Each message is a FILE (or stdin when none is
 * given); each verdict goes to stdout as one JSON object a line, byte
 * ranges as hex. One process for a whole table: the sanitizers' start-up
 * costs more than the parsing.
 *   http_check request [FILE...]           http_parse_request
 *   http_check response [--head] [FILE...] http_parse_response (--head: the request was HEAD)
 *   http_check chunked STEP [FILE...]      http_chunked_decode, fed STEP bytes at a time
 *   http_check url [FILE...]               http_parse_url on the text
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "http_parse.h"
#include "lab_todo.h"

#define INPUT_MAX (4 * 1024 * 1024)

/* A lab stub in the code under test ran (lab_todo.h): say so first, where
   the test reads (bootcamp.machine.lab_todo_in_output). */
void lab_todo(const char *message)
{
    printf("%s\n", message);
}

static const char *const bodies[] = { "none", "length", "chunked", "until-close" };

static void print_hex(const char *key, struct http_span span)
{
    printf(", \"%s\": \"", key);
    for (size_t i = 0; i < span.length; i++)
        printf("%02x", (unsigned char)span.at[i]);
    printf("\"");
}

static void print_verdict(enum http_verdict verdict)
{
    printf("{\"ok\": %s, \"incomplete\": %s, \"status\": %d, \"message\": \"%s\"",
           verdict == HTTP_OK ? "true" : "false", verdict == HTTP_INCOMPLETE ? "true" : "false",
           http_verdict_status(verdict), http_verdict_text(verdict));
}

static int request(char *data, size_t length)
{
    struct http_request_head r;
    enum http_verdict verdict = http_parse_request(data, length, &r);
    print_verdict(verdict);
    if (verdict == HTTP_OK) {
        printf(", \"head_length\": %zu, \"minor\": %u, \"body\": \"%s\", \"content_length\": %llu,"
               " \"expect_continue\": %s", r.head_length, r.version_minor, bodies[r.body],
               (unsigned long long)r.content_length, r.expect_continue ? "true" : "false");
        print_hex("method", r.method);
        print_hex("target", r.target);
        print_hex("path", r.path);
    }
    printf("}\n");
    return 0;
}

static int response(char *data, size_t length, int head)
{
    struct http_response_head r;
    enum http_verdict verdict = http_parse_response(data, length, head, &r);
    print_verdict(verdict);
    if (verdict == HTTP_OK) {
        printf(", \"head_length\": %zu, \"minor\": %u, \"code\": %u, \"body\": \"%s\","
               " \"content_length\": %llu", r.head_length, r.version_minor, r.status,
               bodies[r.body], (unsigned long long)r.content_length);
        print_hex("reason", r.reason);
        print_hex("location", r.location);
    }
    printf("}\n");
    return 0;
}

/* Decode in pieces of `step` bytes, in place, as the client does. */
static int chunked(char *data, size_t length, size_t step)
{
    struct http_chunked c;
    http_chunked_init(&c);
    static char body[INPUT_MAX];
    size_t body_length = 0, at = 0;
    enum http_verdict verdict = HTTP_INCOMPLETE;
    while (verdict == HTTP_INCOMPLETE && at < length) {
        size_t n = length - at < step ? length - at : step, used, produced;
        verdict = http_chunked_decode(&c, (uint8_t *)data + at, n, (uint8_t *)data + at, &used,
                                      &produced);
        memcpy(body + body_length, data + at, produced);
        body_length += produced;
        at += used;
        if (verdict == HTTP_INCOMPLETE && used != n) {
            fprintf(stderr, "http_check: INCOMPLETE but %zu of %zu bytes used\n", used, n);
            return 1;
        }
    }
    print_verdict(verdict);
    printf(", \"used\": %zu", at);
    print_hex("data", (struct http_span){ body, body_length });
    printf("}\n");
    return 0;
}

static int url(char *text)
{
    struct http_url u;
    enum http_verdict verdict = http_parse_url(text, &u);
    print_verdict(verdict);
    if (verdict == HTTP_OK)
        printf(", \"ip\": \"%u.%u.%u.%u\", \"port\": %u, \"host\": \"%s\", \"path_hex\": \"", u.ip[0],
               u.ip[1], u.ip[2], u.ip[3], u.port, u.host);
    for (size_t i = 0; verdict == HTTP_OK && u.path[i]; i++)
        printf("%02x", (unsigned char)u.path[i]);
    printf("%s}\n", verdict == HTTP_OK ? "\"" : "");
    return 0;
}

enum mode { REQUEST, RESPONSE, RESPONSE_TO_HEAD, CHUNKED, URL };

static int check(enum mode mode, size_t step, FILE *in)
{
    static char input[INPUT_MAX];
    size_t length = fread(input, 1, INPUT_MAX, in);
    /* The parser gets a buffer of exactly the message's size (and a NUL for
       the URL, a C string): AddressSanitizer stops any read past its end. */
    size_t size = mode == URL ? length + 1 : length;
    char *data = malloc(size ? size : 1);
    if (!data)
        return 2;
    memcpy(data, input, length);
    if (mode == URL)
        data[length] = 0;
    int status = 2;
    switch (mode) {
    case REQUEST:          status = request(data, length); break;
    case RESPONSE:         status = response(data, length, 0); break;
    case RESPONSE_TO_HEAD: status = response(data, length, 1); break;
    case CHUNKED:          status = chunked(data, length, step); break;
    case URL:              status = url(data); break;
    }
    free(data);
    return status;
}

int main(int argc, char **argv)
{
    enum mode mode;
    size_t step = 0;
    int first = 2;
    if (argc >= 2 && strcmp(argv[1], "request") == 0) {
        mode = REQUEST;
    } else if (argc >= 2 && strcmp(argv[1], "response") == 0) {
        mode = RESPONSE;
        if (argc >= 3 && strcmp(argv[2], "--head") == 0)
            mode = RESPONSE_TO_HEAD, first = 3;
    } else if (argc >= 3 && strcmp(argv[1], "chunked") == 0 && atoi(argv[2]) > 0) {
        mode = CHUNKED;
        step = (size_t)atoi(argv[2]);
        first = 3;
    } else if (argc >= 2 && strcmp(argv[1], "url") == 0) {
        mode = URL;
    } else {
        fprintf(stderr, "usage: http_check request | response [--head] | chunked STEP | url"
                        " [FILE...]\n");
        return 2;
    }
    if (first == argc)
        return check(mode, step, stdin);
    for (int i = first; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            return 2;
        }
        int status = check(mode, step, f);
        fclose(f);
        if (status)
            return status;
    }
    return 0;
}
