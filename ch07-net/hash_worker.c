/*
 * hash_worker.c -- SHA-256 on a second processor, beside the network.
 *
 * Why: under the firmware's TCP4 each Poll() moves one frame, and the
 * processor that polls is also the one that hashes (socket.c, net_drain).
 * Every microsecond spent hashing is one the next frame waits. A second
 * processor can hash while the first polls.
 *
 * How, in five parts (the lesson's "A second processor hashes"):
 *  1. Starting it, once. The firmware owns the processors. Its MP services
 *     protocol (mp_services.h) runs a function on another processor:
 *     StartupThisAP. Non-blocking (with an event), it returns once the
 *     processor is awake, and the function runs there until it returns. It
 *     may not call boot services. Waking it this way takes the firmware a
 *     few tenths of a second under QEMU, and nothing polls the network
 *     meanwhile, so it is done once, by the first command that may download
 *     (hash_worker_prepare), before any connection is open. The function
 *     stays until the program leaves (hash_worker_stop), and each long body
 *     is one more job for it.
 *  2. The ring. This processor copies bytes in and moves `taken`; the second
 *     hashes and moves `hashed`. Each counter is written by one side only,
 *     with release stores and acquire loads, so the bytes are in memory before
 *     the counter that says so. Both only grow: one body's bytes follow the
 *     last one's in the ring.
 *  3. Bodies. This processor hands a body over by setting the hash state so
 *     far and then moving `body`; it closes the body by setting `closed` to
 *     that body's number, after the body's last `taken`. The second says it
 *     has hashed all of a closed body by moving `finished` to its number, and
 *     touches the state only in between. It reads `closed` before `taken`:
 *     read the other way round, `taken` could be read just before the body's
 *     last bytes arrive and `closed` just after, and the body would be
 *     finished without them.
 *  4. Sleeping. A processor that waits by spinning takes a whole host thread
 *     from QEMU, the one the first processor and the network need. So the
 *     second halts (`hlt`) when it has nothing to do, and the first wakes it
 *     with an interrupt sent through the local APIC (an IPI). The firmware
 *     gives the second no interrupt handlers of its own, so it loads an IDT of
 *     its own: the firmware's gates, plus one for WAKE_VECTOR, which only says
 *     end-of-interrupt. It puts the firmware's IDT back before it returns.
 *  5. Not losing a wake-up. The second says `sleeping`, then looks for work
 *     once more; the first writes what makes work (`taken`, `closed`, `body`,
 *     `quit`), then looks at `sleeping`. With a full fence between each store
 *     and load, one of them sees the other: either the second finds the work,
 *     or the first sends the interrupt. An interrupt that arrives before `hlt`
 *     still wakes it: `sti` takes effect after the next instruction, so
 *     `sti; hlt` cannot miss it.
 *
 * Only xAPIC mode (registers in memory at the APIC base) is used: OVMF keeps
 * it with up to 255 processors. With x2APIC on, or one processor, or the MP
 * services missing, this processor hashes, and w->why says why.
 */
#include <efi.h>
#include <efilib.h>
#include "hash_worker.h"
#include "mp_services.h"
#include "net.h"

/* The local APIC (Intel SDM vol. 3, 11.4-11.6): its MSR and registers. */
#define APIC_BASE_MSR    0x1B
#define APIC_X2APIC_ON   (1u << 10)
#define APIC_PAGE_OFFSET 0xFFF       /* the MSR's low bits are flags */
#define APIC_ID          0x20        /* bits 31:24 */
#define APIC_TPR         0x80
#define APIC_EOI         0xB0
#define APIC_SVR         0xF0
#define APIC_SVR_ENABLE  (1u << 8)
#define APIC_ICR_LOW     0x300
#define APIC_ICR_HIGH    0x310       /* bits 31:24: the destination's APIC ID */
#define APIC_ICR_BUSY    (1u << 12)  /* delivery status: the last IPI not yet sent */
#define ICR_BUSY_SPINS   100000      /* bound on waiting for it */

#define WAKE_VECTOR      0xF0        /* fixed delivery, physical destination */
#define IDT_GATES        256
#define IDT_INTERRUPT    0x8E        /* present, ring 0, 64-bit interrupt gate */

#define START_LIMIT_MS   2000        /* the second must say it runs within this */
#define STALL_LIMIT_MS   10000       /* ... hash something within this when asked */
#define STOP_LIMIT_MS    2000        /* ... and return within this when told to */

