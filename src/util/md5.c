/* md5: MD5 after RFC 1321 (see md5.h).
 *
 * Theory of operation. The message is consumed in 64-byte blocks; a partial
 * block waits in ctx->block until more data or md5_final() arrives. Each
 * block goes through the four rounds of 16 steps of section 3.4 (the
 * auxiliary functions F G H I, the message-word order of each round, the
 * sine-derived constants T[i] = floor(2^32 * |sin(i + 1)|), the per-round
 * shift amounts), written as unrolled groups of four so the compiler keeps
 * a b c d in registers. md5_final() pads with 0x80, zeros and the message length in
 * bits (little-endian, 64 bits) as in section 3.1-3.2. Words are read and
 * written little-endian byte by byte, so the code is endian-neutral. */
#include "md5.h"

#include <string.h>

static const uint32_t T[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

#define F(x, y, z) (((x) & (y)) | (~(x) & (z)))
#define G(x, y, z) (((x) & (z)) | ((y) & ~(z)))
#define H(x, y, z) ((x) ^ (y) ^ (z))
#define I(x, y, z) ((y) ^ ((x) | ~(z)))
/* One step of RFC 1321 section 3.4: a = b + ((a + f(b,c,d) + X[k] + T[i]) <<< s). */
#define STEP(f, a, b, c, d, k, s, i) ((a) = (b) + rotl((a) + f((b), (c), (d)) + X[k] + T[i], (s)))

static inline uint32_t rotl(uint32_t x, unsigned n)
{
        return (x << n) | (x >> (32 - n));
}

static void transform(uint32_t state[4], const unsigned char block[64])
{
        uint32_t X[16], a = state[0], b = state[1], c = state[2], d = state[3];

        for (int i = 0; i < 16; i++)
                X[i] = (uint32_t)block[4 * i] | (uint32_t)block[4 * i + 1] << 8 |
                       (uint32_t)block[4 * i + 2] << 16 | (uint32_t)block[4 * i + 3] << 24;
        /* Round 1: X[i], shifts 7 12 17 22. */
        for (int i = 0; i < 16; i += 4) {
                STEP(F, a, b, c, d, i, 7, i);
                STEP(F, d, a, b, c, i + 1, 12, i + 1);
                STEP(F, c, d, a, b, i + 2, 17, i + 2);
                STEP(F, b, c, d, a, i + 3, 22, i + 3);
        }
        /* Round 2: X[(5i + 1) mod 16], shifts 5 9 14 20. */
        for (int i = 16; i < 32; i += 4) {
                STEP(G, a, b, c, d, (5 * i + 1) & 15, 5, i);
                STEP(G, d, a, b, c, (5 * i + 6) & 15, 9, i + 1);
                STEP(G, c, d, a, b, (5 * i + 11) & 15, 14, i + 2);
                STEP(G, b, c, d, a, (5 * i + 16) & 15, 20, i + 3);
        }
        /* Round 3: X[(3i + 5) mod 16], shifts 4 11 16 23. */
        for (int i = 32; i < 48; i += 4) {
                STEP(H, a, b, c, d, (3 * i + 5) & 15, 4, i);
                STEP(H, d, a, b, c, (3 * i + 8) & 15, 11, i + 1);
                STEP(H, c, d, a, b, (3 * i + 11) & 15, 16, i + 2);
                STEP(H, b, c, d, a, (3 * i + 14) & 15, 23, i + 3);
        }
        /* Round 4: X[7i mod 16], shifts 6 10 15 21. */
        for (int i = 48; i < 64; i += 4) {
                STEP(I, a, b, c, d, (7 * i) & 15, 6, i);
                STEP(I, d, a, b, c, (7 * i + 7) & 15, 10, i + 1);
                STEP(I, c, d, a, b, (7 * i + 14) & 15, 15, i + 2);
                STEP(I, b, c, d, a, (7 * i + 21) & 15, 21, i + 3);
        }
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
}

/* Starts a digest: the initial words A..D of RFC 1321 section 3.3. */
void md5_init(struct md5_ctx *c)
{
        c->state[0] = 0x67452301;
        c->state[1] = 0xefcdab89;
        c->state[2] = 0x98badcfe;
        c->state[3] = 0x10325476;
        c->nbytes = 0;
}

/* Feeds len bytes of data; may be called any number of times. */
void md5_update(struct md5_ctx *c, const void *data, size_t len)
{
        const unsigned char *p = data;
        size_t have = (size_t)(c->nbytes % 64);

        c->nbytes += len;
        if (have) {
                size_t need = 64 - have;
                if (len < need) {
                        memcpy(c->block + have, p, len);
                        return;
                }
                memcpy(c->block + have, p, need);
                transform(c->state, c->block);
                p += need;
                len -= need;
        }
        for (; len >= 64; p += 64, len -= 64)
                transform(c->state, p);
        memcpy(c->block, p, len);
}

/* Pads, writes the 16-byte digest to out; c must be re-initialised to reuse. */
void md5_final(struct md5_ctx *c, unsigned char out[MD5_DIGEST_LEN])
{
        uint64_t bits = c->nbytes * 8;
        size_t have = (size_t)(c->nbytes % 64);
        unsigned char pad[72] = {0x80};
        size_t padlen = have < 56 ? 56 - have : 120 - have;

        for (int i = 0; i < 8; i++)
                pad[padlen + (size_t)i] = (unsigned char)(bits >> (8 * i));
        /* pad[] holds the 0x80, the zeros and the length: one update. */
        {
                uint64_t keep = c->nbytes;
                md5_update(c, pad, padlen + 8);
                c->nbytes = keep;
        }
        for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++)
                        out[4 * i + j] = (unsigned char)(c->state[i] >> (8 * j));
}

/* One-shot MD5 of data[0..len). */
void md5(const void *data, size_t len, unsigned char out[MD5_DIGEST_LEN])
{
        struct md5_ctx c;

        md5_init(&c);
        md5_update(&c, data, len);
        md5_final(&c, out);
}

/* Writes 32 lower-case hex digits and a NUL to hex. */
void md5_hex(const unsigned char digest[MD5_DIGEST_LEN], char hex[MD5_HEX_LEN + 1])
{
        static const char digits[] = "0123456789abcdef";

        for (int i = 0; i < MD5_DIGEST_LEN; i++) {
                hex[2 * i] = digits[digest[i] >> 4];
                hex[2 * i + 1] = digits[digest[i] & 15];
        }
        hex[MD5_HEX_LEN] = '\0';
}

static int hexval(char ch)
{
        if (ch >= '0' && ch <= '9')
                return ch - '0';
        if (ch >= 'a' && ch <= 'f')
                return ch - 'a' + 10;
        if (ch >= 'A' && ch <= 'F')
                return ch - 'A' + 10;
        return -1;
}

/* Parses a 32-digit hex digest; -1 (out unspecified) on any other input. */
int md5_parse_hex(const char *s, size_t len, unsigned char out[MD5_DIGEST_LEN])
{
        if (len != MD5_HEX_LEN)
                return -1;
        for (int i = 0; i < MD5_DIGEST_LEN; i++) {
                int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
                if (hi < 0 || lo < 0)
                        return -1;
                out[i] = (unsigned char)(hi << 4 | lo);
        }
        return 0;
}
