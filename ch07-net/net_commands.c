/*
 * net_commands.c -- the chapter's shell commands: ip, get, post, serve,
 * echo-server. Each turns its CHAR16 arguments (the firmware's strings) into
 * ASCII (what the protocols speak) and calls the library.
 */
#include <efi.h>
#include <efilib.h>
#include "http.h"
#include "net.h"
#include "file.h"
#include "hash_worker.h"
#include "net_commands.h"
#include "shell.h"
#include "text.h"

#define URL_MAX      600
#define POST_TEXT_MAX 4096
#define POST_FILE_MAX (64 * 1024 * 1024)   /* post @FILE reads the whole file into memory */
#define CLOCK_WAIT_MAX_MS 600000            /* clock MS: at most 10 minutes */
#define CLOCK_POLL_MS 10

/* CHAR16 -> ASCII; FALSE if it does not fit or is not ASCII. */
static BOOLEAN to_ascii(const CHAR16 *in, char *out, UINTN size)
{
    UINTN i = 0;
    for (; in[i]; i++) {
        if (i + 1 >= size || in[i] > 0x7E)
            return FALSE;
        out[i] = (char)in[i];
    }
    out[i] = 0;
    return TRUE;
}

static BOOLEAN parse_port(const CHAR16 *text, UINT16 *port)
{
    char ascii[8];
    uint64_t value;
    if (!to_ascii(text, ascii, sizeof ascii) ||
        text_parse_number(ascii, 10, &value) != strlen(ascii) || value == 0 ||
        value > 0xFFFF) {
        Print(L"error: '%s' is not a port number (1-65535)\n", text);
        return FALSE;
    }
    *port = (UINT16)value;
    return TRUE;
}

/* The second processor that hashes long bodies (hash_worker.c) is started by
 * the first command that may download one, before it opens a connection: the
 * firmware takes a few tenths of a second under QEMU to start it, and nothing
 * polls the network meanwhile. `ip` starts it too: after `ip`, it is
 * waiting. */
static EFI_STATUS cmd_ip(UINTN argc, CHAR16 **argv)
{
    (void)argv;
    if (argc != 1)
        return shell_usage(argv);
    hash_worker_prepare();
    if (net_start() < 0)
        return EFI_NOT_READY;
    struct net_info info;
    if (net_get_info(&info) < 0) {
        net_report("ip");
        return EFI_DEVICE_ERROR;
    }
    char ip[NET_IP_TEXT], mask[NET_IP_TEXT], gateway[NET_IP_TEXT] = "none";
    net_format_ip(info.address.ip, ip);
    net_format_ip(info.netmask, mask);
    if (info.has_gateway)
        net_format_ip(info.gateway, gateway);
    Print(L"address %a netmask %a gateway %a\n", ip, mask, gateway);
    Print(L"MAC %02x:%02x:%02x:%02x:%02x:%02x\n", info.mac[0], info.mac[1], info.mac[2],
          info.mac[3], info.mac[4], info.mac[5]);
    return EFI_SUCCESS;
}

static EFI_STATUS cmd_get(UINTN argc, CHAR16 **argv)
{
    char url[URL_MAX];
    if (argc != 2)
        return shell_usage(argv);
    if (!to_ascii(argv[1], url, sizeof url)) {
        Print(L"error: the URL is too long or not ASCII\n");
        return EFI_INVALID_PARAMETER;
    }
    hash_worker_prepare();
    return http_request("GET", url, NULL, 0, NULL) < 0 ? EFI_PROTOCOL_ERROR : EFI_SUCCESS;
}

