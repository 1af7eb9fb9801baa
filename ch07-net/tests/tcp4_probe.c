/*
 * tcp4_probe.c -- make bench's ceiling: how fast the firmware's own TCP4
 * delivers a download when the program does nothing with the bytes.
 *
 * It brings the network up as the chapter's program does (net.c: find the
 * NIC, DHCP), then, with EFI_TCP4_PROTOCOL directly and no sockets layer:
 * connect, send one HTTP GET, keep one Receive outstanding into one buffer
 * and discard what it brings, until the server closes; then a second GET
 * (of the "done" path) tells the host bench server the first one has all
 * arrived. The host times the two requests, as it does for the chapter's
 * `get`: bench_net.py reports ours over this ceiling.
 *
 * Who calls it: tests/bench_runner.c, the boot program of the bench's ESP, in
 * turn with the chapter's own program (StartImage), through gnu-efi's crt0
 * (efi_main with the System V convention).
 * What it reads: \probe.txt on its own volume, a target a line:
 *     A.B.C.D PORT DATA_PATH DONE_PATH
 * (the bench gives one; the tests give several, so that one boot shows how
 * each kind of line ends).
 * What it prints (serial), a line per target: "tcp4-probe: N bytes in M ms"
 * or "tcp4-probe: error: ..."; then it returns to the runner.
 */
#include <efi.h>
#include <efilib.h>
#include "file.h"
#include "format.h"
#include "net.h"
#include "net_internal.h"
#include "text.h"

#define PROBE_FILE        L"\\probe.txt"
#define PROBE_FILE_MAX    1024         /* a few short lines */
#define PROBE_LINE_MAX    160          /* the longest valid line: 15 + 5 + 63 + 63 and spaces */
#define PROBE_PATH_MAX    64
#define RECEIVE_BYTES     (64 * 1024)  /* one Receive's buffer, as socket.c's */
#define REQUEST_MAX       256
#define IP_TTL            64
/* Our own limits: the firmware's are minutes. A download of the bench's file
   on a loaded host takes tens of seconds; a whole minute with no byte is a
   failure. */
#define CONNECT_LIMIT_MS  10000
#define SEND_LIMIT_MS     10000
#define SILENCE_LIMIT_MS  60000
#define CLOSE_LIMIT_MS    3000

static EFI_GUID tcp4_guid = EFI_TCP4_PROTOCOL;

struct probe_target {
    struct net_addr server;
    char data_path[PROBE_PATH_MAX];
    char done_path[PROBE_PATH_MAX];
};

/* The one notify function of every token: it only records that it fired
   (work done here would re-enter the TCP driver, as socket.c explains). */
static VOID EFIAPI token_signalled(EFI_EVENT event, VOID *context)
{
    (void)event;
    *(volatile BOOLEAN *)context = TRUE;
}

/* Poll until the token's event fired, or limit_ms passed with no progress. */
static EFI_STATUS wait_token(EFI_TCP4 *tcp, volatile BOOLEAN *fired,
                             EFI_STATUS *token_status, UINT64 limit_ms)
{
    UINT64 deadline = net_clock_ms() + limit_ms;
    while (!*fired) {
        tcp->Poll(tcp);
        if (net_clock_ms() >= deadline)
            return EFI_TIMEOUT;
    }
    return *token_status;
}

static void fail(const char *what, EFI_STATUS status)
{
    Print(L"tcp4-probe: error: %a: %r\n", what, status);
}

/* Copy the next space-separated word of *s into out (size bytes). */
static BOOLEAN next_word(const char **s, char *out, UINTN size)
{
    const char *p = *s;
    while (*p == ' ')
        p++;
    UINTN n = 0;
    while (p[n] && p[n] != ' ')
        n++;
    if (n == 0 || n >= size)
        return FALSE;
    CopyMem(out, (VOID *)p, n);
    out[n] = 0;
    *s = p + n;
    return TRUE;
}

