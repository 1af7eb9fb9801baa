/*
 * http_client.c -- an HTTP/1.1 client (RFC 9112) on net.h sockets.
 *
 * One request per connection ("Connection: close"). The body is read by
 * Content-Length, by chunks (Transfer-Encoding: chunked, RFC 9112 7.1) or
 * until the server closes, hashed as it arrives (it is never kept: a 16 MiB
 * download needs no 16 MiB buffer) and summed up as a length and a SHA-256.
 * Redirects are reported, never followed.
 */
#include <efi.h>
#include <efilib.h>
#include "http.h"
#include "net.h"
#include "sha256.h"
#include "text.h"

#define READ_BUFFER      (64 * 1024)
#define HASH_SLICE       (4 * 1024)   /* bytes hashed between two drains: ~3 segments */
#define LINE_MAX         1024
#define HEADER_LINES_MAX 100
#define SHOW_BODY_MAX    512     /* a body this small and printable is shown */
#define STATUS_REDIRECT  3       /* 3xx */
#define HEX              16
#define STATUS_CODE_AT     9     /* "HTTP/1.1 200 OK": the code after "HTTP/1.x " */
#define STATUS_CODE_DIGITS 3

struct reader {
    int fd;
    UINT8 *buf;
    UINTN pos, len;
};

void net_report(const char *what)
{
    if (net_errno == NET_EIO)
        Print(L"error: %a: %a (%r)\n", what, net_strerror(net_errno), net_efi_status);
    else
        Print(L"error: %a: %a\n", what, net_strerror(net_errno));
}

int http_parse_url(const char *text, struct http_url *url)
{
    const char *p = text;
    if (!text_starts_with(p, "http://")) {
        Print(L"error: bad URL '%a': expected http://A.B.C.D[:PORT]/PATH (no https, no DNS)\n",
              text);
        return -1;
    }
    p += text_length("http://");
    UINTN used = net_parse_ip(p, url->ip);
    if (!used) {
        Print(L"error: bad URL '%a': the host must be a numeric IPv4 address\n", text);
        return -1;
    }
    p += used;
    url->port = HTTP_DEFAULT_PORT;
    if (*p == ':') {
        uint64_t port;
        UINTN digits = text_parse_number(++p, 10, &port);
        if (!digits || port == 0 || port > 0xFFFF) {
            Print(L"error: bad URL '%a': the port must be 1-65535\n", text);
            return -1;
        }
        url->port = (UINT16)port;
        p += digits;
    }
    if (*p && *p != '/') {
        Print(L"error: bad URL '%a': expected / after the address\n", text);
        return -1;
    }
    char ip[NET_IP_TEXT];
    net_format_ip(url->ip, ip);
    text_format(url->host, sizeof url->host, "%s:%u", ip, url->port);
    if (text_length(*p ? p : "/") >= sizeof url->path) {
        Print(L"error: the path is longer than %d characters\n", (int)sizeof url->path - 1);
        return -1;
    }
    text_format(url->path, sizeof url->path, "%s", *p ? p : "/");
    return 0;
}

/* -- reading a response -------------------------------------------------------- */
static INTN reader_fill(struct reader *r)
{
    r->pos = 0;
    r->len = 0;
    INTN n = net_recv(r->fd, r->buf, READ_BUFFER);
    if (n > 0)
        r->len = (UINTN)n;
    return n;
}

/* A line without its CR LF. Returns its length, or -1 on an error or an
   early end (net_errno says which; NET_EPIPE for the end). */
static INTN reader_line(struct reader *r, char *line, UINTN max)
{
    UINTN n = 0;
    for (;;) {
        if (r->pos == r->len) {
            INTN got = reader_fill(r);
            if (got < 0)
                return -1;
            if (got == 0) {
                net_errno = NET_EPIPE;
                return -1;
            }
        }
        char c = (char)r->buf[r->pos++];
        if (c == '\n')
            break;
        if (n + 1 >= max) {
            net_errno = NET_EINVAL;
            return -1;
        }
        line[n++] = c;
    }
    if (n && line[n - 1] == '\r')
        n--;
    line[n] = 0;
    return (INTN)n;
}

/* Up to max bytes of the body: what is buffered first, then the socket. */
static INTN reader_read(struct reader *r, UINT8 **data, UINTN max)
{
    if (r->pos == r->len) {
        INTN got = reader_fill(r);
        if (got <= 0)
            return got;
    }
    UINTN n = r->len - r->pos < max ? r->len - r->pos : max;
    *data = r->buf + r->pos;
    r->pos += n;
    return (INTN)n;
}

