/*
 * net.c -- network start-up: find the NIC through the TCP4 service binding,
 * get an IPv4 address through IP4_CONFIG2 (DHCP), keep a millisecond clock.
 *
 * The firmware's network stack, bottom to top (UEFI spec 2.10, chapters 24-28):
 *
 *   SNP   Simple Network Protocol: send and receive raw frames (VirtioNetDxe)
 *   MNP   Managed Network: shares SNP between several users, polls it on a timer
 *   IP4   with IP4_CONFIG2 (address policy, DHCP) on the NIC's handle
 *   TCP4  connections; TCP4_SERVICE_BINDING on the NIC's handle makes them
 *
 * Each layer's driver installs a *service binding* on the NIC's controller
 * handle; CreateChild() makes a new handle carrying one protocol instance
 * (one TCP connection), DestroyChild() takes it down again.
 */
#include <efi.h>
#include <efilib.h>
#include "ip4_config2.h"
#include "keyboard.h"
#include "net.h"
#include "net_internal.h"
#include "nic_driver.h"
#include "text.h"

#define CLOCK_TICK_MS        10          /* the periodic timer behind net_clock_ms */
#define HUNDRED_NS_PER_MS    10000       /* UEFI timers count in 100 ns units */
#define DHCP_TIMEOUT_MS      20000       /* edk2's DHCP takes 3 s or more */
#define DHCP_POLL_MS         100
#define KEY_CHECK_MS         100         /* how often servers look at the keyboard */

int net_errno;
EFI_STATUS net_efi_status;

static EFI_GUID tcp4_service_binding_guid = EFI_TCP4_SERVICE_BINDING_PROTOCOL;
static EFI_GUID ip4_config2_guid = EFI_IP4_CONFIG2_PROTOCOL_GUID;

static volatile UINT64 clock_ticks;
static EFI_EVENT clock_event;
static BOOLEAN started;

EFI_HANDLE net_nic;                               /* the NIC's controller handle */
EFI_SERVICE_BINDING *net_tcp4_service;           /* its TCP4 service binding */
static EFI_IP4_CONFIG2_PROTOCOL *ip4_config;

static const char *const messages[NET_ERROR_COUNT] = {
    [NET_OK]           = "success",
    [NET_EAGAIN]       = "would block (non-blocking socket)",
    [NET_EINPROGRESS]  = "connection in progress",
    [NET_EBADF]        = "not an open socket",
    [NET_EINVAL]       = "invalid argument or socket state",
    [NET_ENOMEM]       = "out of memory",
    [NET_EMFILE]       = "too many open sockets",
    [NET_ENETDOWN]     = "no network interface",
    [NET_ENOADDR]      = "no IPv4 address (DHCP did not answer)",
    [NET_EADDRINUSE]   = "address already in use",
    [NET_ECONNREFUSED] = "connection refused",
    [NET_ECONNRESET]   = "connection reset by peer",
    [NET_ETIMEDOUT]    = "timed out",
    [NET_ENOTCONN]     = "not connected",
    [NET_EPIPE]        = "connection closed",
    [NET_EIO]          = "firmware error",
};

const char *net_strerror(int error)
{
    if (error < 0 || error >= NET_ERROR_COUNT)
        return "unknown error";
    return messages[error];
}

int net_fail(int error)
{
    net_errno = error;
    return -1;
}

int net_fail_efi(EFI_STATUS status)
{
    net_efi_status = status;
    return net_fail(NET_EIO);
}

/* -- the clock ------------------------------------------------------------
 * A periodic timer event whose notify function counts ticks. The firmware
 * runs it from its timer interrupt whenever our code runs at TPL_APPLICATION. */
static VOID EFIAPI clock_tick(EFI_EVENT event, VOID *context)
{
    (void)event;
    (void)context;
    clock_ticks++;
}

