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
#include "format.h"
#include "text.h"

#define HUNDRED_NS_PER_MS    10000       /* UEFI timers count in 100 ns units */
#define DHCP_TIMEOUT_MS      20000       /* edk2's DHCP takes 3 s or more */
#define DHCP_POLL_MS         100
#define KEY_CHECK_MS         100         /* how often servers and waits look at the keyboard */

int net_errno;
EFI_STATUS net_efi_status;

static EFI_GUID tcp4_service_binding_guid = EFI_TCP4_SERVICE_BINDING_PROTOCOL;
static EFI_GUID ip4_config2_guid = EFI_IP4_CONFIG2_PROTOCOL_GUID;

static UINT64 clock_start_tsc;          /* the TSC at net_init */
static UINT64 clock_tsc_per_ms;         /* TSC ticks in a millisecond; 0: not calibrated */
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
    [NET_EINTR]        = "interrupted (Ctrl-C)",
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
 * The time-stamp counter (TSC), counted in milliseconds. The CPU adds one to
 * it at a fixed rate (the "invariant TSC" of every x86-64 CPU in use); how many
 * ticks make a millisecond is measured once, against the ACPI power-management
 * timer, which counts at 3.579545 MHz on every PC (ACPI spec 4.8.3.3).
 *
 * Why not count the firmware's 10 ms timer interrupts? Each tick is an
 * interrupt the virtual CPU must take. Under QEMU's TCG on a busy host, QEMU's
 * CPU thread does not run for a while, and the ticks due in that time merge
 * into one: the count falls behind (at host load 9, a "5 s" limit took 9 to
 * 12 s). A counter that is read, not counted, loses nothing: under TCG, RDTSC
 * returns the host's own TSC, and QEMU computes the PM timer from the host's
 * clock, so both follow real time however late QEMU runs. In Bochs both follow
 * Bochs's emulated time, and agree with each other there too.
 *
 * Why not Stall()? It waits *at least* as long as asked (UEFI spec 7.5): in
 * QEMU, Stall(20 ms) took from 36 to 150 ms once the shell was running.
 *
 * Where the PM timer is: an I/O port the firmware's ACPI tables name, in the
 * FADT (signature "FACP", ACPI spec 5.2.9), found through the RSDP that UEFI
 * lists in its configuration table, then the XSDT (or, in ACPI 1.0, the RSDT).
 * Without tables (OVMF in Bochs has no fw_cfg to get them from, and installs
 * none), the port is where the firmware put it in the chipset: the PM timer
 * is register 8 of the power-management I/O block, whose base the chipset
 * takes from its PCI configuration space. OVMF programs it on both the
 * machines the course runs, before any application starts.
 */
#define ACPI_PM_TIMER_HZ      3579545
#define ACPI_HEADER_BYTES     36          /* every system description table (5.2.6) */
#define ACPI_LENGTH_OFFSET    4           /* its total length, header included */
#define RSDP_REVISION_OFFSET  15          /* 0: ACPI 1.0 (RSDT only); 2: XSDT too */
#define RSDP_RSDT_OFFSET      16          /* 32-bit address of the RSDT */
#define RSDP_XSDT_OFFSET      24          /* 64-bit address of the XSDT */
#define FADT_PM_TMR_BLK       76          /* 32-bit: the PM timer's I/O port */
#define FADT_FLAGS            112
#define FADT_TMR_VAL_EXT      (1u << 8)   /* the PM timer has 32 bits, else 24 */
#define FADT_X_PM_TMR_BLK     208         /* ACPI 2.0+: the same as a Generic Address */
#define GAS_SYSTEM_IO         1           /* its first byte: the address is an I/O port */
#define GAS_ADDRESS_OFFSET    4
#define GAS_BYTES             12
#define PM_TIMER_MASK_24      0xFFFFFFu
#define PM_TIMER_MASK_32      0xFFFFFFFFu
#define CLOCK_CALIBRATION_MS  50
#define PM_TIMER_REGISTER     8           /* PM1 block: status, enable, control, then the timer */
#define PM_TIMER_MOVE_TRIES   100000      /* reads for a found timer to show it counts */
#define CLOCK_SAMPLE_TRIES    8           /* per end of the calibration: the tightest wins */
#define CLOCK_STALL_US        20000       /* the fallback calibration, without a PM timer */
#define MS_PER_S              1000
#define US_PER_MS             1000

