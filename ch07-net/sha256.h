/*
 * sha256.h -- SHA-256 (FIPS 180-4), to check that what crossed the network
 * is what was sent. Freestanding: builds for the firmware and for the host
 * (tests/test_sha256.py runs it against the standard test vectors).
 */
#ifndef SHA256_H
#define SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_BYTES 32
#define SHA256_BLOCK_BYTES  64
#define SHA256_HEX_CHARS    (2 * SHA256_DIGEST_BYTES)

struct sha256 {
    uint32_t state[8];
    uint64_t length;                     /* bytes hashed so far */
    uint8_t block[SHA256_BLOCK_BYTES];   /* a partial block */
    size_t used;
};

void sha256_init(struct sha256 *ctx);
void sha256_update(struct sha256 *ctx, const void *data, size_t length);
void sha256_final(struct sha256 *ctx, uint8_t digest[SHA256_DIGEST_BYTES]);
/* The digest as 64 lower-case hex digits and a NUL. */
void sha256_hex(const uint8_t digest[SHA256_DIGEST_BYTES], char out[SHA256_HEX_CHARS + 1]);

#endif
