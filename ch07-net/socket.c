/*
 * socket.c -- TCP sockets and select() on EFI_TCP4_PROTOCOL (UEFI 2.10, 28.1).
 *
 * The firmware's TCP is asynchronous: Connect, Accept, Transmit, Receive and
 * Close each take a *token* holding an event, return at once, and signal the
 * event when the work is done. Sockets are synchronous and can be asked
 * "would a read block?" without reading. The two fit together like this:
 *
 *  - A token is done when its Status says so: token_prepare sets it to
 *    EFI_NOT_READY, and the driver writes its own before it signals the
 *    event. The events have no notify function: nothing waits on them, every
 *    wait polls, and the work is never done from the firmware's own timer
 *    callbacks, where calling back into the TCP driver is not allowed.
 *  - net_poll() calls Poll() (so frames are picked up now, not on the
 *    firmware's 10 ms timer) and then moves each socket on: a finished
 *    Receive's bytes, which the firmware wrote straight into the socket's
 *    queue, are counted in and the next Receive is posted; a finished
 *    Accept's new connection goes into the accept queue.
 *  - One Receive is always outstanding on a connected socket (unless its
 *    queue is full), so data arrives while the program does something else,
 *    and select() answers "readable" by looking at the queue, without
 *    taking data from anyone.
 *  - Every wait (connect, send, recv, accept, select) loops over net_poll()
 *    with a deadline of our own: the firmware's connect timeout is minutes.
 *  - close() of a connection starts a graceful Close (FIN) and returns; the
 *    library finishes it on later polls, and at most NET_LINGER_MS later
 *    destroys the child and frees every event and buffer.
 */
#include <efi.h>
#include <efilib.h>
#include "net.h"
#include "net_internal.h"

#define RX_CHUNK      (64 * 1024)   /* the room one outstanding Receive is given */
#define RX_QUEUE      (256 * 1024)  /* received bytes waiting for net_recv() */
#define TX_BUFFER     (64 * 1024)   /* the copy one Transmit sends from */
#define ACCEPT_QUEUE  8             /* accepted connections waiting for net_accept() */
#define NET_LINGER_MS 3000          /* how long a graceful close may take */
#define IP_TTL        64
/* net_drain: at most this many polls (each moves at most one frame), so a
   sender that never pauses cannot keep the program from its own work. */
#define DRAIN_POLLS_MAX 64

static EFI_GUID tcp4_guid = EFI_TCP4_PROTOCOL;

enum sock_state {
    SOCK_FREE,
    SOCK_NEW,           /* a TCP4 child exists, not configured yet */
    SOCK_CONNECTING,    /* Connect token outstanding */
    SOCK_CONNECTED,
    SOCK_LISTENING,     /* passive, Accept token outstanding */
    SOCK_FAILED,        /* connect failed or timed out: only close is left */
    SOCK_CLOSING,       /* closed by the program, FIN handshake under way */
};

/* A token's event and what we know about it. */
struct token_event {
    EFI_EVENT event;                /* the firmware signals it; no one waits on it */
    BOOLEAN pending;                /* handed to the firmware, not yet seen done */
    volatile EFI_STATUS *status;    /* the token's Status: EFI_NOT_READY until done */
};

/* A Receive's data with room for two fragments. EFI_TCP4_RECEIVE_DATA ends
   with FragmentTable[1], and the firmware reads as many entries as
   FragmentCount says: the second is the one right after the structure. */
struct receive_data {
    EFI_TCP4_RECEIVE_DATA data;
    EFI_TCP4_FRAGMENT_DATA wrapped;         /* FragmentTable[1] */
};
_Static_assert(__builtin_offsetof(struct receive_data, wrapped) ==
               __builtin_offsetof(EFI_TCP4_RECEIVE_DATA, FragmentTable[1]),
               "the second fragment must follow the first");

struct sock {
    enum sock_state state;
    BOOLEAN blocking;
    BOOLEAN close_started;
    EFI_HANDLE child;
    EFI_TCP4 *tcp;
    UINT16 port;
    struct net_addr peer;
    int error;                      /* sticky: what ended the connection */
    EFI_STATUS efi_status;          /* the firmware's words when error is NET_EIO */
    BOOLEAN eof;                    /* the peer's FIN arrived */
    UINT32 timeout[3];              /* enum net_timeout -> ms */
    UINT64 linger_deadline;
    UINTN backlog;

