/*
 * http_client.c -- an HTTP/1.1 client (RFC 9112) on net.h sockets.
 *
 * One request per connection ("Connection: close"). The head is parsed by
 * http_parse_response (http_parse.c); 1xx interim responses before the
 * final one are shown and skipped (RFC 9110 15.2). The body is read by
 * Content-Length, by chunks (Transfer-Encoding: chunked, RFC 9112 7.1) or
 * until the server closes, hashed as it arrives (it is never kept: a 16 MiB
 * download needs no 16 MiB buffer; a long body is hashed on a second
 * processor when there is one, hash_worker.c) and summed up as a length and
 * a SHA-256.
 * Redirects are reported, never followed.
 */
#include <efi.h>
#include <efilib.h>
#include "http.h"
#include "net.h"
#include "sha256.h"
#include "hash_worker.h"
#include "format.h"
#include "text.h"

/* One buffer holds a whole response head (the course's limit, http_parse.h)
   and, after it, the body as it streams through. */
#define READ_BUFFER      HTTP_HEAD_MAX
#define INTERIM_MAX      16      /* 1xx responses skipped before the final one, at most */
#define HASH_SLICE       (4 * 1024)   /* bytes hashed between two drains: ~3 segments */
#define SHOW_BODY_MAX    512     /* a body this small and printable is shown */
#define STATUS_REDIRECT  3       /* 3xx */
#define STATUS_INTERIM   1       /* 1xx */
#define STATUS_SWITCHING 101     /* never asked for: we send no Upgrade */

struct reader {
    int fd;
    UINT8 *buf;
    UINTN pos, len;
};

/* The last socket error as "message", or "message (firmware status)" for a
   status net.h has no code for, and a new line. */
static void print_cause(void)
{
    if (net_errno == NET_EIO)
        Print(L"%a (%r)\n", net_strerror(net_errno), net_efi_status);
    else
        Print(L"%a\n", net_strerror(net_errno));
}