static UINT16 pm_timer_port;            /* 0: no PM timer found */
static UINT32 pm_timer_mask;
static const CHAR16 *clock_source = L"Stall()";

/* The chipsets whose power-management base a program can read from PCI
 * configuration space (bus 0). Both have a 24-bit PM timer. */
struct pm_chipset {
    const CHAR16 *name;
    UINT16 vendor, device;
    UINT8 slot, function;
    UINT8 base_register;                /* the I/O base; bit 0 says "I/O space" */
    UINT16 base_mask;                   /* its address bits */
    UINT8 enable_register, enable_bit;  /* the block answers only when this is set */
};

static const struct pm_chipset pm_chipsets[] = {
    /* Bochs's and QEMU's i440FX: the PIIX4's ACPI function. PMBA (0x40),
     * enabled by PMIOSE, bit 0 of PMREGMISC (0x80). */
    { L"PIIX4 (i440FX)", 0x8086, 0x7113, 1, 3, 0x40, 0xFFC0, 0x80, 0x01 },
    /* QEMU's q35: the ICH9's LPC bridge. PMBASE (0x40), enabled by ACPI_EN,
     * bit 7 of ACPI_CNTL (0x44). */
    { L"ICH9 (q35)", 0x8086, 0x2918, 31, 0, 0x40, 0xFF80, 0x44, 0x80 },
};
#define PCI_VENDOR_DEVICE     0x00        /* configuration register: vendor, then device */

static UINT64 read_tsc(void)
{
    UINT32 low, high;
    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
    return (UINT64)high << 32 | low;
}

static UINT32 read_pm_timer(void)
{
    UINT32 value;
    __asm__ volatile("inl %w1, %0" : "=a"(value) : "Nd"(pm_timer_port));
    return value & pm_timer_mask;
}

/* The FADT from the firmware's ACPI tables, or NULL. The tables are outside
 * input too: every length is checked before what it covers is read. */
static const UINT8 *find_fadt(void)
{
    /* ACPI 2.0 and later, else 1.0 (what OVMF lists in Bochs, for one). */
    EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
    VOID *table = NULL;
    if ((EFI_ERROR(LibGetSystemConfigurationTable(&acpi20, &table)) || !table) &&
        (EFI_ERROR(LibGetSystemConfigurationTable(&acpi10, &table)) || !table))
        return NULL;
    const UINT8 *rsdp = table;
    if (CompareMem(rsdp, "RSD PTR ", 8) != 0)
        return NULL;
    UINT64 root = 0;
    UINT32 entry_bytes;
    if (rsdp[RSDP_REVISION_OFFSET] >= 2) {
        CopyMem(&root, rsdp + RSDP_XSDT_OFFSET, sizeof(UINT64));
        entry_bytes = sizeof(UINT64);
    } else {
        CopyMem(&root, rsdp + RSDP_RSDT_OFFSET, sizeof(UINT32));
        entry_bytes = sizeof(UINT32);
    }
    if (!root)
        return NULL;
    const UINT8 *sdt = (const UINT8 *)(UINTN)root;
    UINT32 length;
    CopyMem(&length, sdt + ACPI_LENGTH_OFFSET, sizeof length);
    if (length < ACPI_HEADER_BYTES)
        return NULL;
    for (UINT32 at = ACPI_HEADER_BYTES; length - at >= entry_bytes; at += entry_bytes) {
        UINT64 address = 0;
        CopyMem(&address, sdt + at, entry_bytes);       /* XSDT entries are not aligned */
        const UINT8 *entry = (const UINT8 *)(UINTN)address;
        if (entry && CompareMem(entry, "FACP", 4) == 0)
            return entry;
    }
    return NULL;
}

/* The PM timer's port from the chipset's PCI configuration, or 0. Through the
 * firmware's PCI root bridge protocol, which owns configuration space. */