    EFI_TCP4_CONNECTION_TOKEN connect_token;
    struct token_event connect;
    EFI_TCP4_LISTEN_TOKEN accept_token;
    struct token_event accept;
    EFI_HANDLE accepted[ACCEPT_QUEUE];
    UINTN accepted_count;
    EFI_TCP4_IO_TOKEN rx_token;
    struct receive_data rx_data;
    struct token_event rx;
    UINT8 *queue;                   /* ring of RX_QUEUE bytes; Receive writes into it */
    UINTN queue_head, queue_length;
    EFI_TCP4_IO_TOKEN tx_token;
    EFI_TCP4_TRANSMIT_DATA tx_data;
    struct token_event tx;
    UINT8 *tx_buffer;
    EFI_TCP4_CLOSE_TOKEN close_token;
    struct token_event close;

    struct sock *next_closing;
};

static struct sock *table[NET_MAX_SOCKETS];   /* socket number -> socket */
static struct sock *closing;                  /* closed by the program, not yet freed */

static EFI_STATUS token_prepare(struct token_event *t, EFI_TCP4_COMPLETION_TOKEN *token)
{
    if (!t->event) {
        EFI_STATUS status = BS->CreateEvent(0, 0, NULL, NULL, &t->event);
        if (EFI_ERROR(status))
            return status;
    }
    token->Event = t->event;
    token->Status = EFI_NOT_READY;      /* the firmware writes its own when it is done */
    t->status = &token->Status;
    t->pending = TRUE;
    return EFI_SUCCESS;
}

/* True once, when an outstanding token has completed. The driver fills in
   the token (a Receive's length, an Accept's new child), then writes Status. */
static BOOLEAN token_finished(struct token_event *t)
{
    if (!t->pending || *t->status == EFI_NOT_READY)
        return FALSE;
    t->pending = FALSE;
    return TRUE;
}

static BOOLEAN tcp_closed(struct sock *s)
{
    EFI_TCP4_CONNECTION_STATE state;
    return !EFI_ERROR(s->tcp->GetModeData(s->tcp, &state, NULL, NULL, NULL,
                                          NULL)) && state == Tcp4StateClosed;
}

/* What the firmware's status means for socket s. A status we do not map is
   kept in s, so that reporting s's error later shows it (sock_fail). */
static int io_error(struct sock *s, EFI_STATUS status)
{
    if (status == EFI_CONNECTION_RESET)
        return NET_ECONNRESET;
    /* A reset that arrives with no Receive outstanding (say, in the same
       Poll as the data before it) closes the connection at once; the next
       Receive or Transmit is then refused with EFI_ACCESS_DENIED and never
       hears of the reset. A connection we hold that the driver calls
       closed was reset (or aborted by the driver's own retransmit limit). */
    if (status == EFI_ACCESS_DENIED && s->state == SOCK_CONNECTED && tcp_closed(s))
        return NET_ECONNRESET;
    if (status == EFI_CONNECTION_FIN)
        return NET_EPIPE;
    if (status == EFI_TIMEOUT)
        return NET_ETIMEDOUT;
    if (status == EFI_NO_MAPPING)
        return NET_ENOADDR;
    s->efi_status = status;
    net_efi_status = status;
    return NET_EIO;
}

/* Fail with s's sticky error (and, for NET_EIO, its firmware status). */
static int sock_fail(struct sock *s)
{
    net_efi_status = s->efi_status;
    return net_fail(s->error);
}

/* -- life and death of a socket ---------------------------------------------- */
static int slot_for(struct sock *s)
{
    for (int i = 0; i < NET_MAX_SOCKETS; i++) {
        if (!table[i]) {
            table[i] = s;
            return i;
        }
    }
    return -1;
}

static struct sock *lookup(int fd)
{
    if (fd < 0 || fd >= NET_MAX_SOCKETS || !table[fd]) {
        net_fail(NET_EBADF);
        return NULL;
    }
    return table[fd];
}

