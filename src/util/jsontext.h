/* jsontext: JSON string literals byte-compatible with the two encoders the
 * original server's replies came from.
 *
 * - Python's json.dumps() defaults (the /any_exec result dict, printed by
 *   MultiPL-E's evaluator): ensure_ascii, so every non-ASCII character is a
 *   lower-case \uXXXX escape (astral ones as surrogate pairs) and DEL is
 *   \u007f.
 * - serde_json (the /py_exec json_resp and /py_coverage replies): raw UTF-8,
 *   only control characters escaped, as lower-case \u00xx.
 * Both use the short escapes \" \\ \n \r \t \b \f. Bytes that are not valid
 * UTF-8 are repaired first (U+FFFD), as the original's from_utf8_lossy did. */
#ifndef CODEEXEC_JSONTEXT_H
#define CODEEXEC_JSONTEXT_H

#include <stddef.h>

#include "buf.h"

int jsontext_py_string(struct buf *out, const char *p, size_t n);
int jsontext_serde_string(struct buf *out, const char *p, size_t n);
/* The same without the quotes: the text of a literal, for writing one long
 * string in pieces (cut with utf8_safe_cut, the pieces concatenate to the
 * whole literal's text). */
int jsontext_py_chars(struct buf *out, const char *p, size_t n);
int jsontext_serde_chars(struct buf *out, const char *p, size_t n);
/* What json_dumps() writes for json_stringn() of the repaired text: as
 * serde's, but with upper-case hex in \u00XX (the project's own /v1
 * replies are built with jansson; this writes a string of them faster). */
int jsontext_jansson_string(struct buf *out, const char *p, size_t n);

#endif