void net_report(const char *what)
{
    Print(L"error: %a: ", what);
    print_cause();
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

/*
 * Read one response head into the buffer (after what is left of the last
 * one) and parse it. The parser is given the whole head so far each time
 * more arrives: it stops at the first line that is wrong, so a server that
 * sends nonsense is told off at once, not after a timeout.
 * Returns the parser's verdict; -1 with net_errno when the socket failed or
 * closed (NET_EPIPE) before the head was whole.
 */
static int read_head(struct reader *r, struct http_response_head *head)
{
    CopyMem(r->buf, r->buf + r->pos, r->len - r->pos);
    r->len -= r->pos;
    r->pos = 0;
    for (;;) {
        enum http_verdict verdict = http_parse_response((char *)r->buf, r->len, FALSE, head);
        if (verdict != HTTP_INCOMPLETE)
            return (int)verdict;
        if (r->len == READ_BUFFER)             /* the parser says so first; never loop */
            return HTTP_HEAD_TOO_LARGE;
        INTN n = net_recv(r->fd, r->buf + r->len, READ_BUFFER - r->len);
        if (n < 0)
            return -1;
        if (n == 0) {
            net_errno = NET_EPIPE;
            return -1;
        }
        r->len += (UINTN)n;
    }
}

struct body {
    struct hash_worker hash;
    int fd;                             /* polled while the hash catches up */
    UINT64 received;
    char shown[SHOW_BODY_MAX + 1];
    BOOLEAN printable;
};

#ifndef HTTP_BODY_COUNT_ONLY
static void drain(void *fd)
{
    net_drain(*(int *)fd);
}
#endif

static void body_add(struct body *b, const UINT8 *data, UINTN n)
{
#ifndef HTTP_BODY_COUNT_ONLY        /* make bench's variant: count the bytes, no hash */
    hash_worker_add(&b->hash, data, n, drain, &b->fd);
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

/* A chunked body, decoded in place in the read buffer. -1: the socket
   failed or closed early (net_errno); -2: the chunks are malformed
   (*verdict says how). */
static int read_chunked(struct reader *r, struct body *b, enum http_verdict *verdict)
{
    struct http_chunked chunked;
    http_chunked_init(&chunked);
    for (;;) {
        if (r->pos == r->len) {
            INTN n = reader_fill(r);
            if (n < 0)
                return -1;
            if (n == 0) {
                net_errno = NET_EPIPE;
                return -1;
            }
        }
        UINTN used, produced;
        UINT8 *at = r->buf + r->pos;
        *verdict = http_chunked_decode(&chunked, at, r->len - r->pos, at, &used, &produced);
        body_add(b, at, produced);
        r->pos += used;
        if (*verdict == HTTP_OK)
            return 0;
        if (*verdict != HTTP_INCOMPLETE)
            return -2;
    }
}

static void print_rate(UINT64 bytes, UINT64 ms, const char *verb)
{
    UINT64 safe_ms = ms ? ms : 1;
    UINT64 kib_per_s = bytes * 1000 / 1024 / safe_ms;
    Print(L"%a %ld bytes in %ld.%03ld s (%ld.%02ld MiB/s)\n", verb, bytes, ms / 1000, ms % 1000,
          kib_per_s / 1024, (kib_per_s % 1024) * 100 / 1024);
}

/* The span as a NUL-terminated string in out (cut to fit). */
static const char *span_text(struct http_span span, char *out, UINTN size)
{
    UINTN n = span.length < size - 1 ? span.length : size - 1;
    CopyMem(out, (VOID *)span.at, n);
    out[n] = 0;
    return out;
}

/* The first line in the buffer, for "not an HTTP response: '...'". */
static const char *first_line(struct reader *r, char *out, UINTN size)
{
    UINTN n = 0;
    while (n < r->len && r->buf[n] != '\r' && r->buf[n] != '\n')
        n++;
    return span_text((struct http_span){ (const char *)r->buf, n }, out, size);
}

#define TEXT_SHOWN 256          /* how much of a status line or field value a message shows */

/* The final response's head, after any 1xx interim ones (RFC 9110 15.2: a
   client MUST be able to parse them, and may ignore them). 0, or -1 with a
   message printed. */
static int read_final_head(struct reader *r, struct http_response_head *head)
{
    char text[TEXT_SHOWN];
    for (int interim = 0;; interim++) {
        int verdict = read_head(r, head);
        if (verdict < 0) {
            if (net_errno == NET_EPIPE && r->len)
                Print(L"error: the server closed the connection in the middle of the head\n");
            else
                net_report(r->len ? "reading the response head" : "no response");
            return -1;
        }
        if (verdict == HTTP_BAD_START_LINE || verdict == HTTP_VERSION_NOT_SUPPORTED ||
            verdict == HTTP_START_LINE_TOO_LONG) {
            Print(L"error: not an HTTP/1.x response: '%a'\n", first_line(r, text, sizeof text));
            return -1;
        }
        if (verdict == HTTP_CODING_NOT_SUPPORTED) {
            Print(L"error: Transfer-Encoding '%a': %a\n",
                  span_text(head->transfer_encoding, text, sizeof text),
                  http_verdict_text(HTTP_CODING_NOT_SUPPORTED));
            return -1;
        }
        if (verdict != HTTP_OK) {
            Print(L"error: bad response head: %a\n", http_verdict_text(verdict));
            return -1;
        }
        r->pos = head->head_length;
        Print(L"%a: %d%a%a\n", head->status / 100 == STATUS_INTERIM ? "interim" : "status",
              head->status, head->reason.length ? " " : "",
              span_text(head->reason, text, sizeof text));
        if (head->status / 100 != STATUS_INTERIM)
            return 0;
        if (head->status == STATUS_SWITCHING) {
            Print(L"error: the server switched protocols, which this client never asked for\n");
            return -1;
        }
        if (interim + 1 == INTERIM_MAX) {
            Print(L"error: more than %d interim (1xx) responses (INTERIM_MAX)\n", INTERIM_MAX);
            return -1;
        }
    }
}

static int read_response(struct reader *r, const char *what)
{
    struct http_response_head head;
    if (read_final_head(r, &head) < 0)
        return -1;
    char location[TEXT_SHOWN];
    if (head.status / 100 == STATUS_REDIRECT && head.location.length)
        Print(L"redirect to %a (not followed)\n",
              span_text(head.location, location, sizeof location));

    struct body b = { .printable = TRUE, .fd = r->fd };
    hash_worker_start(&b.hash);
    UINT64 started = net_clock_ms();
    int result = 0;
    enum http_verdict chunk_verdict = HTTP_OK;
    switch (head.body) {
    case HTTP_BODY_NONE:
        Print(L"length: no body\n");
        break;
    case HTTP_BODY_CHUNKED:
        Print(L"length: chunked\n");
        result = read_chunked(r, &b, &chunk_verdict);
        break;
    case HTTP_BODY_LENGTH:
        Print(L"length: %ld bytes\n", head.content_length);
        result = read_counted(r, &b, head.content_length);
        break;
    case HTTP_BODY_UNTIL_CLOSE:
        Print(L"length: until the server closes\n");
        result = read_counted(r, &b, ~0ULL);
        break;
    }
    uint8_t digest[SHA256_DIGEST_BYTES];
    int hashed = hash_worker_final(&b.hash, digest);   /* the second processor must stop */
    UINT64 elapsed = net_clock_ms() - started;
    if (result == -2) {
        Print(L"error: %a: %a after %ld bytes of the body\n", what,
              http_verdict_text(chunk_verdict), b.received);
        return -1;
    }
    if (result < 0) {
        if (head.body == HTTP_BODY_LENGTH)
            Print(L"error: %a: the body ended after %ld of %ld bytes: ", what, b.received,
                  head.content_length);
        else
            Print(L"error: %a: the body ended after %ld bytes: ", what, b.received);
        print_cause();
        return -1;
    }
    if (b.printable && b.received && b.received <= SHOW_BODY_MAX) {
        b.shown[b.received] = 0;
        Print(L"body: %a%a", b.shown, b.shown[b.received - 1] == '\n' ? "" : "\n");
    }
    print_rate(b.received, elapsed, "received");
    if (hashed < 0) {
        Print(L"error: %a: no SHA-256: %a\n", what, b.hash.why);
        return -1;
    }
#ifdef HTTP_BODY_COUNT_ONLY
    Print(L"sha256: not computed: this build counts the bytes only\n");
#else
    char hex[SHA256_HEX_CHARS + 1];
    sha256_hex(digest, hex);
    Print(L"sha256: %a\n", hex);
    if (b.hash.processor >= 0)
        Print(L"hashed on: processor %d, %a (woken %ld times)\n", (int)b.hash.processor,
              b.hash.why, b.hash.wakes);
    else
        Print(L"hashed on: this processor: %a\n", b.hash.why);
#endif
    return 0;
}

int http_request(const char *method, const char *url_text, const void *body, UINTN body_length,
                 const char *content_type)
{
    struct http_url url;
    enum http_verdict verdict = http_parse_url(url_text, &url);
    if (verdict != HTTP_OK) {
        Print(L"error: bad URL '%a': %a\n", url_text, http_verdict_text(verdict));
        return -1;
    }
    int fd = net_socket();
    if (fd < 0) {
        net_report("socket");
        return -1;
    }
    struct reader r = { .fd = fd, .buf = AllocatePool(READ_BUFFER) };
    int result = -1;
    char what[64];
    snprintf(what, sizeof what, "%s %s", method, url.host);
    if (!r.buf) {
        Print(L"error: out of memory\n");
        goto out;
    }
    struct net_addr to = { .port = url.port };
    CopyMem(to.ip, url.ip, 4);
    Print(L"%a %a\n", method, url_text);
    if (net_connect(fd, &to) < 0) {
        Print(L"error: connect to %a failed: ", url.host);
        print_cause();
        goto out;
    }
    char head[1024];
    BOOLEAN has_body = body_length > 0 || text_equal_nocase(method, "POST", 5);
    char length_line[160] = "";
    if (has_body)
        snprintf(length_line, sizeof length_line, "Content-Type: %s\r\nContent-Length: %lu\r\n",
                 content_type ? content_type : "application/octet-stream",
                 (uint64_t)body_length);
    /* snprintf returns the length the whole head would have had. */
    UINTN head_length = snprintf(head, sizeof head,
                                 "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: bootcamp-ch07\r\n"
                                 "%sConnection: close\r\n\r\n",
                                 method, url.path, url.host, length_line);
    if (head_length + 1 >= sizeof head) {        /* cut short, or no room to spare */
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