static void free_buffer(UINT8 **buffer)
{
    if (*buffer)
        FreePool(*buffer);
    *buffer = NULL;
}

/* Destroy the TCP4 child (the driver aborts the connection and flushes every
   token still outstanding), then free the events and the buffers. */
static void sock_release(struct sock *s)
{
    for (UINTN i = 0; i < s->accepted_count; i++)
        net_tcp4_service->DestroyChild(net_tcp4_service, s->accepted[i]);
    if (s->child) {
        EFI_STATUS status = net_tcp4_service->DestroyChild(net_tcp4_service, s->child);
        if (EFI_ERROR(status)) {
            /* The firmware may still write into our tokens and buffers:
               leaking them is safe, freeing them is not. */
            Print(L"warning: DestroyChild failed (%r): a socket's memory is leaked\n", status);
            return;
        }
    }
    struct token_event *events[] = { &s->connect, &s->accept, &s->rx, &s->tx, &s->close };
    for (UINTN i = 0; i < sizeof events / sizeof events[0]; i++)
        if (events[i]->event)
            BS->CloseEvent(events[i]->event);
    free_buffer(&s->queue);
    free_buffer(&s->tx_buffer);
    FreePool(s);
}

static struct sock *sock_new(void)
{
    struct sock *s = AllocateZeroPool(sizeof *s);
    if (!s)
        return NULL;
    s->state = SOCK_NEW;
    s->blocking = TRUE;
    s->timeout[NET_TIMEOUT_CONNECT] = NET_CONNECT_TIMEOUT_MS;
    s->timeout[NET_TIMEOUT_SEND] = NET_SEND_TIMEOUT_MS;
    s->timeout[NET_TIMEOUT_RECV] = NET_RECV_TIMEOUT_MS;
    return s;
}

static int alloc_stream_buffers(struct sock *s)
{
    s->queue = AllocatePool(RX_QUEUE);
    s->tx_buffer = AllocatePool(TX_BUFFER);
    if (!s->queue || !s->tx_buffer)
        return net_fail(NET_ENOMEM);
    return 0;
}

int net_socket(void)
{
    if (net_start() < 0)
        return -1;
    struct sock *s = sock_new();
    if (!s)
        return net_fail(NET_ENOMEM);
    EFI_STATUS status = net_tcp4_service->CreateChild(net_tcp4_service,
                                                      &s->child);
    if (!EFI_ERROR(status))
        status = BS->HandleProtocol(s->child, &tcp4_guid, (VOID **)&s->tcp);
    if (EFI_ERROR(status)) {
        sock_release(s);
        return net_fail_efi(status);
    }
    int fd = slot_for(s);
    if (fd < 0) {
        sock_release(s);
        return net_fail(NET_EMFILE);
    }
    return fd;
}

/* -- moving a socket on: called from net_poll() for every socket ------------- */

/* Bytes in bulk: the firmware's CopyMem moves eight at a time. gnu-efi's
   CopyMem moves one at a time, and under TCG every load and store of the
   guest is a lookup in QEMU's software TLB. */
static void copy_bytes(VOID *to, const VOID *from, UINTN length)
{
    BS->CopyMem(to, (VOID *)from, length);
}

static UINTN queue_take(struct sock *s, UINT8 *out, UINTN length)
{
    UINTN n = length < s->queue_length ? length : s->queue_length;
    UINTN first = RX_QUEUE - s->queue_head < n ? RX_QUEUE - s->queue_head : n;
    copy_bytes(out, s->queue + s->queue_head, first);
    copy_bytes(out + first, s->queue, n - first);
    s->queue_head = (s->queue_head + n) % RX_QUEUE;
    s->queue_length -= n;
    return n;
}

/* Keep one Receive outstanding while there is room to queue what it brings.
   The firmware writes straight into the ring's free space, the part of it
   the program does not read: up to RX_CHUNK bytes from the ring's tail, in
   two fragments when that room wraps around the ring's end. No copy: on
   completion the bytes are already queued. */
