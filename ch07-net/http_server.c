/*
 * http_server.c -- an HTTP/1.1 server for several clients at once, in one
 * loop around net_select(): no threads, no interrupts of our own.
 *
 *   GET /        a status page: firmware vendor, IP address, uptime
 *   GET /cpuid   the CPUID leaves of the CPU we run on
 *   POST /echo   the request body, upper-cased
 *   HEAD of a GET page: its head alone (RFC 9110 9.1: every server MUST
 *   support GET and HEAD). Another method on a page: 405 and the methods
 *   it takes; a method no page takes: 501; another page: 404. A request
 *   that http_parse_request refuses gets the status it names (400, 414,
 *   431, 501, 505); a client that has not sent a whole request within
 *   CLIENT_TIME_LIMIT_MS gets 408 and is dropped.
 *
 * Every client is a small state machine (reading its request, then writing
 * the response) with its own deadline; the listening socket and the clients
 * are all non-blocking, so one slow or broken client only ever costs itself.
 */
#include <efi.h>
#include <efilib.h>
#include "cpuid.h"             /* chapter 6's, through BUILDS_ON */
#include "http.h"
#include "net.h"
#include "format.h"
#include "text.h"

#define MAX_CLIENTS          16
#define REQUEST_BODY_MAX     65536         /* 64 KiB: a request's body, decoded */
#define REQUEST_BUFFER       (HTTP_HEAD_MAX + REQUEST_BODY_MAX)   /* per client */
#define CLIENT_TIME_LIMIT_MS 5000
#define SELECT_SLICE_MS      100           /* how often deadlines and keys are looked at */
#define LISTEN_BACKLOG       8
#define CPUID_BASIC_MAX      0x20          /* leaves shown, at most */
#define CPUID_EXTENDED_MAX   0x80000008U   /* extended leaves shown, up to */

enum client_state { CLIENT_READING, CLIENT_WRITING };

struct client {
    int fd;                     /* -1: a free slot */
    enum client_state state;
    struct net_addr peer;
    UINT64 deadline;
    char *request;               /* REQUEST_BUFFER bytes: the head, then the body */
    UINTN request_length;
    BOOLEAN head_done;           /* request.head is parsed */
    struct http_request_head head;
    struct http_chunked chunked; /* a chunked body, decoded in place after the head */
    UINTN body_length;           /* chunked: the bytes decoded so far */
    BOOLEAN head_only;           /* a HEAD request: the response goes without its body */
    char *response;
    UINTN response_length, response_sent;
};

static struct client clients[MAX_CLIENTS];
static UINT64 requests_served;

/* -- responses ---------------------------------------------------------------- */
static const char *reason(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 505: return "HTTP Version Not Supported";
    default:  return "Internal Server Error";
    }
}

/* What snprintf(buffer, size, ...) left in the buffer: it returns the length
   the whole text would have had, which may be more than fits. A text that does
   not fit is sent cut short, never read past the buffer's end. */
static UINTN stored(int length, UINTN size)
{
    if (length < 0 || size == 0)
        return 0;
    return (UINTN)length < size ? (UINTN)length : size - 1;
}

/* The response: status line, our fields, `fields` (more lines, each ending
   in CR LF), the body. To a HEAD request the same head, without the body
   (RFC 9110 9.3.2): Content-Length still says how long the GET body is. */
static void respond_with(struct client *c, int status, const char *fields, const char *body,
                         UINTN body_length)
{
    char head[512];
    UINTN head_length = stored(snprintf(head, sizeof head,
                                        "HTTP/1.1 %d %s\r\nServer: bootcamp-ch07\r\n%s"
                                        "Content-Type: text/plain\r\nContent-Length: %lu\r\n"
                                        "Connection: close\r\n\r\n",
                                        status, reason(status), fields, (uint64_t)body_length),
                               sizeof head);
    UINTN sent_body = c->head_only ? 0 : body_length;
    c->response = AllocatePool(head_length + sent_body);
    c->response_sent = 0;
    c->state = CLIENT_WRITING;
    if (!c->response) {
        c->response_length = 0;
        return;
    }
    CopyMem(c->response, head, head_length);
    CopyMem(c->response + head_length, (VOID *)body, sent_body);
    c->response_length = head_length + sent_body;
    char ip[NET_IP_TEXT];
    net_format_ip(c->peer.ip, ip);
    /* An error's body is a line of text that says why: show it here too. */
    Print(L"%a:%d %d %a%a%a", ip, c->peer.port, status, reason(status),
          status >= 400 ? ": " : "\n", status >= 400 ? body : "");
}

