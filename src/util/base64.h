/* base64: strict decoding of RFC 4648 base64 (standard alphabet, padding
 * optional, line breaks ignored), for files sent to /v1/run. */
#ifndef CODEEXEC_BASE64_H
#define CODEEXEC_BASE64_H

#include <stddef.h>

#include "buf.h"

/* Appends the decoded bytes to out; -1 on a character outside the alphabet,
 * misplaced padding, or a dangling final character. */
int base64_decode(struct buf *out, const char *in, size_t len);

#endif