void net_init(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
    InitializeLib(image, st);
    if (clock_event)
        return;
    EFI_STATUS status = BS->CreateEvent(EVT_TIMER | EVT_NOTIFY_SIGNAL,
                                        TPL_CALLBACK, clock_tick, NULL, &clock_event);
    if (!EFI_ERROR(status))
        status = BS->SetTimer(clock_event, TimerPeriodic,
                              (UINT64)CLOCK_TICK_MS * HUNDRED_NS_PER_MS);
    if (EFI_ERROR(status))
        Print(L"warning: no clock timer (%r): time limits will not work\n", status);
}

UINT64 net_clock_ms(void)
{
    return clock_ticks * CLOCK_TICK_MS;
}

void net_sleep_ms(UINT32 ms)
{
    EFI_EVENT timer;
    UINTN index;
    if (EFI_ERROR(BS->CreateEvent(EVT_TIMER, 0, NULL, NULL, &timer))) {
        BS->Stall((UINTN)ms * 1000);
        return;
    }
    BS->SetTimer(timer, TimerRelative, (UINT64)ms * HUNDRED_NS_PER_MS);
    BS->WaitForEvent(1, &timer, &index);
    BS->CloseEvent(timer);
}

BOOLEAN net_key_pressed(void)
{
    static UINT64 last_check;
    EFI_INPUT_KEY key;
    UINT64 now = net_clock_ms();
    if (now - last_check < KEY_CHECK_MS && last_check != 0)
        return FALSE;
    last_check = now;
    return keyboard_poll(&key);
}