static void respond(struct client *c, int status, const char *body, UINTN body_length)
{
    respond_with(c, status, "", body, body_length);
}

static void respond_text(struct client *c, int status, const char *text)
{
    respond(c, status, text, strlen(text));
}

static void status_page(struct client *c)
{
    char vendor[64], ip[NET_IP_TEXT] = "?", mask[NET_IP_TEXT] = "?", body[512];
    UINTN i = 0;
    for (; ST->FirmwareVendor[i] && i + 1 < sizeof vendor; i++)
        vendor[i] = ST->FirmwareVendor[i] < 0x80 ? (char)ST->FirmwareVendor[i] : '?';
    vendor[i] = 0;
    struct net_info info;
    if (net_get_info(&info) == 0) {
        net_format_ip(info.address.ip, ip);
        net_format_ip(info.netmask, mask);
    }
    UINT64 uptime = net_clock_ms() / 1000;
    UINTN n = stored(snprintf(body, sizeof body,
                              "bootcamp ch07: an HTTP server inside the firmware\n"
                              "firmware: %s (revision %u.%u)\n"
                              "address: %s/%s\n"
                              "uptime: %lu s\n"
                              "requests: %lu\n",
                              vendor, ST->FirmwareRevision >> 16, ST->FirmwareRevision & 0xFFFF,
                              ip, mask, uptime, requests_served),
                     sizeof body);
    respond(c, 200, body, n);
}

static void cpuid_page(struct client *c)
{
    char body[4096];
    UINTN n = 0;
    char vendor[CPUID_VENDOR_CHARS + 1];
    cpuid_vendor(vendor);
    n += stored(snprintf(body + n, sizeof body - n, "vendor: %s\n", vendor), sizeof body - n);
    UINT32 basic_max = cpuid_query(CPUID_LEAF_VENDOR).eax;
    if (basic_max > CPUID_BASIC_MAX)
        basic_max = CPUID_BASIC_MAX;
    UINT32 extended_max = cpuid_query(CPUID_LEAF_EXTENDED).eax;
    if (extended_max > CPUID_EXTENDED_MAX)
        extended_max = CPUID_EXTENDED_MAX;
    for (UINT32 leaf = 0; leaf <= basic_max; leaf++) {
        struct cpuid_regs r = cpuid_query(leaf);
        n += stored(snprintf(body + n, sizeof body - n, "%08x: eax=%08x ebx=%08x ecx=%08x edx=%08x\n",
                             leaf, r.eax, r.ebx, r.ecx, r.edx),
                    sizeof body - n);
    }
    for (UINT32 leaf = CPUID_LEAF_EXTENDED; leaf <= extended_max && leaf >= CPUID_LEAF_EXTENDED;
         leaf++) {
        struct cpuid_regs r = cpuid_query(leaf);
        n += stored(snprintf(body + n, sizeof body - n, "%08x: eax=%08x ebx=%08x ecx=%08x edx=%08x\n",
                             leaf, r.eax, r.ebx, r.ecx, r.edx),
                    sizeof body - n);
    }
    respond(c, 200, body, n);
}

/* -- requests ------------------------------------------------------------------- */
static BOOLEAN is_word(struct http_span span, const char *word)
{
    return span.length == strlen(word) && text_starts_with(span.at, word);
}

/* A request the parser refused: the status it names, and why, in the body. */
static void refuse(struct client *c, enum http_verdict verdict)
{
    char text[160];
    snprintf(text, sizeof text, "%s\n", http_verdict_text(verdict));
    respond_text(c, http_verdict_status(verdict), text);
}

/* RFC 9110 10.1.1: a client that sent "Expect: 100-continue" waits for
   100 before it sends the body (curl does, for a second). One try: if the
   send does not go now, the client sends the body anyway after its wait. */
static void send_continue(struct client *c)
{
    static const char line[] = "HTTP/1.1 100 Continue\r\n\r\n";
    net_send(c->fd, line, sizeof line - 1);
}

/* The body, whole. Returns 1 when it is (its bytes are right after the
   head), 0 when more must come, -1 when a response (400, 413) is ready. */
