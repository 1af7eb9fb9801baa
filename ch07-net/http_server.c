/*
 * http_server.c -- an HTTP/1.1 server for several clients at once, in one
 * loop around net_select(): no threads, no interrupts of our own.
 *
 *   GET /        a status page: firmware vendor, IP address, uptime
 *   GET /cpuid   the CPUID leaves of the CPU we run on
 *   POST /echo   the request body, upper-cased
 *   anything else 404; a request we cannot parse 400; a client that has not
 *   sent a whole request within CLIENT_TIME_LIMIT_MS gets 408 and is dropped.
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
#include "text.h"

#define MAX_CLIENTS          16
#define REQUEST_MAX          (64 * 1024)   /* headers and body */
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
    char *request;
    UINTN request_length;
    char *response;
    UINTN response_length, response_sent;
};

static struct client clients[MAX_CLIENTS];
static UINT64 requests_served;

/* -- responses ---------------------------------------------------------------- */
static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    default:  return "Internal Server Error";
    }
}

static void respond(struct client *c, int status, const char *body, UINTN body_length)
{
    char head[256];
    UINTN head_length = text_format(head, sizeof head,
                                    "HTTP/1.1 %d %s\r\nServer: bootcamp-ch07\r\n"
                                    "Content-Type: text/plain\r\nContent-Length: %lu\r\n"
                                    "Connection: close\r\n\r\n",
                                    status, reason(status), (uint64_t)body_length);
    c->response = AllocatePool(head_length + body_length);
    c->response_sent = 0;
    c->state = CLIENT_WRITING;
    if (!c->response) {
        c->response_length = 0;
        return;
    }
    CopyMem(c->response, head, head_length);
    CopyMem(c->response + head_length, (VOID *)body, body_length);
    c->response_length = head_length + body_length;
    char ip[NET_IP_TEXT];
    net_format_ip(c->peer.ip, ip);
    Print(L"%a:%d %d %a\n", ip, c->peer.port, status, reason(status));
}

static void respond_text(struct client *c, int status, const char *text)
{
    respond(c, status, text, text_length(text));
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
    UINTN n = text_format(body, sizeof body,
                          "bootcamp ch07: an HTTP server inside the firmware\n"
                          "firmware: %s (revision %u.%u)\n"
                          "address: %s/%s\n"
                          "uptime: %lu s\n"
                          "requests: %lu\n",
                          vendor, ST->FirmwareRevision >> 16, ST->FirmwareRevision & 0xFFFF,
                          ip, mask, uptime, requests_served);
    respond(c, 200, body, n);
}

static void cpuid_page(struct client *c)
{
    char body[4096];
    UINTN n = 0;
    char vendor[CPUID_VENDOR_CHARS + 1];
    cpuid_vendor(vendor);
    n += text_format(body + n, sizeof body - n, "vendor: %s\n", vendor);
    UINT32 basic_max = cpuid_query(CPUID_LEAF_VENDOR).eax;
    if (basic_max > CPUID_BASIC_MAX)
        basic_max = CPUID_BASIC_MAX;
    UINT32 extended_max = cpuid_query(CPUID_LEAF_EXTENDED).eax;
    if (extended_max > CPUID_EXTENDED_MAX)
        extended_max = CPUID_EXTENDED_MAX;
    for (UINT32 leaf = 0; leaf <= basic_max; leaf++) {
        struct cpuid_regs r = cpuid_query(leaf);
        n += text_format(body + n, sizeof body - n, "%08x: eax=%08x ebx=%08x ecx=%08x edx=%08x\n",
                         leaf, r.eax, r.ebx, r.ecx, r.edx);
    }
    for (UINT32 leaf = CPUID_LEAF_EXTENDED; leaf <= extended_max && leaf >= CPUID_LEAF_EXTENDED;
         leaf++) {
        struct cpuid_regs r = cpuid_query(leaf);
        n += text_format(body + n, sizeof body - n, "%08x: eax=%08x ebx=%08x ecx=%08x edx=%08x\n",
                         leaf, r.eax, r.ebx, r.ecx, r.edx);
    }
    respond(c, 200, body, n);
}