struct hash_shared {
    struct sha256 sha;          /* the body's state: the second's between `body` and `finished` */
    volatile UINT64 taken;      /* ring bytes written (this processor) */
    volatile UINT64 hashed;     /* ring bytes hashed (the second) */
    volatile UINT64 body;       /* bodies handed over (this processor) */
    volatile UINT64 closed;     /* the last body no more bytes will come for (this processor) */
    volatile UINT64 finished;   /* the last body hashed to its end (the second) */
    volatile UINT64 sleeping;   /* the second is halting, or halted */
    volatile UINT64 quit;       /* the program is leaving: return (this processor) */
    volatile UINT64 ready, returned;    /* the second has started; is about to return */
    volatile UINT64 wakes;      /* written by the second */
    UINT32 apic_id;             /* the second's, written before `ready` */
    UINT8 ring[HASH_RING];
};

struct idt_gate {
    UINT16 offset_low, selector;
    UINT8 ist, type;
    UINT16 offset_middle;
    UINT32 offset_high, reserved;
} __attribute__((packed));

struct idt_register {
    UINT16 limit;
    UINT64 base;
} __attribute__((packed));

_Static_assert(sizeof(struct idt_gate) == 16, "a 64-bit IDT gate is 16 bytes");

static EFI_GUID mp_services_guid = MP_SERVICES_GUID;
static EFI_EVENT returned_event;     /* the firmware signals it after the second returns */
/* The second processor, waiting for bodies; NULL: this one hashes, and
 * second_why says why. Once it has not started, or has let a body down, it is
 * not asked again in this boot: the firmware's StartupThisAP would wait for it
 * without a limit, and the shell with it. */
static struct hash_shared *second;
static struct hash_shared *started;     /* what the second was given, used or not */
static UINTN second_number;
static const char *second_why = "no second processor was started";
static BOOLEAN prepared;
static struct idt_gate second_idt[IDT_GATES] __attribute__((aligned(16)));
static volatile UINT32 *wake_eoi __attribute__((used));    /* read by wake_entry */

/* WAKE_VECTOR's handler on the second processor: end of interrupt, and back
   to the instruction after `hlt`. It touches only RAX, which it saves. */
extern char wake_entry[];
__asm__(".text\n"
        "wake_entry:\n"
        "    push %rax\n"
        "    mov wake_eoi(%rip), %rax\n"
        "    movl $0, (%rax)\n"
        "    pop %rax\n"
        "    iretq\n");

static UINT64 load(volatile UINT64 *at) { return __atomic_load_n(at, __ATOMIC_ACQUIRE); }
static void store(volatile UINT64 *at, UINT64 value)
{
    __atomic_store_n(at, value, __ATOMIC_RELEASE);
}
static void fence(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

static UINT64 apic_base_msr(void)
{
    UINT32 low, high;
    __asm__ volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(APIC_BASE_MSR));
    return (UINT64)high << 32 | low;
}

static volatile UINT32 *apic(UINTN offset)
{
    return (volatile UINT32 *)((apic_base_msr() & ~(UINT64)APIC_PAGE_OFFSET) + offset);
}

/* Hash the ring from *hashed to taken, as one or two runs (it wraps). */
static void hash_ring(struct hash_shared *s, UINT64 *hashed, UINT64 taken)
{
    while (*hashed < taken) {
        UINTN at = *hashed % HASH_RING;
        UINTN n = taken - *hashed;
        if (n > HASH_RING - at)
            n = HASH_RING - at;
        sha256_update(&s->sha, s->ring + at, n);
        *hashed += n;
        store(&s->hashed, *hashed);
    }
}

/* What the second processor may do now: hash bytes or finish the open body,
   or return, when there is no open body and the program is leaving. */
static BOOLEAN has_work(struct hash_shared *s, UINT64 hashed, UINT64 finished)
{
    UINT64 body = load(&s->body);
    if (body == finished)
        return load(&s->quit) != 0;
    return load(&s->taken) != hashed || load(&s->closed) == body;
}

/* What the second processor runs, from hash_worker_prepare until the program
   leaves: the bodies handed to it, one after the other, and `hlt` between. */
