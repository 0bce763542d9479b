/* md5: the MD5 message digest (RFC 1321), for test-bank keys.
 *
 * Not for security: test banks are keyed by the MD5 of the test text because
 * that is what the original code_exec_server and its client use. */
#ifndef CODEEXEC_MD5_H
#define CODEEXEC_MD5_H

#include <stddef.h>
#include <stdint.h>

#define MD5_DIGEST_LEN 16
#define MD5_HEX_LEN 32

struct md5_ctx {
        uint32_t state[4];
        uint64_t nbytes;
        unsigned char block[64];
};

void md5_init(struct md5_ctx *c);
void md5_update(struct md5_ctx *c, const void *data, size_t len);
void md5_final(struct md5_ctx *c, unsigned char out[MD5_DIGEST_LEN]);
/* One-shot digest of data. */
void md5(const void *data, size_t len, unsigned char out[MD5_DIGEST_LEN]);
/* Lower-case hex of a digest into hex (MD5_HEX_LEN + 1 bytes, NUL-terminated). */
void md5_hex(const unsigned char digest[MD5_DIGEST_LEN], char hex[MD5_HEX_LEN + 1]);
/* Parses exactly 32 hex digits (either case) of s[0..len); returns -1 otherwise. */
int md5_parse_hex(const char *s, size_t len, unsigned char out[MD5_DIGEST_LEN]);

#endif