static void start_receive(struct sock *s)
{
    if (s->state != SOCK_CONNECTED || s->rx.pending || s->eof || s->error)
        return;
    if (RX_QUEUE - s->queue_length < RX_CHUNK)
        return;                     /* the program must read first: flow control */
    UINTN tail = (s->queue_head + s->queue_length) % RX_QUEUE;
    UINTN first = RX_QUEUE - tail < RX_CHUNK ? RX_QUEUE - tail : RX_CHUNK;
    EFI_TCP4_RECEIVE_DATA *rx = &s->rx_data.data;
    rx->UrgentFlag = FALSE;
    rx->DataLength = RX_CHUNK;
    rx->FragmentCount = first < RX_CHUNK ? 2 : 1;
    rx->FragmentTable[0].FragmentLength = (UINT32)first;
    rx->FragmentTable[0].FragmentBuffer = s->queue + tail;
    s->rx_data.wrapped.FragmentLength = (UINT32)(RX_CHUNK - first);
    s->rx_data.wrapped.FragmentBuffer = s->queue;
    s->rx_token.Packet.RxData = rx;
    EFI_STATUS status = token_prepare(&s->rx, &s->rx_token.CompletionToken);
    if (!EFI_ERROR(status))
        status = s->tcp->Receive(s->tcp, &s->rx_token);
    if (EFI_ERROR(status)) {
        s->rx.pending = FALSE;
        if (status == EFI_CONNECTION_FIN)
            s->eof = TRUE;
        else
            s->error = io_error(s, status);
    }
}

static void start_accept(struct sock *s)
{
    if (s->state != SOCK_LISTENING || s->accept.pending || s->accepted_count >= s->backlog)
        return;
    EFI_STATUS status = token_prepare(&s->accept, &s->accept_token.CompletionToken);
    if (!EFI_ERROR(status))
        status = s->tcp->Accept(s->tcp, &s->accept_token);
    if (EFI_ERROR(status)) {
        s->accept.pending = FALSE;
        s->error = io_error(s, status);
    }
}

static void sock_progress(struct sock *s)
{
    if (token_finished(&s->connect) && s->state == SOCK_CONNECTING) {
        EFI_STATUS status = s->connect_token.CompletionToken.Status;
        if (!EFI_ERROR(status)) {
            s->state = SOCK_CONNECTED;
        } else {
            s->state = SOCK_FAILED;
            /* Under QEMU's user networking a closed port answers with a reset. */
            s->error = (status == EFI_CONNECTION_RESET || status == EFI_CONNECTION_REFUSED)
                           ? NET_ECONNREFUSED : io_error(s, status);
        }
    }
    if (token_finished(&s->rx)) {
        EFI_STATUS status = s->rx_token.CompletionToken.Status;
        if (!EFI_ERROR(status))
            s->queue_length += s->rx_data.data.DataLength;  /* written in place */
        else if (status == EFI_CONNECTION_FIN)
            s->eof = TRUE;
        else if (!s->error)
            s->error = io_error(s, status);
    }
    if (token_finished(&s->tx)) {
        EFI_STATUS status = s->tx_token.CompletionToken.Status;
        if (EFI_ERROR(status) && !s->error)
            s->error = io_error(s, status);
    }
    if (token_finished(&s->accept)) {
        EFI_STATUS status = s->accept_token.CompletionToken.Status;
        if (!EFI_ERROR(status))
            s->accepted[s->accepted_count++] = s->accept_token.NewChildHandle;
        else if (!s->error && s->state == SOCK_LISTENING)
            s->error = io_error(s, status);
    }
    start_receive(s);
    start_accept(s);
}

/* A closed connection: wait for the last Transmit, send FIN (Close), and free
   everything when the firmware says the connection is done, or at the
   linger deadline. Returns TRUE when the socket is gone. */
