/* reply: a reply body as a list of pieces — literal text, and program
 * output that is encoded only while the body is written (http_stream), a
 * slice at a time. A reply to a run never holds its encoded form whole,
 * and no slice takes the loop for long.
 *
 * The reply owns the job whose output it points into (reply_new), and
 * frees it with itself, once the last byte is written or the client is
 * gone. */
#ifndef CODEEXEC_REPLY_H
#define CODEEXEC_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "../exec/job.h"
#include "../util/jsoncost.h"

struct reply;
struct http_body;

/* A new, empty reply that owns job (NULL: none). NULL when out of memory
 * (job is freed then). */
struct reply *reply_new(struct job *job);
void reply_free(struct reply *r);

/* Makes r own p too (freed with free_fn when r is): what reply_text
 * pointers point into, other than a job's buffers. One per reply. */
void reply_own(struct reply *r, void *p, void (*free_fn)(void *));

/* Literal text (copied). */
void reply_lit(struct reply *r, const char *s);
void reply_litn(struct reply *r, const char *s, size_t n);
void reply_litf(struct reply *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A short string as a JSON literal, quotes included (copied). */
void reply_json_str(struct reply *r, const char *s);
/* Program output p[0..n), repaired and encoded for mode (JCOST_TEXT: as
 * is; the JSON modes: the text of a string literal, without its quotes).
 * p is not copied: it must live as long as r (the job's buffers). */
void reply_text(struct reply *r, enum jcost_mode mode, const char *p, size_t n);
/* An allocation failed while building r. */
bool reply_failed(const struct reply *r);

/* Turns r into a body for http_stream_push / http_reply_body, which then
 * owns it. */
void reply_body(struct reply *r, struct http_body *b);

/* Encoded size of p[0..n) in mode if it is at most max, else (size_t)-1
 * (costs O(min(n, max))). */
size_t reply_cost_within(enum jcost_mode mode, const char *p, size_t n, size_t max);

#endif
