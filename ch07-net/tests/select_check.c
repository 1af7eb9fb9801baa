/*
 * select_check.c -- net_select() held to what net.h promises, one rule at a
 * time: for tests/test_select.py, which grades the lab's select part.
 *
 * The echo server shows that select works when it is asked every 100 ms; it
 * cannot show that a select with no time limit polls the network while it
 * waits, that a limit is kept, that 0 only looks, or that the sets come back
 * narrowed to the ready sockets. This program asks each of those once.
 *
 * Who calls it: tests/bench_runner.c, which powers the machine off when it
 * returns. What it reads: \select.txt, "PORT CLOSED": a port where the host
 * listens, and one where nobody does, both on the gateway (the host).
 * What it prints (serial): a line per rule, in order,
 *     select-check: NAME: ok
 *     select-check: NAME: FAILED: what it got
 * and, where the host must act before the next rule can be met,
 *     select-check: now send a byte on A
 *     select-check: now close B
 * The rules after those wait with no time limit: a select that does not
 * poll while it waits never returns, and the test names the rule it was in.
 */
#include <efi.h>
#include <efilib.h>
#include "file.h"
#include "net.h"
#include "text.h"

#define CHECK_FILE      L"\\select.txt"
#define CHECK_FILE_MAX  64             /* two port numbers */
#define LOCAL_PORT      7100           /* a listener nobody connects to */
#define LIMIT_MS        300            /* the time limit that must be kept */
#define NO_LIMIT        (-1)

static int failures;

static void verdict(const char *rule, BOOLEAN ok, const char *wanted, int got,
                    UINT64 read_bits, UINT64 write_bits)
{
    if (ok) {
        Print(L"select-check: %a: ok\n", rule);
        return;
    }
    failures++;
    Print(L"select-check: %a: FAILED: wanted %a; select returned %d", rule, wanted, got);
    if (got < 0)
        Print(L" (net_errno %d: %a)", net_errno, net_strerror(net_errno));
    Print(L", readable 0x%lx, writable 0x%lx\n", read_bits, write_bits);
}

static net_fd_set only(int fd)
{
    net_fd_set set;
    NET_FD_ZERO(&set);
    if (fd >= 0)
        NET_FD_SET(fd, &set);
    return set;
}

static net_fd_set both(int a, int b)
{
    net_fd_set set = only(a);
    NET_FD_SET(b, &set);
    return set;
}

/* "PORT CLOSED" -> the two ports; FALSE if the text is not that. */
static BOOLEAN parse_ports(const char *text, UINT16 *port, UINT16 *closed)
{
    uint64_t a = 0, b = 0;
    size_t n = text_parse_number(text, 10, &a);
    if (n == 0 || text[n] != ' ')
        return FALSE;
    size_t m = text_parse_number(text + n + 1, 10, &b);
    if (m == 0 || a == 0 || a > 0xFFFF || b == 0 || b > 0xFFFF)
        return FALSE;
    *port = (UINT16)a;
    *closed = (UINT16)b;
    return TRUE;
}

static int connect_to(const UINT8 ip[4], UINT16 port, BOOLEAN blocking)
{
    struct net_addr to = { { ip[0], ip[1], ip[2], ip[3] }, port };
    int fd = net_socket();
    if (fd < 0)
        return -1;
    if (!blocking)
        net_set_blocking(fd, FALSE);
    if (net_connect(fd, &to) < 0 && (blocking || net_errno != NET_EINPROGRESS)) {
        net_close(fd);
        return -1;
    }
    return fd;
}