static VOID EFIAPI second_processor(VOID *argument)
{
    struct hash_shared *s = argument;
    struct idt_register firmware_idt, own_idt = { sizeof second_idt - 1, (UINT64)second_idt };
    __asm__ volatile("sidt %0" : "=m"(firmware_idt));
    const struct idt_gate *gates = (const struct idt_gate *)firmware_idt.base;
    UINTN firmware_gates = ((UINTN)firmware_idt.limit + 1) / sizeof(struct idt_gate);
    for (UINTN i = 0; i < IDT_GATES; i++)
        second_idt[i] = i < firmware_gates ? gates[i] : (struct idt_gate){ 0 };
    UINT16 cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    UINT64 entry = (UINT64)wake_entry;
    second_idt[WAKE_VECTOR] = (struct idt_gate){
        .offset_low = (UINT16)entry, .selector = cs, .type = IDT_INTERRUPT,
        .offset_middle = (UINT16)(entry >> 16), .offset_high = (UINT32)(entry >> 32) };
    __asm__ volatile("lidt %0" : : "m"(own_idt));
    UINT32 svr = *apic(APIC_SVR), tpr = *apic(APIC_TPR);
    *apic(APIC_SVR) = svr | APIC_SVR_ENABLE;    /* accept interrupts at all */
    *apic(APIC_TPR) = 0;                        /* ... of every priority */
    s->apic_id = *apic(APIC_ID) >> 24;
    store(&s->ready, 1);

    UINT64 hashed = load(&s->hashed), finished = load(&s->finished);
    for (;;) {
        UINT64 body = load(&s->body);
        if (body != finished) {
            UINT64 closed = load(&s->closed);   /* first: see part 3 above */
            UINT64 taken = load(&s->taken);
            if (taken != hashed) {
                hash_ring(s, &hashed, taken);
                continue;
            }
            if (closed == body) {
                finished = body;
                store(&s->finished, finished);
                continue;
            }
        } else if (load(&s->quit)) {
            break;
        }
        store(&s->sleeping, 1);
        fence();
        if (!has_work(s, hashed, finished))
            __asm__ volatile("sti; hlt; cli" ::: "memory");
        store(&s->sleeping, 0);
        store(&s->wakes, s->wakes + 1);
    }
    *apic(APIC_TPR) = tpr;
    *apic(APIC_SVR) = svr;
    __asm__ volatile("lidt %0" : : "m"(firmware_idt));
    store(&s->returned, 1);
}

/* Wake the second processor if it is halting. */
static void wake(struct hash_shared *s)
{
    fence();
    if (!load(&s->sleeping))
        return;
    for (UINTN i = 0; i < ICR_BUSY_SPINS && (*apic(APIC_ICR_LOW) & APIC_ICR_BUSY); i++)
        __builtin_ia32_pause();
    *apic(APIC_ICR_HIGH) = s->apic_id << 24;
    *apic(APIC_ICR_LOW) = WAKE_VECTOR;          /* writing the low half sends it */
}

/* Wait until done(s) or, with no progress for STALL_LIMIT_MS, give up. */
static BOOLEAN wait_for(struct hash_shared *s, BOOLEAN (*done)(struct hash_shared *),
                        void (*meanwhile)(void *), void *argument)
{
    UINT64 seen = load(&s->hashed), since = net_clock_ms();
    while (!done(s)) {
        wake(s);
        if (meanwhile)
            meanwhile(argument);
        else
            __builtin_ia32_pause();
        UINT64 now_hashed = load(&s->hashed);
        if (now_hashed != seen) {
            seen = now_hashed;
            since = net_clock_ms();
        } else if (net_clock_ms() - since > STALL_LIMIT_MS) {
            return FALSE;
        }
    }
    return TRUE;
}

/* Wait until *flag is set, waking the second meanwhile, for at most limit_ms. */
static BOOLEAN wait_for_flag(struct hash_shared *s, volatile UINT64 *flag, UINT64 limit_ms)
{
    UINT64 deadline = net_clock_ms() + limit_ms;
    while (!load(flag) && net_clock_ms() < deadline)
        wake(s);
    return load(flag) != 0;
}

static BOOLEAN has_room(struct hash_shared *s) { return s->taken - load(&s->hashed) < HASH_RING; }
static BOOLEAN has_finished(struct hash_shared *s) { return load(&s->finished) == s->body; }

/* The second processor let a body down; it is not asked again. */
static void lost(struct hash_worker *w, const char *why)
{
    w->failed = TRUE;
    w->why = why;
    second = NULL;
    second_why = "the second processor did not come back from an earlier body";
}

/* Why this one hashes, when no second processor can (the answer also goes
   to second_why). */