struct body {
    struct sha256 hash;
    UINT64 received;
    char shown[SHOW_BODY_MAX + 1];
    BOOLEAN printable;
};

static void body_add(struct body *b, const UINT8 *data, UINTN n)
{
#ifndef HTTP_BODY_COUNT_ONLY        /* make bench's variant: count the bytes, no hash */
    sha256_update(&b->hash, data, n);
#endif
    /* Only a body of at most SHOW_BODY_MAX bytes is shown: only those are looked at. */
    for (UINTN i = 0; b->printable && i < n; i++) {
        if (b->received + i >= SHOW_BODY_MAX) {
            b->printable = FALSE;   /* too long to show, whatever it holds */
            break;
        }
        b->shown[b->received + i] = (char)data[i];
        if ((data[i] < ' ' || data[i] > '~') && data[i] != '\n' && data[i] != '\r' &&
            data[i] != '\t')
            b->printable = FALSE;
    }
    b->received += n;
}

/* Read exactly `length` bytes into the body (length ~0: until the server closes). */
static int read_counted(struct reader *r, struct body *b, UINT64 length)
{
    BOOLEAN until_close = length == ~0ULL;
    UINT64 left = length;
    while (until_close || left) {
        UINT8 *data;
        /* Hash a slice at a time, each after what has arrived is taken in (net_drain). */
        net_drain(r->fd);
        INTN n = reader_read(r, &data, until_close || left > HASH_SLICE ? HASH_SLICE : left);
        if (n < 0)
            return -1;
        if (n == 0) {
            if (until_close)
                return 0;
            net_errno = NET_EPIPE;
            return -1;
        }
        body_add(b, data, (UINTN)n);
        left -= (UINT64)n;
    }
    return 0;
}

static int read_chunked(struct reader *r, struct body *b)
{
    char line[LINE_MAX];
    for (;;) {
        if (reader_line(r, line, sizeof line) < 0)
            return -1;
        uint64_t size;
        if (!text_parse_number(line, HEX, &size)) {      /* chunk sizes are hex */
            Print(L"error: bad chunk size line '%a'\n", line);
            net_errno = NET_EINVAL;
            return -2;
        }
        if (size == 0)
            break;
        if (read_counted(r, b, size) < 0)
            return -1;
        if (reader_line(r, line, sizeof line) < 0)     /* the CR LF after the data */
            return -1;
    }
    /* Trailer fields, up to an empty line. */
    for (int i = 0; i < HEADER_LINES_MAX; i++) {
        INTN n = reader_line(r, line, sizeof line);
        if (n <= 0)
            return n < 0 ? -1 : 0;
    }
    return 0;
}

static const char *header_value(const char *line, const char *name)
{
    UINTN n = text_length(name);
    if (!text_equal_nocase(line, name, n) || line[n] != ':')
        return NULL;
    line += n + 1;
    while (*line == ' ' || *line == '\t')
        line++;
    return line;
}

static void print_rate(UINT64 bytes, UINT64 ms, const char *verb)
{
    UINT64 safe_ms = ms ? ms : 1;
    UINT64 kib_per_s = bytes * 1000 / 1024 / safe_ms;
    Print(L"%a %ld bytes in %ld.%03ld s (%ld.%02ld MiB/s)\n", verb, bytes, ms / 1000, ms % 1000,
          kib_per_s / 1024, (kib_per_s % 1024) * 100 / 1024);
}