static EFI_STATUS cmd_post(UINTN argc, CHAR16 **argv)
{
    char url[URL_MAX];
    if (argc < 3)
        return shell_usage(argv);
    if (!to_ascii(argv[1], url, sizeof url)) {
        Print(L"error: the URL is too long or not ASCII\n");
        return EFI_INVALID_PARAMETER;
    }
    hash_worker_prepare();
    int result;
    if (argv[2][0] == L'@') {
        UINTN size = 0;
        UINT8 *data;
        EFI_STATUS status = file_read(shell_image(), argv[2] + 1, POST_FILE_MAX, &data, &size);
        if (EFI_ERROR(status)) {
            Print(L"error: cannot read %s from the boot volume: %r\n", argv[2] + 1, status);
            return status;
        }
        Print(L"%s: %ld bytes\n", argv[2] + 1, (UINT64)size);
        result = http_request("POST", url, data, size, "application/octet-stream");
        FreePool(data);
    } else {
        /* The words after the URL, joined by single spaces. */
        char text[POST_TEXT_MAX];
        UINTN n = 0;
        for (UINTN i = 2; i < argc; i++) {
            if (i > 2 && n + 1 < sizeof text)
                text[n++] = ' ';
            if (!to_ascii(argv[i], text + n, sizeof text - n)) {
                Print(L"error: the text is too long or not ASCII\n");
                return EFI_INVALID_PARAMETER;
            }
            n += strlen(text + n);
        }
        result = http_request("POST", url, text, n, "text/plain");
    }
    return result < 0 ? EFI_PROTOCOL_ERROR : EFI_SUCCESS;
}

/* serve PORT and echo-server PORT: a port, then the server until a key. */
static EFI_STATUS run_server(UINTN argc, CHAR16 **argv, int (*server)(UINT16 port))
{
    UINT16 port;
    if (argc != 2)
        return shell_usage(argv);
    if (!parse_port(argv[1], &port))
        return EFI_INVALID_PARAMETER;
    return server(port) < 0 ? EFI_PROTOCOL_ERROR : EFI_SUCCESS;
}

static EFI_STATUS cmd_serve(UINTN argc, CHAR16 **argv)
{
    return run_server(argc, argv, http_serve);
}

static EFI_STATUS cmd_echo_server(UINTN argc, CHAR16 **argv)
{
    return run_server(argc, argv, echo_serve);
}

/* clock MS: wait MS milliseconds by net_clock_ms, saying when it starts and
 * ends, so that a watch (or a test, with its own clock) can time the same
 * interval. */
static EFI_STATUS cmd_clock(UINTN argc, CHAR16 **argv)
{
    char ascii[12];
    uint64_t ms;
    if (argc != 2)
        return shell_usage(argv);
    if (!to_ascii(argv[1], ascii, sizeof ascii) ||
        text_parse_number(ascii, 10, &ms) != strlen(ascii) || ms > CLOCK_WAIT_MAX_MS) {
        Print(L"error: '%s' is not a number of milliseconds (0-%d)\n", argv[1],
              CLOCK_WAIT_MAX_MS);
        return EFI_INVALID_PARAMETER;
    }
    Print(L"clock: the TSC ticks %ld times a millisecond (measured against ",
          net_clock_tsc_per_ms());
    if (net_clock_pm_timer_port())
        Print(L"the PM timer at port 0x%x, found in %s)\n", net_clock_pm_timer_port(),
              net_clock_source());
    else
        Print(L"%s)\n", net_clock_source());
    /* The line first, then the clock: printing can take a while (in Bochs,
     * drawing on the screen takes most of a second). */
    Print(L"clock: waiting %ld ms\n", ms);
    UINT64 start = net_clock_ms();
    while (net_clock_ms() - start < ms)
        net_sleep_ms(CLOCK_POLL_MS);
    Print(L"clock: %ld ms passed\n", net_clock_ms() - start);
    return EFI_SUCCESS;
}

const struct shell_command net_commands[] = {
    { L"ip", L"ip", L"start the network (DHCP) and show the address", cmd_ip },
    { L"get", L"get URL", L"HTTP GET; prints status, length and SHA-256", cmd_get },
    { L"post", L"post URL TEXT|@FILE", L"HTTP POST of TEXT or of a file from the boot volume",
      cmd_post },
    { L"serve", L"serve PORT", L"HTTP server: GET /, GET /cpuid, POST /echo", cmd_serve },
    { L"echo-server", L"echo-server PORT", L"TCP server that upper-cases what it receives",
      cmd_echo_server },
    { L"clock", L"clock MS", L"wait MS milliseconds by the chapter's clock", cmd_clock },
};
const UINTN net_command_count = sizeof net_commands / sizeof net_commands[0];
