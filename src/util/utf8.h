/* utf8: lossy UTF-8 repair, byte-compatible with Rust's
 * String::from_utf8_lossy (which the original server used): every maximal
 * ill-formed subsequence becomes one U+FFFD, as the Unicode standard's
 * "substitution of maximal subparts" prescribes. */
#ifndef CODEEXEC_UTF8_H
#define CODEEXEC_UTF8_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Appends the repaired form of p[0..n) to out. Returns -1 on OOM. */
int utf8_append_lossy(struct buf *out, const char *p, size_t n);

/* Whether p[0..n) is well-formed UTF-8 (what utf8_append_lossy leaves
 * as it is). */
bool utf8_valid(const char *p, size_t n);

/* Length of the well-formed sequence at p[0..n) (n > 0), 0 when the bytes
 * there are ill-formed or cut short. */
size_t utf8_seq_len(const char *p, size_t n);

/* Length of the longest prefix of p[0..n) that does not end inside a
 * multi-byte sequence (so a capped output is not cut mid-character). */
size_t utf8_complete_prefix(const char *p, size_t n);

#endif
