/* jsoncost: what program output will cost once it is written into a reply,
 * counted while the output is collected (so a reply's size is bounded
 * before it is built, not after).
 *
 * Output is repaired (invalid UTF-8 becomes U+FFFD, 3 bytes) and, in JSON,
 * escaped: a control byte becomes \u00XX (6 bytes), '"' '\\' '\n' ... two.
 * The meter charges each byte an upper bound of its share of the encoded
 * text, exact for ASCII and never below the truth for the rest: a sequence
 * lead is charged as one replacement character, the continuation bytes of
 * a valid sequence what the character costs beyond that. It keeps a little
 * state per stream so sequences split across reads are charged right. */
#ifndef CODEEXEC_JSONCOST_H
#define CODEEXEC_JSONCOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jcost_mode {
        JCOST_TEXT,        /* raw text (repaired, not escaped): /py_exec */
        JCOST_JSON,        /* a JSON string, raw UTF-8, controls escaped: /v1, json_resp */
        JCOST_JSON_ASCII,  /* Python's json.dumps (ensure_ascii): /any_exec */
        JCOST_JSON_NESTED, /* a JSON string inside a JSON string: /py_exec's gateway form */
};

struct jcost_meter {
        uint8_t need;   /* continuation bytes still expected */
        uint8_t len;    /* length of the sequence being read */
        uint8_t lo, hi; /* range allowed for the next continuation byte */
        bool full;      /* a byte did not fit: nothing more is kept */
};

/* Charges p[0..n) against *budget (encoded bytes left) in mode, and returns
 * how many leading bytes fit; once a byte does not fit, the stream is full
 * (what is kept is always a prefix). */
size_t jcost_fit(struct jcost_meter *m, enum jcost_mode mode, const char *p, size_t n,
                 uint64_t *budget);

/* The largest cut <= want in p[0..n) at which repairing the two parts
 * separately gives the same text as repairing the whole: before a byte that
 * is not a continuation byte, or after three continuation bytes. want >= n
 * gives n; never returns 0 for want >= 4. */
size_t utf8_safe_cut(const char *p, size_t n, size_t want);

#endif