/* -- requests ------------------------------------------------------------------- */
/* The `length` bytes at text are exactly `word`. */
static BOOLEAN is_word(const char *text, UINTN length, const char *word)
{
    return length == text_length(word) && text_starts_with(text, word);
}

/* Returns 1 when a response is ready, 0 when more bytes are needed. */
static int handle_request(struct client *c)
{
    const char *end = text_find(c->request, c->request_length, "\r\n\r\n");
    if (!end) {
        if (c->request_length == REQUEST_MAX) {
            respond_text(c, 400, "request headers too large\n");
            return 1;
        }
        return 0;
    }
    UINTN head_length = (UINTN)(end - c->request) + 4;
    /* request-line = method SP request-target SP HTTP-version (RFC 9112 3) */
    char *line = c->request;
    char *sp1 = NULL, *sp2 = NULL, *eol = (char *)text_find(line, head_length, "\r\n");
    for (char *p = line; p < eol; p++) {
        if (*p == ' ' && !sp1)
            sp1 = p;
        else if (*p == ' ' && !sp2)
            sp2 = p;
        else if (*p == ' ' || (unsigned char)*p < ' ' || (unsigned char)*p > '~') {
            respond_text(c, 400, "malformed request line\n");
            return 1;
        }
    }
    if (!sp1 || !sp2 || sp1 == line || sp2 == sp1 + 1 || sp1[1] != '/' ||
        (UINTN)(eol - sp2 - 1) != text_length("HTTP/1.1") ||
        !text_starts_with(sp2 + 1, "HTTP/1.")) {
        respond_text(c, 400, "malformed request line\n");
        return 1;
    }
    /* Header fields: name ":" value, one a line. */
    uint64_t content_length = 0;
    char *head_end = c->request + head_length - 2;          /* the final empty line */
    for (char *field = eol + 2; field < head_end;) {
        char *field_end = (char *)text_find(field, (UINTN)(head_end + 2 - field), "\r\n");
        char *colon = (char *)text_find(field, (UINTN)(field_end - field), ":");
        if (!colon || colon == field) {
            respond_text(c, 400, "malformed header field\n");
            return 1;
        }
        UINTN name_length = (UINTN)(colon - field);
        if (name_length == text_length("Content-Length") &&
            text_equal_nocase(field, "Content-Length", name_length)) {
            char *v = colon + 1;
            while (*v == ' ')
                v++;
            UINTN digits = text_parse_number(v, 10, &content_length);
            if (!digits || v + digits != field_end) {
                respond_text(c, 400, "bad Content-Length\n");
                return 1;
            }
        } else if (name_length == text_length("Transfer-Encoding") &&
                   text_equal_nocase(field, "Transfer-Encoding", name_length)) {
            respond_text(c, 400, "chunked request bodies are not supported\n");
            return 1;
        }
        field = field_end + 2;
    }
    if (content_length > REQUEST_MAX - head_length) {
        respond_text(c, 413, "request body too large\n");
        return 1;
    }
    if (c->request_length < head_length + content_length)
        return 0;                                   /* the body is still coming */

    UINTN method_length = (UINTN)(sp1 - line), path_length = (UINTN)(sp2 - sp1 - 1);
    const char *path = sp1 + 1;
    BOOLEAN get = is_word(line, method_length, "GET");
    BOOLEAN post = is_word(line, method_length, "POST");
    requests_served++;
    if (is_word(path, path_length, "/")) {
        if (get)
            status_page(c);
        else
            respond_text(c, 405, "GET only\n");
    } else if (is_word(path, path_length, "/cpuid")) {
        if (get)
            cpuid_page(c);
        else
            respond_text(c, 405, "GET only\n");
    } else if (is_word(path, path_length, "/echo")) {
        if (!post) {
            respond_text(c, 405, "POST only\n");
        } else {
            char *body = c->request + head_length;
            for (UINTN i = 0; i < content_length; i++)
                body[i] = text_upper(body[i]);
            respond(c, 200, body, content_length);
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
        c->request = AllocatePool(REQUEST_MAX);
        c->request_length = 0;
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
    INTN n = net_recv(c->fd, c->request + c->request_length, REQUEST_MAX - c->request_length);
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