static BOOLEAN closing_progress(struct sock *s)
{
    sock_progress(s);
    BOOLEAN late = net_clock_ms() >= s->linger_deadline;
    if (!s->close_started && (!s->tx.pending || late)) {
        s->close_token.AbortOnClose = s->error != 0 || late;
        EFI_STATUS status = token_prepare(&s->close, &s->close_token.CompletionToken);
        if (!EFI_ERROR(status))
            status = s->tcp->Close(s->tcp, &s->close_token);
        if (EFI_ERROR(status)) {
            s->close.pending = FALSE;
            late = TRUE;
        }
        s->close_started = TRUE;
    }
    BOOLEAN done = token_finished(&s->close);
    if (!done && s->close_started) {
        /* TIME_WAIT only keeps the port from being reused: nothing left to deliver. */
        EFI_TCP4_CONNECTION_STATE state;
        if (!EFI_ERROR(s->tcp->GetModeData(s->tcp, &state, NULL, NULL,
                                           NULL, NULL)))
            done = state == Tcp4StateTimeWait || state == Tcp4StateClosed;
    }
    if (done || late) {
        sock_release(s);
        return TRUE;
    }
    return FALSE;
}

static EFI_TCP4 *any_configured_tcp(void)
{
    for (int i = 0; i < NET_MAX_SOCKETS; i++)
        if (table[i] && table[i]->state != SOCK_NEW && table[i]->state != SOCK_FAILED)
            return table[i]->tcp;
    return closing ? closing->tcp : NULL;
}

void net_poll(void)
{
    /* Every TCP4 instance sits on the same IP4 and MNP: polling one drains the NIC. */
    EFI_TCP4 *tcp = any_configured_tcp();
    if (tcp)
        tcp->Poll(tcp);
    for (int i = 0; i < NET_MAX_SOCKETS; i++)
        if (table[i])
            sock_progress(table[i]);
    for (struct sock **link = &closing; *link;) {
        struct sock *s = *link, *next = s->next_closing;
        if (closing_progress(s))            /* s is freed */
            *link = next;
        else
            link = &s->next_closing;
    }
}

/* The firmware moves one frame per Poll(), and each Receive completes with
   one segment. ACKs go out only from polls, and QEMU's user network keeps at
   most 64 KiB in flight (no window scaling): while the program hashes a
   segment with frames waiting, the sender waits too. Draining first sends
   the ACKs for everything that has arrived, and the program's own work then
   runs while the next frames are on their way. */
void net_drain(int fd)
{
    struct sock *s = lookup(fd);
    if (!s)
        return;
    for (int i = 0; i < DRAIN_POLLS_MAX && s->state == SOCK_CONNECTED; i++) {
        UINTN before = s->queue_length;
        net_poll();
        if (s->queue_length == before)
            break;                  /* nothing arrived: the firmware has nothing more */
    }
}

void net_finish_closes(void)
{
    while (closing)
        net_poll();
}

/* Wait until ready(s), the socket's timeout `which` runs out, or Ctrl-C. */
static int sock_wait(struct sock *s, BOOLEAN (*ready)(struct sock *), enum net_timeout which)
{
    UINT32 limit = s->timeout[which];
    UINT64 deadline = net_clock_ms() + limit;
    for (;;) {
        net_poll();
        if (net_interrupted())
            return net_fail(NET_EINTR);
        if (ready(s))
            return 0;
        if (limit && net_clock_ms() >= deadline)
            return net_fail(NET_ETIMEDOUT);
    }
}

/* -- the calls --------------------------------------------------------------- */
static EFI_STATUS configure(struct sock *s, BOOLEAN active)
{
    EFI_TCP4_CONFIG_DATA config;
    SetMem(&config, sizeof config, 0);
    config.TimeToLive = IP_TTL;
    config.AccessPoint.UseDefaultAddress = TRUE;    /* the address DHCP gave */
    config.AccessPoint.StationPort = s->port;       /* 0: the driver picks one */
    config.AccessPoint.ActiveFlag = active;
    if (active) {
        CopyMem(config.AccessPoint.RemoteAddress.Addr, s->peer.ip, 4);
        config.AccessPoint.RemotePort = s->peer.port;
    }
    /* NULL, not a zeroed EFI_TCP4_OPTION: zero would turn off window scaling
       and shrink the buffers. NULL keeps the driver's defaults. */
    config.ControlOption = NULL;
    return s->tcp->Configure(s->tcp, &config);
}

static int configure_error(EFI_STATUS status)
{
    if (status == EFI_NO_MAPPING)
        return net_fail(NET_ENOADDR);
    if (status == EFI_ACCESS_DENIED)
        return net_fail(NET_EADDRINUSE);
    return net_fail_efi(status);
}