static UINT16 pm_timer_from_pci(const CHAR16 **name)
{
    EFI_GUID guid = EFI_PCI_ROOT_BRIDGE_IO_PROTOCOL_GUID;
    EFI_PCI_ROOT_BRIDGE_IO_PROTOCOL *bridge;
    if (EFI_ERROR(LibLocateProtocol(&guid, (VOID **)&bridge)) || !bridge)
        return 0;
    for (UINTN i = 0; i < sizeof pm_chipsets / sizeof pm_chipsets[0]; i++) {
        const struct pm_chipset *chip = &pm_chipsets[i];
        UINT64 at = EFI_PCI_ADDRESS(0, chip->slot, chip->function);
        UINT32 id = 0, base = 0;
        UINT8 enable = 0;
        if (EFI_ERROR(bridge->Pci.Read(bridge, EfiPciIoWidthUint32, at + PCI_VENDOR_DEVICE, 1,
                                       &id)) ||
            id != ((UINT32)chip->device << 16 | chip->vendor))
            continue;
        if (EFI_ERROR(bridge->Pci.Read(bridge, EfiPciIoWidthUint32, at + chip->base_register, 1,
                                       &base)) ||
            EFI_ERROR(bridge->Pci.Read(bridge, EfiPciIoWidthUint8, at + chip->enable_register, 1,
                                       &enable)))
            continue;
        if (!(base & 1) || !(base & chip->base_mask) || !(enable & chip->enable_bit))
            continue;                   /* the firmware left the block off */
        *name = chip->name;
        return (UINT16)((base & chip->base_mask) + PM_TIMER_REGISTER);
    }
    return 0;
}

/* A port read as the PM timer must count: a block that is not decoded reads
 * as all ones, and calibrating against it would never end. */
static BOOLEAN pm_timer_counts(void)
{
    UINT32 first = read_pm_timer();
    for (UINT32 i = 0; i < PM_TIMER_MOVE_TRIES; i++)
        if (read_pm_timer() != first)
            return TRUE;
    return FALSE;
}

/* The second place to look, when the tables name no PM timer. */
static void find_pm_timer_in_chipset(void)
{
    const CHAR16 *chip = NULL;
    UINT16 port = pm_timer_from_pci(&chip);
    if (!port)
        return;
    pm_timer_port = port;
    pm_timer_mask = PM_TIMER_MASK_24;
    if (pm_timer_counts())
        clock_source = chip;
    else
        pm_timer_port = 0;
}

static void find_pm_timer(void)
{
    const UINT8 *fadt = find_fadt();
    UINT32 length, port, flags;
    if (!fadt)
        return;
    CopyMem(&length, fadt + ACPI_LENGTH_OFFSET, sizeof length);
    if (length < FADT_FLAGS + sizeof flags)
        return;
    CopyMem(&port, fadt + FADT_PM_TMR_BLK, sizeof port);
    CopyMem(&flags, fadt + FADT_FLAGS, sizeof flags);
    if (port == 0 && length >= FADT_X_PM_TMR_BLK + GAS_BYTES &&
        fadt[FADT_X_PM_TMR_BLK] == GAS_SYSTEM_IO) {
        UINT64 x_port;
        CopyMem(&x_port, fadt + FADT_X_PM_TMR_BLK + GAS_ADDRESS_OFFSET, sizeof x_port);
        port = x_port <= 0xFFFF ? (UINT32)x_port : 0;
    }
    if (port == 0 || port > 0xFFFF)
        return;
    pm_timer_port = (UINT16)port;
    pm_timer_mask = flags & FADT_TMR_VAL_EXT ? PM_TIMER_MASK_32 : PM_TIMER_MASK_24;
    clock_source = L"ACPI's FADT";
}

/* A PM timer reading and the TSC at the same moment: of a few tries, the one
 * with the fewest TSC ticks between its two RDTSCs, taken at their middle. */
static void sample_clocks(UINT32 *pm, UINT64 *tsc)
{
    UINT64 tightest = ~0ull;
    for (int i = 0; i < CLOCK_SAMPLE_TRIES; i++) {
        UINT64 before = read_tsc();
        UINT32 value = read_pm_timer();
        UINT64 after = read_tsc();
        if (after - before < tightest) {
            tightest = after - before;
            *pm = value;
            *tsc = before + (after - before) / 2;
        }
    }
}

/* TSC ticks per millisecond, over CLOCK_CALIBRATION_MS of the PM timer. The
 * host may hold QEMU back in the middle: both clocks go on, so that costs
 * nothing. (A hold longer than the PM timer's wrap, 4.7 s for 24 bits, would:
 * the calibration lasts 50 ms, so it is not guarded against.) */