/* One line of \probe.txt (NUL-terminated, no line end) into *t. */
static BOOLEAN parse_target(const char *line, struct probe_target *t)
{
    const char *p = line;
    char word[PROBE_PATH_MAX];
    uint64_t port = 0;
    BOOLEAN ok = next_word(&p, word, sizeof word) && net_parse_ip(word, t->server.ip) != 0
        && next_word(&p, word, sizeof word) && text_parse_number(word, 10, &port) != 0
        && port > 0 && port <= 0xFFFF
        && next_word(&p, t->data_path, sizeof t->data_path)
        && next_word(&p, t->done_path, sizeof t->done_path);
    if (!ok) {
        Print(L"tcp4-probe: error: \"%a\" is not \"A.B.C.D PORT DATA_PATH DONE_PATH\"\n", line);
        return FALSE;
    }
    t->server.port = (UINT16)port;
    return TRUE;
}

/* One HTTP GET of path on a new connection; the bytes received (head and
   body) are counted into *received and dropped. */
static EFI_STATUS fetch(const struct probe_target *t, const char *path, UINT64 *received)
{
    static UINT8 buffer[RECEIVE_BYTES];
    EFI_HANDLE child = NULL;
    EFI_TCP4 *tcp = NULL;
    volatile BOOLEAN fired = FALSE;
    EFI_EVENT event = NULL;
    EFI_STATUS status = net_tcp4_service->CreateChild(net_tcp4_service, &child);
    if (!EFI_ERROR(status))
        status = BS->HandleProtocol(child, &tcp4_guid, (VOID **)&tcp);
    if (!EFI_ERROR(status))
        status = BS->CreateEvent(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, token_signalled,
                                 (VOID *)&fired, &event);
    if (EFI_ERROR(status)) {
        fail("no TCP4 instance", status);
        goto out;
    }

    EFI_TCP4_CONFIG_DATA config;
    SetMem(&config, sizeof config, 0);
    config.TimeToLive = IP_TTL;
    config.AccessPoint.UseDefaultAddress = TRUE;     /* the address DHCP gave */
    config.AccessPoint.ActiveFlag = TRUE;
    CopyMem(config.AccessPoint.RemoteAddress.Addr, (VOID *)t->server.ip, 4);
    config.AccessPoint.RemotePort = t->server.port;
    config.ControlOption = NULL;                     /* the driver's defaults, as socket.c */
    status = tcp->Configure(tcp, &config);
    if (EFI_ERROR(status)) {
        fail("Configure", status);
        goto out;
    }

    EFI_TCP4_CONNECTION_TOKEN connect;
    connect.CompletionToken.Event = event;
    connect.CompletionToken.Status = EFI_NOT_READY;
    fired = FALSE;
    status = tcp->Connect(tcp, &connect);
    if (!EFI_ERROR(status))
        status = wait_token(tcp, &fired, &connect.CompletionToken.Status, CONNECT_LIMIT_MS);
    if (EFI_ERROR(status)) {
        fail("Connect", status);
        goto out;
    }

    char request[REQUEST_MAX];
    int written = snprintf(request, sizeof request,
                           "GET %s HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n", path);
    if (written < 0 || (UINTN)written >= sizeof request) {
        Print(L"probe: the request for %a is longer than %d bytes\n", path, REQUEST_MAX);
        goto out;
    }
    UINTN length = (UINTN)written;
    EFI_TCP4_TRANSMIT_DATA tx;
    SetMem(&tx, sizeof tx, 0);
    tx.Push = TRUE;
    tx.DataLength = (UINT32)length;
    tx.FragmentCount = 1;
    tx.FragmentTable[0].FragmentLength = (UINT32)length;
    tx.FragmentTable[0].FragmentBuffer = request;
    EFI_TCP4_IO_TOKEN send;
    send.CompletionToken.Event = event;
    send.CompletionToken.Status = EFI_NOT_READY;
    send.Packet.TxData = &tx;
    fired = FALSE;
    status = tcp->Transmit(tcp, &send);
    if (!EFI_ERROR(status))
        status = wait_token(tcp, &fired, &send.CompletionToken.Status, SEND_LIMIT_MS);
    if (EFI_ERROR(status)) {
        fail("Transmit", status);
        goto out;
    }

    /* Until the server closes: one Receive outstanding, its bytes dropped. */
    EFI_TCP4_RECEIVE_DATA rx;
    EFI_TCP4_IO_TOKEN receive;
    receive.CompletionToken.Event = event;
    receive.Packet.RxData = &rx;
    for (;;) {
        SetMem(&rx, sizeof rx, 0);
        rx.DataLength = RECEIVE_BYTES;
        rx.FragmentCount = 1;
        rx.FragmentTable[0].FragmentLength = RECEIVE_BYTES;
        rx.FragmentTable[0].FragmentBuffer = buffer;
        receive.CompletionToken.Status = EFI_NOT_READY;
        fired = FALSE;
        status = tcp->Receive(tcp, &receive);
        if (!EFI_ERROR(status))
            status = wait_token(tcp, &fired, &receive.CompletionToken.Status, SILENCE_LIMIT_MS);
        if (status == EFI_CONNECTION_FIN) {
            status = EFI_SUCCESS;
            break;
        }
        if (EFI_ERROR(status)) {
            fail("Receive", status);
            goto out;
        }
        *received += rx.DataLength;
    }

    /* A graceful close, as the chapter's close() does; its time counts too. */
    EFI_TCP4_CLOSE_TOKEN close;
    close.CompletionToken.Event = event;
    close.CompletionToken.Status = EFI_NOT_READY;
    close.AbortOnClose = FALSE;
    fired = FALSE;
    if (!EFI_ERROR(tcp->Close(tcp, &close)))
        wait_token(tcp, &fired, &close.CompletionToken.Status, CLOSE_LIMIT_MS);
out:
    if (tcp)
        tcp->Configure(tcp, NULL);       /* aborts whatever is still outstanding */
    if (event)
        BS->CloseEvent(event);
    if (child)
        net_tcp4_service->DestroyChild(net_tcp4_service, child);
    return status;
}

