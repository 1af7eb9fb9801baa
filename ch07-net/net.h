/*
 * net.h -- a small BSD-style sockets library on the UEFI TCP4 protocol.
 *
 * net.c      start-up: find the NIC, configure IPv4 (DHCP), a millisecond
 *            clock, error codes and their messages
 * socket.c   TCP sockets: net_socket ... net_close, and net_select
 *
 * Calls follow the POSIX habit: a result >= 0 is success, -1 is failure
 * with the reason in net_errno (one of the NET_E* codes below), which
 * net_strerror() turns into a sentence. Sockets are small integers.
 *
 * Everything runs at TPL_APPLICATION on one CPU. The firmware's completion
 * events only set flags (see socket.c); the library does the work when the
 * program calls it, and calls Poll() inside every wait.
 */
#ifndef NET_H
#define NET_H

#include <efi.h>

/* -- errors ------------------------------------------------------------- */
enum net_error {
    NET_OK = 0,
    NET_EAGAIN,         /* non-blocking: nothing to do now, try again */
    NET_EINPROGRESS,    /* non-blocking connect started; select for writing */
    NET_EBADF,          /* not an open socket */
    NET_EINVAL,         /* bad argument or wrong state for the call */
    NET_ENOMEM,         /* out of memory (firmware pool) */
    NET_EMFILE,         /* every socket slot in use */
    NET_ENETDOWN,       /* no network interface */
    NET_ENOADDR,        /* the interface has no IPv4 address (DHCP failed) */
    NET_EADDRINUSE,     /* the port is taken */
    NET_ECONNREFUSED,   /* nobody listens there (user-mode networking: a reset) */
    NET_ECONNRESET,     /* the peer aborted the connection */
    NET_ETIMEDOUT,      /* one of our own timeouts ran out */
    NET_EINTR,          /* Ctrl-C on the console while a blocking call waited */
    NET_ENOTCONN,       /* not connected */
    NET_EPIPE,          /* sending after the connection ended */
    NET_EIO,            /* the firmware said something else: see net_efi_status */
    NET_ERROR_COUNT
};

extern int net_errno;
extern EFI_STATUS net_efi_status;      /* the firmware's status behind the last NET_EIO */
const char *net_strerror(int error);

/* -- start-up and the clock --------------------------------------------- */
struct net_addr {
    UINT8  ip[4];                  /* network order: 10.0.2.15 is {10, 0, 2, 15} */
    UINT16 port;                   /* host order */
};

struct net_info {
    struct net_addr address;       /* port unused */
    UINT8 netmask[4];
    UINT8 gateway[4];
    UINT8 mac[6];
    BOOLEAN has_gateway;
};

/* Once per program: the clock and the console. */
void net_init(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);
/* Find the NIC and get an address by DHCP (only the first call does work). */
int net_start(void);
int net_get_info(struct net_info *info);
/* Milliseconds since net_init, from the TSC (net.c says why not timer ticks). */
UINT64 net_clock_ms(void);
/* The TSC ticks in one millisecond, as net_init measured them (0: not yet). */
UINT64 net_clock_tsc_per_ms(void);
/* What the TSC was measured against: ACPI's FADT, a chipset's PM timer, or
 * Stall(); and the PM timer's I/O port (0: none). */
const CHAR16 *net_clock_source(void);
UINT16 net_clock_pm_timer_port(void);
/* Sleep, letting the firmware's timers run (DHCP, TCP retransmits). */
void net_sleep_ms(UINT32 ms);
/* "10.0.2.15" into out, which holds NET_IP_TEXT bytes. */
#define NET_IP_TEXT 16                 /* "255.255.255.255" and its NUL */
void net_format_ip(const UINT8 ip[4], char *out);
/* Parse "A.B.C.D"; returns the characters used, 0 if it is not an address. */
UINTN net_parse_ip(const char *text, UINT8 ip[4]);

/* A key pressed on the console (screen keyboard or serial): servers stop on it. */
BOOLEAN net_key_pressed(void);
/* Ctrl-C typed on the console: blocking socket calls then fail with NET_EINTR.
   Other keys typed meanwhile are kept for the shell (keyboard_ctrl_c). */
BOOLEAN net_interrupted(void);

/* -- sockets (socket.c) -------------------------------------------------- */
#define NET_MAX_SOCKETS 64         /* also the size of a net_fd_set, in bits */

/* Our own time limits, in milliseconds; 0 means wait for ever. */
#define NET_CONNECT_TIMEOUT_MS 10000
#define NET_SEND_TIMEOUT_MS    10000
#define NET_RECV_TIMEOUT_MS    10000

int  net_socket(void);
int  net_bind(int s, UINT16 port);
int  net_listen(int s, UINTN backlog);
int  net_accept(int s, struct net_addr *peer);
int  net_connect(int s, const struct net_addr *to);
INTN net_send(int s, const void *data, UINTN length);
int  net_sendall(int s, const void *data, UINTN length);
INTN net_recv(int s, void *buffer, UINTN length);    /* 0: the peer closed (FIN) */
int  net_close(int s);
int  net_set_blocking(int s, BOOLEAN blocking);
enum net_timeout { NET_TIMEOUT_CONNECT, NET_TIMEOUT_SEND, NET_TIMEOUT_RECV };
int  net_set_timeout(int s, enum net_timeout which, UINT32 ms);
/* The error a failed non-blocking connect ended with (SO_ERROR); 0 if none. */
int  net_socket_error(int s);
int  net_peer(int s, struct net_addr *peer);

typedef struct { UINT64 bits; } net_fd_set;
#define NET_FD_ZERO(set)     ((set)->bits = 0)
#define NET_FD_SET(s, set)   ((set)->bits |= 1ULL << (s))
#define NET_FD_CLR(s, set)   ((set)->bits &= ~(1ULL << (s)))
#define NET_FD_ISSET(s, set) (((set)->bits >> (s)) & 1)
_Static_assert(NET_MAX_SOCKETS <= 64, "a net_fd_set holds 64 sockets");

/* Wait until a socket in `readable` can be read (data, end of file, an error
   or a connection to accept) or one in `writable` can be written, or until
   timeout_ms passes (-1: no limit, 0: just look). The sets are narrowed to
   the ready sockets; returns how many there are, 0 on timeout. */
int net_select(net_fd_set *readable, net_fd_set *writable, INT64 timeout_ms);

/* Poll the NIC and move every socket's outstanding work on. */
void net_poll(void);
/* Poll until the firmware has nothing more to deliver to socket s (or its
   queue is full): call it before work on received bytes (a hash), so that
   work runs while the sender has nothing in flight to us, not in front of
   frames that are already waiting (socket.c explains why). */
void net_drain(int s);
/* Finish the graceful closes still under way (each at most NET_LINGER_MS). */
void net_finish_closes(void);

#endif