static void check(UINT16 port, UINT16 closed)
{
    struct net_info info;
    net_get_info(&info);
    net_fd_set r, w;
    int got;

    r = only(NET_MAX_SOCKETS - 1);                      /* never opened */
    w = only(-1);
    got = net_select(&r, &w, 0);
    verdict("a-socket-never-opened", got == -1 && net_errno == NET_EBADF, "-1 and NET_EBADF",
            got, r.bits, w.bits);

    int listener = net_socket();
    if (listener < 0 || net_bind(listener, LOCAL_PORT) < 0 || net_listen(listener, 1) < 0) {
        Print(L"select-check: error: cannot listen on port %d: %a\n", LOCAL_PORT,
              net_strerror(net_errno));
        return;
    }
    r = only(listener);
    w = only(-1);
    got = net_select(&r, &w, 0);
    verdict("zero-only-looks", got == 0 && r.bits == 0 && w.bits == 0,
            "0 and both sets empty (no connection waits)", got, r.bits, w.bits);

    r = only(listener);
    w = only(-1);
    UINT64 start = net_clock_ms();
    got = net_select(&r, &w, LIMIT_MS);
    UINT64 waited = net_clock_ms() - start;
    if (got == 0 && waited < LIMIT_MS)
        Print(L"select-check: (it returned after %ld ms)\n", waited);
    verdict("a-limit-is-kept", got == 0 && r.bits == 0 && waited >= LIMIT_MS,
            "0, the set empty, after the whole limit", got, r.bits, w.bits);

    int a = connect_to(info.gateway, port, TRUE);
    int b = a < 0 ? -1 : connect_to(info.gateway, port, TRUE);
    if (b < 0 || net_sendall(a, "A\n", 2) < 0 || net_sendall(b, "B\n", 2) < 0) {
        Print(L"select-check: error: cannot connect to the host's port %d: %a\n", port,
              net_strerror(net_errno));
        return;
    }

    r = only(-1);
    w = both(a, b);
    got = net_select(&r, &w, NO_LIMIT);
    verdict("connected-are-writable", got == 2 && w.bits == both(a, b).bits && r.bits == 0,
            "2, both sockets in the writable set", got, r.bits, w.bits);

    Print(L"select-check: now send a byte on A\n");
    r = both(a, b);
    w = only(-1);
    got = net_select(&r, &w, NO_LIMIT);
    verdict("data-ends-the-wait", got == 1 && r.bits == only(a).bits,
            "1, only A in the readable set", got, r.bits, w.bits);

    r = both(a, b);
    w = only(a);
    got = net_select(&r, &w, 0);
    verdict("both-sets-count", got == 2 && r.bits == only(a).bits && w.bits == only(a).bits,
            "2: A readable (its byte is still unread) and A writable", got, r.bits, w.bits);

    char byte;
    if (net_recv(a, &byte, 1) != 1) {
        Print(L"select-check: error: A's byte: %a\n", net_strerror(net_errno));
        return;
    }
    Print(L"select-check: now close B\n");
    r = only(b);
    w = only(-1);
    got = net_select(&r, &w, NO_LIMIT);
    INTN end = got == 1 ? net_recv(b, &byte, 1) : -1;
    verdict("the-peer-closing-is-readable", got == 1 && r.bits == only(b).bits && end == 0,
            "1, B readable, and net_recv then returns 0", got, r.bits, w.bits);

    int refused = connect_to(info.gateway, closed, FALSE);
    if (refused < 0) {
        Print(L"select-check: error: a non-blocking connect: %a\n", net_strerror(net_errno));
        return;
    }
    r = only(refused);
    w = only(refused);
    got = net_select(&r, &w, NO_LIMIT);
    verdict("a-failed-socket-is-ready", got == 2 && r.bits == only(refused).bits &&
            w.bits == only(refused).bits,
            "2: a refused connect in both sets", got, r.bits, w.bits);

    net_close(b);
    r = only(b);
    w = only(-1);
    got = net_select(&r, &w, 0);
    verdict("a-socket-closed-here", got == -1 && net_errno == NET_EBADF, "-1 and NET_EBADF",
            got, r.bits, w.bits);

    net_close(refused);
    net_close(a);
    net_close(listener);
    net_finish_closes();
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
    UINT8 *data;
    UINTN size;
    UINT16 port, closed;
    char text[CHECK_FILE_MAX + 1];
    net_init(image, st);
    EFI_STATUS status = file_read(image, CHECK_FILE, CHECK_FILE_MAX, &data, &size);
    if (EFI_ERROR(status)) {
        Print(L"select-check: error: cannot read \\select.txt: %r\n", status);
        return status;
    }
    CopyMem(text, data, size);
    text[size] = 0;
    FreePool(data);
    if (!parse_ports(text, &port, &closed)) {
        Print(L"select-check: error: \\select.txt is not \"PORT CLOSED\"\n");
        return EFI_INVALID_PARAMETER;
    }
    if (net_start() < 0) {
        Print(L"select-check: error: %a\n", net_strerror(net_errno));
        return EFI_NOT_READY;
    }
    check(port, closed);
    Print(L"select-check: done, %d failed\n", failures);
    return failures ? EFI_ABORTED : EFI_SUCCESS;
}