static int read_response(struct reader *r, const char *what)
{
    char line[LINE_MAX];
    if (reader_line(r, line, sizeof line) < 0) {
        net_report("no response");
        return -1;
    }
    /* Status line: HTTP-version SP status-code SP reason-phrase */
    uint64_t status;
    if (!text_starts_with(line, "HTTP/1.") || line[STATUS_CODE_AT - 1] != ' ' ||
        text_parse_number(line + STATUS_CODE_AT, 10, &status) != STATUS_CODE_DIGITS) {
        Print(L"error: not an HTTP response: '%a'\n", line);
        return -1;
    }
    Print(L"status: %a\n", line + STATUS_CODE_AT);

    UINT64 content_length = ~0ULL;
    BOOLEAN chunked = FALSE;
    char location[LINE_MAX] = "";
    for (int i = 0;; i++) {
        INTN n = reader_line(r, line, sizeof line);
        if (n < 0) {
            net_report("reading the response headers");
            return -1;
        }
        if (n == 0)
            break;
        if (i == HEADER_LINES_MAX) {
            Print(L"error: more than %d header lines\n", HEADER_LINES_MAX);
            return -1;
        }
        const char *value;
        if ((value = header_value(line, "Content-Length"))) {
            if (!text_parse_number(value, 10, &content_length)) {
                Print(L"error: bad Content-Length '%a'\n", value);
                return -1;
            }
        } else if ((value = header_value(line, "Transfer-Encoding"))) {
            chunked = text_equal_nocase(value, "chunked", 8);
        } else if ((value = header_value(line, "Location"))) {
            text_format(location, sizeof location, "%s", value);
        }
    }
    if (status / 100 == STATUS_REDIRECT && location[0])
        Print(L"redirect to %a (not followed)\n", location);

    struct body b = { .printable = TRUE };
    sha256_init(&b.hash);
    UINT64 started = net_clock_ms();
    int result;
    if (chunked) {
        Print(L"length: chunked\n");
        result = read_chunked(r, &b);
    } else if (content_length != ~0ULL) {
        Print(L"length: %ld bytes\n", content_length);
        result = read_counted(r, &b, content_length);
    } else {
        Print(L"length: until the server closes\n");
        result = read_counted(r, &b, ~0ULL);
    }
    UINT64 elapsed = net_clock_ms() - started;
    if (result < 0) {
        if (result == -1 && content_length != ~0ULL)
            Print(L"error: %a: the body ended after %ld of %ld bytes: %a\n", what, b.received,
                  content_length, net_strerror(net_errno));
        else if (result == -1)
            Print(L"error: %a: the body ended after %ld bytes: %a\n", what, b.received,
                  net_strerror(net_errno));
        return -1;
    }
    if (b.printable && b.received && b.received <= SHOW_BODY_MAX) {
        b.shown[b.received] = 0;
        Print(L"body: %a%a", b.shown, b.shown[b.received - 1] == '\n' ? "" : "\n");
    }
    uint8_t digest[SHA256_DIGEST_BYTES];
    char hex[SHA256_HEX_CHARS + 1];
    sha256_final(&b.hash, digest);
    sha256_hex(digest, hex);
    print_rate(b.received, elapsed, "received");
    Print(L"sha256: %a\n", hex);
    return 0;
}

int http_request(const char *method, const char *url_text, const void *body, UINTN body_length,
                 const char *content_type)
{
    struct http_url url;
    if (http_parse_url(url_text, &url) < 0)
        return -1;
    int fd = net_socket();
    if (fd < 0) {
        net_report("socket");
        return -1;
    }
    struct reader r = { .fd = fd, .buf = AllocatePool(READ_BUFFER) };
    int result = -1;
    char what[64];
    text_format(what, sizeof what, "%s %s", method, url.host);
    if (!r.buf) {
        Print(L"error: out of memory\n");
        goto out;
    }
    struct net_addr to = { .port = url.port };
    CopyMem(to.ip, url.ip, 4);
    Print(L"%a %a\n", method, url_text);
    if (net_connect(fd, &to) < 0) {
        Print(L"error: connect to %a failed: %a\n", url.host, net_strerror(net_errno));
        goto out;
    }
    char head[1024];
    BOOLEAN has_body = body_length > 0 || text_equal_nocase(method, "POST", 5);
    char length_line[160] = "";
    if (has_body)
        text_format(length_line, sizeof length_line, "Content-Type: %s\r\nContent-Length: %lu\r\n",
                    content_type ? content_type : "application/octet-stream",
                    (uint64_t)body_length);
    UINTN head_length = text_format(head, sizeof head,
                                    "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: bootcamp-ch07\r\n"
                                    "%sConnection: close\r\n\r\n",
                                    method, url.path, url.host, length_line);
    if (head_length + 1 >= sizeof head) {        /* text_format cut it short */
        Print(L"error: the request head is longer than %d bytes\n", (int)sizeof head - 1);
        goto out;
    }
    UINT64 started = net_clock_ms();
    if (net_sendall(fd, head, head_length) < 0 ||
        (body_length && net_sendall(fd, body, body_length) < 0)) {
        net_report("sending the request");
        goto out;
    }
    if (body_length) {
        struct sha256 hash;
        uint8_t digest[SHA256_DIGEST_BYTES];
        char hex[SHA256_HEX_CHARS + 1];
        sha256_init(&hash);
        sha256_update(&hash, body, body_length);
        sha256_final(&hash, digest);
        sha256_hex(digest, hex);
        print_rate(body_length, net_clock_ms() - started, "sent");
        Print(L"sent sha256: %a\n", hex);
    }
    result = read_response(&r, what);
out:
    if (r.buf)
        FreePool(r.buf);
    net_close(fd);
    net_finish_closes();
    return result;
}