/* Fetch the data path, then the done path, and say how many bytes came. */
static void probe(const struct probe_target *t)
{
    UINT64 received = 0, done_bytes = 0;
    UINT64 started = net_clock_ms();
    EFI_STATUS status = fetch(t, t->data_path, &received);
    UINT64 ms = net_clock_ms() - started;
    if (!EFI_ERROR(status))
        status = fetch(t, t->done_path, &done_bytes);
    if (!EFI_ERROR(status))
        Print(L"tcp4-probe: %lu bytes in %lu ms (guest clock)\n", received, ms);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
    UINT8 *data;
    UINTN size;
    net_init(image, st);
    EFI_STATUS status = file_read(image, PROBE_FILE, PROBE_FILE_MAX, &data, &size);
    if (EFI_ERROR(status)) {
        fail("cannot read \\probe.txt", status);
    } else if (net_start() < 0) {
        Print(L"tcp4-probe: error: %a\n", net_strerror(net_errno));
    } else {
        /* A target a line; a line that is not one is named, and the next one runs. */
        for (UINTN at = 0; at < size;) {
            char line[PROBE_LINE_MAX];
            UINTN n = 0;
            for (; at < size && data[at] != '\n' && data[at] != '\r'; at++)
                if (n + 1 < sizeof line)
                    line[n++] = (char)data[at];
            while (at < size && (data[at] == '\n' || data[at] == '\r'))
                at++;
            line[n] = 0;
            struct probe_target target;
            if (n > 0 && parse_target(line, &target))
                probe(&target);
        }
    }
    if (!EFI_ERROR(status))
        FreePool(data);
    return EFI_SUCCESS;
}
