/*
 * hash_worker.h -- SHA-256 of a stream, on a second processor when the
 * machine has one, so that the processor that runs the firmware's network
 * stack only copies bytes. See hash_worker.c for how, and the lesson's
 * "A second processor hashes".
 *
 *     hash_worker_prepare();       once, with the network, before any connection
 *     struct hash_worker w;
 *     hash_worker_start(&w);
 *     hash_worker_add(&w, data, n, meanwhile, argument);   ... as bytes arrive
 *     if (hash_worker_final(&w, digest) < 0) ... w.why says what went wrong
 *     hash_worker_stop();          before the program returns to the firmware
 *
 * The first HASH_HANDOFF bytes are hashed here: a short body is done without
 * the ring and its wake-ups. After that the bytes go through a ring to the
 * second processor. With one processor (Bochs, QEMU without -smp), everything
 * is hashed here. w.processor and w.why say which.
 */
#ifndef HASH_WORKER_H
#define HASH_WORKER_H

#include <efi.h>
#include "sha256.h"

#define HASH_RING     (1024 * 1024)     /* bytes taken in, not yet hashed: at most this */
#define HASH_HANDOFF  262144            /* 256 KiB hashed here before the second takes over */
#define HASH_WAKE_AT  (16 * 1024)       /* bytes waiting that are worth waking it for */

struct hash_shared;                 /* hash_worker.c: what both processors see */

struct hash_worker {
    struct sha256 sha;          /* until the hand-off, and after the second finishes */
    UINT64 length;              /* bytes taken so far */
    struct hash_shared *shared; /* NULL: hashing here */
    INTN processor;             /* who hashes: -1 this one, else its MP number */
    const char *why;            /* why this one, or what went wrong */
    UINT64 wakes;               /* times the second processor was woken for this body */
    BOOLEAN tried, failed;
};

/* Start the second processor, where there is one, to wait for bodies; once.
   It takes the firmware a few tenths of a second under QEMU, during which
   nothing polls the network. Why there is none: w->why of a long body. */
void hash_worker_prepare(void);
/* Let the second processor go back to the firmware (the program is leaving). */
void hash_worker_stop(void);

void hash_worker_start(struct hash_worker *w);
/* Take n bytes. When the ring is full, meanwhile(argument) runs while the
   second processor catches up (the client polls the network). */
void hash_worker_add(struct hash_worker *w, const void *data, UINTN n,
                     void (*meanwhile)(void *), void *argument);
/* 0 and the digest; -1 when the second processor stopped (w->why). */
int hash_worker_final(struct hash_worker *w, uint8_t digest[SHA256_DIGEST_BYTES]);

#endif