static const char *start_second(void)
{
    struct mp_services *mp;
    UINTN processors, enabled, self;
    if (apic_base_msr() & APIC_X2APIC_ON)
        return "the local APIC is in x2APIC mode, which this program does not drive";
    if (EFI_ERROR(BS->LocateProtocol(&mp_services_guid, NULL, (VOID **)&mp)))
        return "the firmware has no MP services";
    if (EFI_ERROR(mp->GetNumberOfProcessors(mp, &processors, &enabled)) || enabled < 2 ||
        EFI_ERROR(mp->WhoAmI(mp, &self)))
        return "this machine has one processor";
    if (EFI_ERROR(BS->CreateEvent(0, 0, NULL, NULL, &returned_event)))
        return "no event for the second processor";
    struct hash_shared *s = AllocatePool(sizeof *s);
    if (!s)
        return "no memory for the ring";
    SetMem(s, sizeof *s - HASH_RING, 0);
    wake_eoi = apic(APIC_EOI);
    UINTN number = self == 0 ? 1 : 0;
    /* NOT_READY: another program's job still runs there. */
    EFI_STATUS status = mp->StartupThisAP(mp, second_processor, number, returned_event, 0, s,
                                          NULL);
    if (EFI_ERROR(status)) {
        FreePool(s);
        return status == EFI_NOT_READY ? "the second processor is still busy"
                                       : "the firmware would not start a second processor";
    }
    started = s;
    if (!wait_for_flag(s, &s->ready, START_LIMIT_MS)) {
        Print(L"warning: the second processor did not start within %d ms: "
              L"long bodies are hashed on this one\n", START_LIMIT_MS);
        return "the second processor did not start";    /* s stays: it may start yet */
    }
    second = s;
    second_number = number;
    return "a second processor, beside the network";
}

void hash_worker_prepare(void)
{
    if (prepared)
        return;
    prepared = TRUE;
    second_why = start_second();
}

void hash_worker_stop(void)
{
    struct hash_shared *s = started;
    if (!s)
        return;
    second = started = NULL;
    second_why = "the second processor was stopped";
    store(&s->quit, 1);
    if (wait_for_flag(s, &s->returned, STOP_LIMIT_MS))
        FreePool(s);
    else        /* held, or lost in a body: it may still run this program's code */
        Print(L"warning: the second processor did not return within %d ms\n", STOP_LIMIT_MS);
}

/* Hand the rest of w's body to the second processor, if there is one. */
static void hand_off(struct hash_worker *w)
{
    struct hash_shared *s = second;
    w->why = second_why;
    if (!s)
        return;
    s->sha = w->sha;                    /* the second is between bodies: it is ours */
    w->wakes = load(&s->wakes);
    store(&s->body, s->body + 1);
    w->shared = s;
    w->processor = (INTN)second_number;
}

void hash_worker_start(struct hash_worker *w)
{
    SetMem(w, sizeof *w, 0);
    sha256_init(&w->sha);
    w->processor = -1;
    w->why = "the body was short";
}

void hash_worker_add(struct hash_worker *w, const void *data, UINTN n,
                     void (*meanwhile)(void *), void *argument)
{
    w->length += n;
    if (w->failed)
        return;
    if (!w->shared) {
        sha256_update(&w->sha, data, n);
        if (w->length >= HASH_HANDOFF && !w->tried) {
            w->tried = TRUE;
            hand_off(w);
        }
        return;
    }
    struct hash_shared *s = w->shared;
    const UINT8 *from = data;
    while (n) {
        if (!has_room(s) && !wait_for(s, has_room, meanwhile, argument)) {
            lost(w, "the second processor stopped hashing");
            return;
        }
        UINTN at = s->taken % HASH_RING;
        UINTN room = HASH_RING - (UINTN)(s->taken - load(&s->hashed));
        UINTN k = n < room ? n : room;
        if (k > HASH_RING - at)
            k = HASH_RING - at;
        BS->CopyMem(s->ring + at, (VOID *)from, k);
        from += k;
        n -= k;
        store(&s->taken, s->taken + k);
    }
    if (s->taken - load(&s->hashed) >= HASH_WAKE_AT)
        wake(s);
}

int hash_worker_final(struct hash_worker *w, uint8_t digest[SHA256_DIGEST_BYTES])
{
    struct hash_shared *s = w->shared;
    if (s && !w->failed) {
        store(&s->closed, s->body);
        if (wait_for(s, has_finished, NULL, NULL)) {
            w->sha = s->sha;
            w->wakes = load(&s->wakes) - w->wakes;
        } else {
            lost(w, "the second processor stopped hashing");  /* s stays: it may use it */
        }
    }
    w->shared = NULL;
    if (w->failed)
        return -1;
    sha256_final(&w->sha, digest);
    return 0;
}
