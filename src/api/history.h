/* history: the last runs, in bounded memory, for the web console's History
 * view (console.c), and the last sandbox errors for its Status view.
 *
 * Every run an endpoint submits through api_run_job() is recorded when it
 * finishes (api_note_job), and every judge when it ends (api/judge.c): what was asked (language,
 * code, stdin, args, endpoint) and what came of it (verdict, status, exit code, times, memory,
 * stdout, stderr), each text cut to a fixed size. The ring holds
 * api_config()->history entries (0: nothing is kept); the oldest goes
 * first. Event-loop thread only. */
#ifndef CODEEXEC_API_HISTORY_H
#define CODEEXEC_API_HISTORY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct evhttp_request;
struct job;
struct judge;

/* Bytes kept of each text of a run. */
#define HISTORY_CODE_BYTES (32 * 1024)
#define HISTORY_TEXT_BYTES (8 * 1024)
/* Sandbox errors kept for the status. */
#define HISTORY_ERRORS 10

/* Records the finished job of req. */
void history_record(struct evhttp_request *req, const struct job *job);
/* Records a finished judge of req (/v1/judge, or a judge item of a
 * /v1/batch) in the same ring: "kind": "judge", the judge's verdict,
 * "passed" and "total", the program as a run's request, and as its result
 * the tests by verdict and the output of what decided the verdict. */
void history_record_judge(struct evhttp_request *req, const struct judge *j);

/* The kept runs, newest first, as summaries (no code or output), those of
 * language and verdict only when not NULL, at most limit of them. */
json_t *history_list(const char *language, const char *verdict, size_t limit);
/* One kept run whole (request and result), or NULL when it is gone. */
json_t *history_get(uint64_t id);
/* The last sandbox errors, newest first. */
json_t *history_errors(void);
/* Entries kept now, and the ring's size. */
size_t history_count(void);
size_t history_capacity(void);
/* Frees every entry (at exit, for leak checkers). */
void history_free(void);

#endif