/* -- addresses ------------------------------------------------------------ */
void net_format_ip(const UINT8 ip[4], char *out)
{
    text_format(out, NET_IP_TEXT, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
}

UINTN net_parse_ip(const char *text, UINT8 ip[4])
{
    UINTN i = 0;
    for (int part = 0; part < 4; part++) {
        UINTN value = 0, digits = 0;
        while (text[i] >= '0' && text[i] <= '9' && digits < 4) {
            value = value * 10 + (text[i++] - '0');
            digits++;
        }
        if (digits == 0 || value > 255)
            return 0;
        ip[part] = (UINT8)value;
        if (part < 3 && text[i++] != '.')
            return 0;
    }
    return i;
}

/* -- start-up --------------------------------------------------------------
 * 1. Find a handle with the TCP4 service binding. OVMF usually connects the
 *    network drivers while it boots; if not, connect every controller (what
 *    the UEFI shell's `connect -r` does) and look again; still none, load
 *    the NIC drivers on the boot volume (nic_driver.c) and look once more.
 * 2. On that handle, IP4_CONFIG2: set the DHCP policy and wait, with a time
 *    limit, until the interface has an address. */
static EFI_STATUS find_tcp4_handles(UINTN *count, EFI_HANDLE **handles)
{
    return BS->LocateHandleBuffer(ByProtocol, &tcp4_service_binding_guid,
                                  NULL, count, handles);
}

static EFI_STATUS interface_info(EFI_IP4_CONFIG2_INTERFACE_INFO **info)
{
    UINTN size = 0;
    EFI_STATUS status = ip4_config->GetData(ip4_config,
                                            Ip4Config2DataTypeInterfaceInfo, &size, NULL);
    if (status != EFI_BUFFER_TOO_SMALL)
        return EFI_ERROR(status) ? status : EFI_PROTOCOL_ERROR;
    *info = AllocateZeroPool(size);
    if (!*info)
        return EFI_OUT_OF_RESOURCES;
    status = ip4_config->GetData(ip4_config,
                                 Ip4Config2DataTypeInterfaceInfo, &size, *info);
    if (EFI_ERROR(status))
        FreePool(*info);
    return status;
}

static BOOLEAN has_address(void)
{
    EFI_IP4_CONFIG2_INTERFACE_INFO *info;
    if (EFI_ERROR(interface_info(&info)))
        return FALSE;
    BOOLEAN yes = info->StationAddress.Addr[0] != 0;
    FreePool(info);
    return yes;
}

static int configure_ipv4(void)
{
    EFI_IP4_CONFIG2_POLICY policy = Ip4Config2PolicyDhcp;
    EFI_STATUS status = ip4_config->SetData(ip4_config,
                                            Ip4Config2DataTypePolicy, sizeof policy, &policy);
    /* EFI_NOT_READY: accepted, DHCP runs in the background.
       EFI_ABORTED: DHCP was already the policy. */
    if (EFI_ERROR(status) && status != EFI_NOT_READY && status != EFI_ABORTED) {
        Print(L"IP4_CONFIG2 refused the DHCP policy: %r\n", status);
        return net_fail_efi(status);
    }
    Print(L"waiting for DHCP (at most %d s)\n", DHCP_TIMEOUT_MS / 1000);
    UINT64 deadline = net_clock_ms() + DHCP_TIMEOUT_MS;
    while (!has_address()) {
        if (net_clock_ms() >= deadline) {
            Print(L"error: no DHCP answer in %d s\n", DHCP_TIMEOUT_MS / 1000);
            return net_fail(NET_ENOADDR);
        }
        net_sleep_ms(DHCP_POLL_MS);
    }
    struct net_info info;
    char ip[NET_IP_TEXT], mask[NET_IP_TEXT];
    net_get_info(&info);
    net_format_ip(info.address.ip, ip);
    net_format_ip(info.netmask, mask);
    Print(L"IP configuration complete: %a/%a\n", ip, mask);
    return 0;
}

int net_start(void)
{
    if (started)
        return 0;
    UINTN count = 0;
    EFI_HANDLE *handles = NULL;
    if (EFI_ERROR(find_tcp4_handles(&count, &handles)) || count == 0) {
        nic_connect_all();
        if (EFI_ERROR(find_tcp4_handles(&count, &handles)) || count == 0) {
            count = 0;                                /* no driver for the NIC? bring one */
            if (nic_driver_load() > 0 && EFI_ERROR(find_tcp4_handles(&count, &handles)))
                count = 0;
        }
        if (count == 0) {
            Print(L"error: no network interface (no TCP4 service binding, even after "
                  L"connecting every driver)\n");
            return net_fail(NET_ENETDOWN);
        }
    }
    net_nic = handles[0];
    FreePool(handles);
    EFI_STATUS status = BS->HandleProtocol(net_nic,
                                           &tcp4_service_binding_guid, (VOID **)&net_tcp4_service);
    if (!EFI_ERROR(status))
        status = BS->HandleProtocol(net_nic, &ip4_config2_guid,
                                    (VOID **)&ip4_config);
    if (EFI_ERROR(status)) {
        Print(L"error: the NIC has no IP4_CONFIG2 protocol: %r\n", status);
        return net_fail_efi(status);
    }
    if (count > 1)
        Print(L"%d network interfaces; using the first\n", count);
    if (configure_ipv4() < 0)
        return -1;
    started = TRUE;
    return 0;
}

int net_get_info(struct net_info *out)
{
    if (!ip4_config)
        return net_fail(NET_ENETDOWN);
    EFI_IP4_CONFIG2_INTERFACE_INFO *info;
    EFI_STATUS status = interface_info(&info);
    if (EFI_ERROR(status))
        return net_fail_efi(status);
    SetMem(out, sizeof *out, 0);
    CopyMem(out->address.ip, info->StationAddress.Addr, 4);
    CopyMem(out->netmask, info->SubnetMask.Addr, 4);
    CopyMem(out->mac, info->HwAddress.Addr, 6);
    /* The default route (0.0.0.0/0) names the gateway DHCP gave. The route
       table follows the structure in the same buffer. */
    for (UINT32 i = 0; info->RouteTable && i < info->RouteTableSize; i++) {
        EFI_IP4_ROUTE_TABLE *route = &info->RouteTable[i];
        UINT32 subnet, gateway;
        CopyMem(&subnet, route->SubnetAddress.Addr, 4);
        CopyMem(&gateway, route->GatewayAddress.Addr, 4);
        if (subnet == 0 && gateway != 0) {
            CopyMem(out->gateway, route->GatewayAddress.Addr, 4);
            out->has_gateway = TRUE;
        }
    }
    FreePool(info);
    return 0;
}