int net_bind(int fd, UINT16 port)
{
    struct sock *s = lookup(fd);
    if (!s)
        return -1;
    if (s->state != SOCK_NEW)
        return net_fail(NET_EINVAL);
    s->port = port;
    return 0;
}

int net_listen(int fd, UINTN backlog)
{
    struct sock *s = lookup(fd);
    if (!s)
        return -1;
    if (s->state != SOCK_NEW || s->port == 0)
        return net_fail(NET_EINVAL);
    EFI_STATUS status = configure(s, FALSE);
    if (EFI_ERROR(status))
        return configure_error(status);
    s->backlog = backlog == 0 ? 1 : backlog > ACCEPT_QUEUE ? ACCEPT_QUEUE : backlog;
    s->state = SOCK_LISTENING;
    start_accept(s);
    if (s->error)
        return sock_fail(s);
    return 0;
}

static BOOLEAN has_connection(struct sock *s)
{
    return s->accepted_count > 0 || s->error;
}

/* Wrap a connection the firmware accepted into a socket of our own. */
static int adopt(EFI_HANDLE child, struct net_addr *peer)
{
    struct sock *s = sock_new();
    if (!s) {
        net_tcp4_service->DestroyChild(net_tcp4_service, child);
        return net_fail(NET_ENOMEM);
    }
    s->child = child;
    /* GetModeData copies the TCP options to config.ControlOption if that is
       not NULL: an uninitialised pointer there lets the firmware write 60
       bytes anywhere. */
    EFI_TCP4_CONFIG_DATA config;
    SetMem(&config, sizeof config, 0);
    config.ControlOption = NULL;
    EFI_STATUS status = BS->HandleProtocol(child, &tcp4_guid,
                                           (VOID **)&s->tcp);
    if (!EFI_ERROR(status))
        status = s->tcp->GetModeData(s->tcp, NULL, &config, NULL, NULL,
                                     NULL);
    if (EFI_ERROR(status)) {
        sock_release(s);
        return net_fail_efi(status);
    }
    CopyMem(s->peer.ip, config.AccessPoint.RemoteAddress.Addr, 4);
    s->peer.port = config.AccessPoint.RemotePort;
    s->port = config.AccessPoint.StationPort;
    if (alloc_stream_buffers(s) < 0) {
        sock_release(s);
        return -1;
    }
    int fd = slot_for(s);
    if (fd < 0) {
        sock_release(s);
        return net_fail(NET_EMFILE);
    }
    s->state = SOCK_CONNECTED;
    start_receive(s);
    if (peer)
        *peer = s->peer;
    return fd;
}

int net_accept(int fd, struct net_addr *peer)
{
    struct sock *s = lookup(fd);
    if (!s)
        return -1;
    if (s->state != SOCK_LISTENING)
        return net_fail(NET_EINVAL);
    net_poll();
    if (!has_connection(s)) {
        if (!s->blocking)
            return net_fail(NET_EAGAIN);
        if (sock_wait(s, has_connection, NET_TIMEOUT_RECV) < 0)
            return -1;
    }
    if (s->accepted_count == 0)
        return sock_fail(s);
    EFI_HANDLE child = s->accepted[0];
    s->accepted_count--;
    CopyMem(s->accepted, s->accepted + 1, s->accepted_count * sizeof s->accepted[0]);
    start_accept(s);
    return adopt(child, peer);
}

static BOOLEAN connect_done(struct sock *s)
{
    return s->state != SOCK_CONNECTING;
}

