/* jsonfast: a fast JSON decoder that declines rather than disagrees.
 *
 * jansson reads a byte at a time through a stream layer and grows each
 * string in a buffer of its own: about 65 MB/s here, 18 ms of the server's
 * only thread for a judge request carrying 1.2 MB of tests. This decoder
 * works on the bytes in place and builds the same jansson values. It
 * accepts only what it is sure jansson accepts, with the same value: on
 * anything else — any error, a duplicate key, a NUL in a key, a number out
 * of range, nesting deeper than JSONFAST_MAX_DEPTH — it declines, and
 * jsonfast_loadb() hands the text to json_loadb(), so what is accepted and
 * every error message stay jansson's. tests/fuzz/fuzz_jsonfast.c checks
 * that promise differentially. */
#ifndef CODEEXEC_JSONFAST_H
#define CODEEXEC_JSONFAST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define JSONFAST_MAX_DEPTH 256

/* The value buf[0..len) holds, decoded under jansson's flags (only
 * JSON_REJECT_DUPLICATES, JSON_ALLOW_NUL and JSON_DECODE_ANY are understood;
 * any other flag makes it decline); NULL when it declines. */
json_t *jsonfast_decode(const char *buf, size_t len, size_t flags);

/* json_loadb() with the same arguments and the same result, fast when it
 * can be. */
json_t *jsonfast_loadb(const char *buf, size_t len, size_t flags, json_error_t *error);

/* Decodes the body of a JSON string, from just after its opening quote at
 * *pp, into out (room for end - *pp bytes: decoding never grows the text);
 * advances *pp past the closing quote. Returns the decoded length, or -1
 * when the text is not a string jansson would accept (with allow_nul, as
 * under JSON_ALLOW_NUL, \u0000 is accepted). */
long jsonfast_string(const char **pp, const char *end, char *out, bool allow_nul);

#endif