static int request_body(struct client *c)
{
    UINTN head_length = c->head.head_length;
    if (c->head.body == HTTP_BODY_NONE) {
        c->body_length = 0;
        return 1;
    }
    if (c->head.body == HTTP_BODY_LENGTH) {
        if (c->head.content_length > REQUEST_BODY_MAX) {
            respond_text(c, 413, "request body larger than 65536 bytes (REQUEST_BODY_MAX)\n");
            return -1;
        }
        c->body_length = (UINTN)c->head.content_length;
        return c->request_length >= head_length + c->body_length;
    }
    /* Chunked: decode what came since last time in place, then drop the
       framing so the next bytes land right after the decoded ones. */
    UINT8 *in = (UINT8 *)c->request + head_length + c->body_length;
    UINTN used, produced;
    enum http_verdict verdict = http_chunked_decode(
        &c->chunked, in, c->request_length - head_length - c->body_length, in, &used, &produced);
    c->body_length += produced;
    c->request_length = head_length + c->body_length;
    if (verdict != HTTP_OK && verdict != HTTP_INCOMPLETE) {
        refuse(c, verdict);
        return -1;
    }
    if (c->body_length > REQUEST_BODY_MAX ||
        (verdict == HTTP_INCOMPLETE && c->request_length == REQUEST_BUFFER)) {
        respond_text(c, 413, "request body larger than 65536 bytes (REQUEST_BODY_MAX)\n");
        return -1;
    }
    return verdict == HTTP_OK;
}
_Static_assert(REQUEST_BODY_MAX == 65536, "update the 413 message");

/* Returns 1 when a response is ready, 0 when more bytes are needed. */
static int handle_request(struct client *c)
{
    if (!c->head_done) {
        enum http_verdict verdict = http_parse_request(c->request, c->request_length, &c->head);
        if (verdict == HTTP_INCOMPLETE)
            return 0;
        if (verdict != HTTP_OK) {
            refuse(c, verdict);
            return 1;
        }
        c->head_done = TRUE;
        c->head_only = is_word(c->head.method, "HEAD");
        http_chunked_init(&c->chunked);
        c->body_length = 0;
        if (c->head.expect_continue && c->head.version_minor >= 1 &&
            c->head.body != HTTP_BODY_NONE &&
            c->request_length == c->head.head_length)
            send_continue(c);
    }
    int body = request_body(c);
    if (body <= 0)
        return body < 0;

    struct http_span method = c->head.method, path = c->head.path;
    BOOLEAN get = is_word(method, "GET"), head = is_word(method, "HEAD");
    BOOLEAN post = is_word(method, "POST");
    requests_served++;
    if (!get && !head && !post) {
        respond_text(c, 501, "no page here takes that method\n");
    } else if (is_word(path, "/") || is_word(path, "/cpuid")) {
        if (post)       /* RFC 9110 15.5.6: a 405 MUST say what the page takes */
            respond_with(c, 405, "Allow: GET, HEAD\r\n", "GET or HEAD only\n",
                         strlen("GET or HEAD only\n"));
        else if (path.length == 1)
            status_page(c);
        else
            cpuid_page(c);
    } else if (is_word(path, "/echo")) {
        if (!post) {
            respond_with(c, 405, "Allow: POST\r\n", "POST only\n", strlen("POST only\n"));
        } else {
            char *data = c->request + c->head.head_length;
            for (UINTN i = 0; i < c->body_length; i++)
                data[i] = text_upper(data[i]);
            respond(c, 200, data, c->body_length);
        }
    } else {
        respond_text(c, 404, "not found\n");
    }
    return 1;
}

/* -- the clients ------------------------------------------------------------------ */
static void client_drop(struct client *c)
{
    net_close(c->fd);
    if (c->request)
        FreePool(c->request);
    if (c->response)
        FreePool(c->response);
    SetMem(c, sizeof *c, 0);
    c->fd = -1;
}