int net_connect(int fd, const struct net_addr *to)
{
    struct sock *s = lookup(fd);
    if (!s)
        return -1;
    if (s->state == SOCK_CONNECTING)
        return net_fail(NET_EINPROGRESS);
    if (s->state != SOCK_NEW)
        return net_fail(NET_EINVAL);
    s->peer = *to;
    if (alloc_stream_buffers(s) < 0)
        return -1;
    EFI_STATUS status = configure(s, TRUE);
    if (EFI_ERROR(status))
        return configure_error(status);
    status = token_prepare(&s->connect, &s->connect_token.CompletionToken);
    if (!EFI_ERROR(status))
        status = s->tcp->Connect(s->tcp, &s->connect_token);
    if (EFI_ERROR(status)) {
        s->connect.pending = FALSE;
        s->state = SOCK_FAILED;
        s->error = io_error(s, status);
        return sock_fail(s);
    }
    s->state = SOCK_CONNECTING;
    if (!s->blocking)
        return net_fail(NET_EINPROGRESS);
    if (sock_wait(s, connect_done, NET_TIMEOUT_CONNECT) < 0) {
        /* Our deadline (or Ctrl-C), not the firmware's: reset the instance,
           which aborts the Connect (its token completes with EFI_ABORTED). */
        int why = net_errno;
        s->tcp->Configure(s->tcp, NULL);
        s->state = SOCK_FAILED;
        s->error = why;
        return net_fail(why);
    }
    if (s->state != SOCK_CONNECTED)
        return sock_fail(s);
    return 0;
}

static BOOLEAN can_send(struct sock *s)
{
    return !s->tx.pending || s->error;
}

static INTN send_some(struct sock *s, const void *data, UINTN length, BOOLEAN blocking)
{
    if (s->state == SOCK_FAILED)
        return sock_fail(s);
    if (s->state != SOCK_CONNECTED)
        return net_fail(NET_ENOTCONN);
    if (blocking && net_interrupted())       /* also when it need not wait */
        return net_fail(NET_EINTR);
    if (!can_send(s)) {
        net_poll();
        if (!can_send(s)) {
            if (!blocking)
                return net_fail(NET_EAGAIN);
            if (sock_wait(s, can_send, NET_TIMEOUT_SEND) < 0)
                return -1;
        }
    }
    if (s->error)
        return net_fail(s->error == NET_ECONNRESET ? NET_ECONNRESET : NET_EPIPE);
    if (length == 0)
        return 0;
    UINTN n = length < TX_BUFFER ? length : TX_BUFFER;
    copy_bytes(s->tx_buffer, data, n);
    s->tx_data.Push = TRUE;
    s->tx_data.Urgent = FALSE;
    s->tx_data.DataLength = (UINT32)n;
    s->tx_data.FragmentCount = 1;
    s->tx_data.FragmentTable[0].FragmentLength = (UINT32)n;
    s->tx_data.FragmentTable[0].FragmentBuffer = s->tx_buffer;
    s->tx_token.Packet.TxData = &s->tx_data;
    EFI_STATUS status = token_prepare(&s->tx, &s->tx_token.CompletionToken);
    if (!EFI_ERROR(status))
        status = s->tcp->Transmit(s->tcp, &s->tx_token);
    if (EFI_ERROR(status)) {
        s->tx.pending = FALSE;
        s->error = io_error(s, status);
        return sock_fail(s);
    }
    return (INTN)n;
}

INTN net_send(int fd, const void *data, UINTN length)
{
    struct sock *s = lookup(fd);
    if (!s)
        return -1;
    return send_some(s, data, length, s->blocking);
}

int net_sendall(int fd, const void *data, UINTN length)
{
    struct sock *s = lookup(fd);
    if (!s)
        return -1;
    const UINT8 *p = data;
    while (length) {
        INTN n = send_some(s, p, length, TRUE);
        if (n < 0)
            return -1;
        p += n;
        length -= (UINTN)n;
    }
    return 0;
}

static BOOLEAN can_recv(struct sock *s)
{
    return s->queue_length > 0 || s->eof || s->error;
}

INTN net_recv(int fd, void *buffer, UINTN length)
{
    struct sock *s = lookup(fd);
    if (!s)
        return -1;
    if (s->state == SOCK_FAILED)
        return sock_fail(s);
    if (s->state != SOCK_CONNECTED)
        return net_fail(NET_ENOTCONN);
    if (s->blocking && net_interrupted())    /* also when it need not wait */
        return net_fail(NET_EINTR);
    if (!can_recv(s)) {
        net_poll();
        if (!can_recv(s)) {
            if (!s->blocking)
                return net_fail(NET_EAGAIN);
            if (sock_wait(s, can_recv, NET_TIMEOUT_RECV) < 0)
                return -1;
        }
    }
    if (s->queue_length) {
        UINTN n = queue_take(s, buffer, length);
        start_receive(s);               /* there may be room again */
        return (INTN)n;
    }
    if (s->eof)
        return 0;
    return sock_fail(s);
}