static UINT64 calibrate_with_pm_timer(void)
{
    const UINT32 span = (UINT32)((UINT64)ACPI_PM_TIMER_HZ * CLOCK_CALIBRATION_MS / MS_PER_S);
    UINT32 pm_start, pm_end;
    UINT64 tsc_start, tsc_end;
    sample_clocks(&pm_start, &tsc_start);
    while (((read_pm_timer() - pm_start) & pm_timer_mask) < span)
        ;
    sample_clocks(&pm_end, &tsc_end);
    UINT32 pm_ticks = (pm_end - pm_start) & pm_timer_mask;
    return (tsc_end - tsc_start) * ACPI_PM_TIMER_HZ / ((UINT64)pm_ticks * MS_PER_S);
}

/* Without a PM timer: Stall() never waits less than asked, so the shortest of
 * a few is the closest. */
static UINT64 calibrate_with_stall(void)
{
    UINT64 best = 0;
    for (int i = 0; i < CLOCK_SAMPLE_TRIES; i++) {
        UINT64 before = read_tsc();
        BS->Stall((UINTN)CLOCK_STALL_US);
        UINT64 ticks = read_tsc() - before;
        if (best == 0 || ticks < best)
            best = ticks;
    }
    return best / (CLOCK_STALL_US / US_PER_MS);
}

void net_init(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
    InitializeLib(image, st);
    if (clock_tsc_per_ms)
        return;
    find_pm_timer();
    if (!pm_timer_port)
        find_pm_timer_in_chipset();
    if (pm_timer_port) {
        clock_tsc_per_ms = calibrate_with_pm_timer();
    } else {
        Print(L"warning: no ACPI PM timer, in the tables or the chipset: the clock is "
              L"calibrated against Stall() and may run slow\n");
        clock_tsc_per_ms = calibrate_with_stall();
    }
    clock_start_tsc = read_tsc();
    if (clock_tsc_per_ms == 0)
        Print(L"warning: the TSC does not advance: time limits will not work\n");
}

UINT64 net_clock_ms(void)
{
    if (clock_tsc_per_ms == 0)
        return 0;
    return (read_tsc() - clock_start_tsc) / clock_tsc_per_ms;
}

UINT64 net_clock_tsc_per_ms(void)
{
    return clock_tsc_per_ms;
}

const CHAR16 *net_clock_source(void)
{
    return clock_source;
}

UINT16 net_clock_pm_timer_port(void)
{
    return pm_timer_port;
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

/* TRUE at most once every KEY_CHECK_MS for each *last_check: the firmware's
   keyboard is asked that often, not on every call. */
static BOOLEAN time_to_look(UINT64 *last_check)
{
    UINT64 now = net_clock_ms();
    if (now - *last_check < KEY_CHECK_MS && *last_check != 0)
        return FALSE;
    *last_check = now;
    return TRUE;
}

BOOLEAN net_key_pressed(void)
{
    static UINT64 last_check;
    EFI_INPUT_KEY key;
    return time_to_look(&last_check) && keyboard_poll(&key);
}

BOOLEAN net_interrupted(void)
{
    static UINT64 last_check;
    return time_to_look(&last_check) && keyboard_ctrl_c();
}

/* -- addresses ------------------------------------------------------------ */
void net_format_ip(const UINT8 ip[4], char *out)
{
    snprintf(out, NET_IP_TEXT, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
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
    /* The limit is counted in the firmware's own timer time (net_sleep_ms
       waits on a timer event), not by net_clock_ms: DHCP's retransmissions
       run on those timer events too. Where the two clocks disagree (Bochs
       skips ahead while the CPU halts, its TSC does not) a limit on the TSC
       clock can end before DHCP had the time it is promised. */
    for (UINT32 waited = 0; !has_address(); waited += DHCP_POLL_MS) {
        if (waited >= DHCP_TIMEOUT_MS) {
            Print(L"error: no DHCP answer in %d s\n", DHCP_TIMEOUT_MS / 1000);
            return net_fail(NET_ENOADDR);
        }
        if (net_interrupted()) {        /* DHCP goes on; `ip` again waits anew */
            Print(L"error: stopped waiting for DHCP: %a\n", net_strerror(NET_EINTR));
            return net_fail(NET_EINTR);
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
