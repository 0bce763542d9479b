/* pyjson: JSON text exactly as Python's json.dumps() writes it.
 *
 * The original server's /any_exec reply is the output of
 * print(json.dumps(result)) from MultiPL-E's evaluator, so our bytes must
 * follow Python's defaults: ", " and ": " separators, ensure_ascii (every
 * non-ASCII character as a lowercase \uXXXX escape, astral ones as
 * surrogate pairs), and the short escapes \" \\ \n \r \t \b \f. Program
 * output that is not valid UTF-8 is repaired first (U+FFFD). */
#ifndef CODEEXEC_PYJSON_H
#define CODEEXEC_PYJSON_H

#include <stddef.h>

#include "../util/buf.h"

/* Appends a JSON string literal for the bytes p[0..n). */
int pyjson_string(struct buf *out, const char *p, size_t n);

#endif