static void client_add(int fd, const struct net_addr *peer)
{
    for (int i = 0; i < MAX_CLIENTS; i++) {
        struct client *c = &clients[i];
        if (c->fd >= 0)
            continue;
        c->fd = fd;
        c->peer = *peer;
        c->state = CLIENT_READING;
        c->deadline = net_clock_ms() + CLIENT_TIME_LIMIT_MS;
        c->request = AllocatePool(REQUEST_BUFFER);
        c->request_length = 0;
        c->head_done = FALSE;
        c->head_only = FALSE;
        if (!c->request)
            client_drop(c);
        else
            net_set_blocking(fd, FALSE);
        return;
    }
    Print(L"too many clients (%d): refusing one\n", MAX_CLIENTS);
    net_close(fd);
}

static void client_read(struct client *c)
{
    INTN n = net_recv(c->fd, c->request + c->request_length, REQUEST_BUFFER - c->request_length);
    if (n < 0 && net_errno == NET_EAGAIN)
        return;
    if (n <= 0) {                 /* gone before a whole request: nobody to answer */
        client_drop(c);
        return;
    }
    c->request_length += (UINTN)n;
    handle_request(c);
}

static void client_write(struct client *c)
{
    INTN n = net_send(c->fd, c->response + c->response_sent,
                      c->response_length - c->response_sent);
    if (n < 0 && net_errno == NET_EAGAIN)
        return;
    if (n < 0) {
        client_drop(c);
        return;
    }
    c->response_sent += (UINTN)n;
    if (c->response_sent == c->response_length)
        client_drop(c);               /* Connection: close -- the FIN ends the response */
}

static void client_check_time(struct client *c)
{
    if (net_clock_ms() < c->deadline)
        return;
    char ip[NET_IP_TEXT];
    net_format_ip(c->peer.ip, ip);
    if (c->state == CLIENT_READING) {
        Print(L"%a:%d sent no whole request in %d ms (%d bytes): dropping it\n", ip,
              c->peer.port, CLIENT_TIME_LIMIT_MS, (int)c->request_length);
        respond_text(c, 408, "no whole request in time\n");
        c->deadline = net_clock_ms() + CLIENT_TIME_LIMIT_MS;   /* to write the 408 */
    } else {
        Print(L"%a:%d does not take its response: dropping it\n", ip, c->peer.port);
        client_drop(c);
    }
}

int http_serve(UINT16 port)
{
    int listener = net_socket();
    if (listener < 0) {
        net_report("socket");
        return -1;
    }
    if (net_bind(listener, port) < 0 || net_listen(listener, LISTEN_BACKLOG) < 0) {
        net_report("listen");
        net_close(listener);
        return -1;
    }
    net_set_blocking(listener, FALSE);
    for (int i = 0; i < MAX_CLIENTS; i++)
        clients[i].fd = -1;
    struct net_info info;
    char ip[NET_IP_TEXT] = "?";
    if (net_get_info(&info) == 0)
        net_format_ip(info.address.ip, ip);
    Print(L"HTTP server listening on %a:%d (press a key to stop)\n", ip, port);

    while (!net_key_pressed()) {
        net_fd_set readable, writable;
        NET_FD_ZERO(&readable);
        NET_FD_ZERO(&writable);
        NET_FD_SET(listener, &readable);
        for (int i = 0; i < MAX_CLIENTS; i++) {
            if (clients[i].fd < 0)
                continue;
            if (clients[i].state == CLIENT_READING)
                NET_FD_SET(clients[i].fd, &readable);
            else
                NET_FD_SET(clients[i].fd, &writable);
        }
        if (net_select(&readable, &writable, SELECT_SLICE_MS) < 0) {
            net_report("select");
            break;
        }
        for (int i = 0; i < MAX_CLIENTS; i++) {
            struct client *c = &clients[i];
            if (c->fd >= 0 && c->state == CLIENT_READING && NET_FD_ISSET(c->fd, &readable))
                client_read(c);
            if (c->fd >= 0 && c->state == CLIENT_WRITING && NET_FD_ISSET(c->fd, &writable))
                client_write(c);
            if (c->fd >= 0)
                client_check_time(c);
        }
        if (NET_FD_ISSET(listener, &readable)) {
            struct net_addr peer;
            int fd;
            while ((fd = net_accept(listener, &peer)) >= 0)
                client_add(fd, &peer);
            if (net_errno != NET_EAGAIN)
                net_report("accept");
        }
    }
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (clients[i].fd >= 0)
            client_drop(&clients[i]);
    net_close(listener);
    net_finish_closes();
    Print(L"HTTP server stopped after %ld requests\n", requests_served);
    return 0;
}
