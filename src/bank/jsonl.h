/* jsonl: reading tests into a bank from text.
 *
 * JSONL: one JSON object per line, {"test": "<text>", "hash": "<md5 hex>"};
 * "hash" is optional (computed when absent) and, when given, must be the MD5
 * of the test's UTF-8 bytes. Other fields are ignored (dataset exports carry
 * more columns). Blank lines are skipped. A line repeating an earlier test
 * exactly is a duplicate and is dropped (counted); a hash that maps to a
 * different text is an error. */
#ifndef CODEEXEC_JSONL_H
#define CODEEXEC_JSONL_H

#include <stddef.h>

#include "../util/err.h"
#include "bank.h"

struct jsonl_stats {
        size_t lines;      /* non-blank lines read */
        size_t added;      /* new tests */
        size_t duplicates; /* lines whose test was already there */
        size_t error_line; /* 1-based line of the error, 0 if none */
};

/* Parses text[0..len) into b. On error returns -1 with e = "<source>:<line>:
 * <reason>" and st->error_line set; the lines before the bad one are in b,
 * so callers parse into a fresh bank and discard it on failure. st may be
 * NULL. */
int jsonl_parse(struct bank *b, const char *text, size_t len, const char *source,
                struct jsonl_stats *st, struct err *e);

/* Parses {"tests": ["<text>", ...]} into b (same duplicate rules); on a
 * non-string element, e names its index. Returns -1 when text is not such an
 * object (e says why) so the caller may try JSONL instead. The digests of the
 * tests, in input order, are appended to digests (16 bytes each) when not
 * NULL. */
int jsonl_parse_tests_object(struct bank *b, const char *text, size_t len, struct jsonl_stats *st,
                             unsigned char **digests, struct err *e);

#endif