int net_close(int fd)
{
    struct sock *s = lookup(fd);
    if (!s)
        return -1;
    table[fd] = NULL;
    if (s->state != SOCK_CONNECTED) {
        sock_release(s);
        return 0;
    }
    /* What is queued is no one's now, but the queue stays until
       sock_release: an outstanding Receive writes straight into it. */
    s->queue_length = 0;
    s->state = SOCK_CLOSING;
    s->linger_deadline = net_clock_ms() + NET_LINGER_MS;
    s->next_closing = closing;
    closing = s;
    net_poll();
    return 0;
}

int net_set_blocking(int fd, BOOLEAN blocking)
{
    struct sock *s = lookup(fd);
    if (!s)
        return -1;
    s->blocking = blocking;
    return 0;
}

int net_set_timeout(int fd, enum net_timeout which, UINT32 ms)
{
    struct sock *s = lookup(fd);
    if (!s)
        return -1;
    if ((unsigned)which > NET_TIMEOUT_RECV)
        return net_fail(NET_EINVAL);
    s->timeout[which] = ms;
    return 0;
}

int net_socket_error(int fd)
{
    struct sock *s = lookup(fd);
    return s ? s->error : NET_EBADF;
}

int net_peer(int fd, struct net_addr *peer)
{
    struct sock *s = lookup(fd);
    if (!s)
        return -1;
    *peer = s->peer;
    return 0;
}

/* -- select ------------------------------------------------------------------ */
/* LAB SOLUTION select */
static BOOLEAN readable(struct sock *s)
{
    switch (s->state) {
    case SOCK_LISTENING: return has_connection(s);
    case SOCK_CONNECTED: return can_recv(s);
    case SOCK_FAILED:    return TRUE;
    default:             return FALSE;
    }
}

static BOOLEAN writable(struct sock *s)
{
    switch (s->state) {
    case SOCK_CONNECTED: return can_send(s);
    case SOCK_FAILED:    return TRUE;
    default:             return FALSE;
    }
}

int net_select(net_fd_set *read_set, net_fd_set *write_set, INT64 timeout_ms)
{
    UINT64 want_read = read_set ? read_set->bits : 0;
    UINT64 want_write = write_set ? write_set->bits : 0;
    for (int fd = 0; fd < NET_MAX_SOCKETS; fd++)
        if (((want_read | want_write) >> fd & 1) && !table[fd])
            return net_fail(NET_EBADF);
    UINT64 deadline = net_clock_ms() + (timeout_ms > 0 ? (UINT64)timeout_ms : 0);
    for (;;) {
        net_poll();
        UINT64 got_read = 0, got_write = 0;
        int count = 0;
        for (int fd = 0; fd < NET_MAX_SOCKETS; fd++) {
            if ((want_read >> fd & 1) && readable(table[fd])) {
                got_read |= 1ULL << fd;
                count++;
            }
            if ((want_write >> fd & 1) && writable(table[fd])) {
                got_write |= 1ULL << fd;
                count++;
            }
        }
        if (count || timeout_ms == 0 || (timeout_ms > 0 && net_clock_ms() >= deadline)) {
            if (read_set)
                read_set->bits = got_read;
            if (write_set)
                write_set->bits = got_write;
            return count;
        }
    }
}
/* LAB STUB
int net_select(net_fd_set *read_set, net_fd_set *write_set, INT64 timeout_ms)
{
    // The sockets whose bit is set in read_set (write_set) must all be open
    // (else NET_EBADF). Poll the network (net_poll) until one of them can be
    // read (a listening socket: a connection waits; a connected one: data or
    // the peer's close; a failed one: always) or written, or timeout_ms ends
    // (0: at once; below 0: never). Then leave in each set only the ready
    // sockets and return how many bits are set.
    (void)read_set;
    (void)write_set;
    (void)timeout_ms;
    Print(L"LAB TODO: select\n");
    return net_fail(NET_EINVAL);
}
LAB END */
