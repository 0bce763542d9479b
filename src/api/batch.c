/* batch: POST /v1/batch — many runs in one request, results streamed back.
 *
 * Theory of operation. The body {"runs": [...]} is validated item by item
 * (a bad item becomes an error line, not a failed batch); the valid runs are
 * submitted to the scheduler like any other, so a batch shares the slots
 * fairly in FIFO order with everything else. The reply is chunked NDJSON:
 * one line per run in completion order, {"index": i, ...result} or
 * {"index": i, "error": code, "message": text}, then {"done": true,
 * "count": n}. An item with "tests" or "problem" is a judge (api/judge.c):
 * its line is the /v1/judge result with its index. If the client hangs up,
 * every run still queued or running is cancelled. */
#define _GNU_SOURCE
#include <event2/http.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../exec/sched.h"
#include "../http/http.h"
#include "common.h"
#include "judge_item.h"
#include "stdins.h"
#include "reply.h"
#include "request.h"
#include "routes.h"
#include "v1.h"

struct batch;

struct batch_item {
        struct batch *batch;
        size_t index;
        struct job *job;             /* NULL once finished or never started */
        struct judge_reply *judge;   /* a judge item (api/judge.c), likewise */
        struct stdins_reply *stdins; /* a run with stdins (api/stdins.c), likewise */
};

struct batch {
        struct evhttp_request *req;
        struct http_stream *stream;
        struct batch_item *items;
        size_t n, done;
};

/* A line of literal text as one body of the stream. */
static void emit_text(struct batch *b, const char *line)
{
        struct reply *r = reply_new(NULL);
        struct http_body body;

        if (!r)
                return;
        reply_lit(r, line);
        reply_lit(r, "\n");
        reply_body(r, &body);
        http_stream_push(b->stream, &body);
}

static void emit_error(struct batch *b, size_t index, const char *code, const char *message)
{
        json_t *o = json_pack("{s:I, s:s, s:s}", "index", (json_int_t)index, "error", code,
                              "message", message);
        char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

        if (s)
                emit_text(b, s);
        free(s);
        json_decref(o);
}

static void batch_free(struct batch *b)
{
        free(b->items);
        free(b);
}

static void maybe_end(struct batch *b)
{
        char line[64];

        if (b->done < b->n)
                return;
        snprintf(line, sizeof(line), "{\"done\":true,\"count\":%zu}", b->n);
        emit_text(b, line);
        http_stream_close(b->stream);
        batch_free(b);
}

static void on_item_done(struct job *job, void *arg)
{
        struct batch_item *it = arg;
        struct batch *b = it->batch;

        it->job = NULL;
        api_note_job(b->req, job);
        if (job->outcome == JOB_SANDBOX_ERROR) {
                emit_error(b, it->index, "sandbox_error", job->error);
                job_free(job);
        } else {
                /* the line is written from the job's output as the client
                 * reads; the reply frees the job once written */
                struct reply *r = reply_new(job);
                struct http_body body;

                if (r) {
                        reply_litf(r, "{\"index\":%zu,", it->index);
                        v1_write_result(r, job);
                        reply_lit(r, "}\n");
                        reply_body(r, &body);
                        http_stream_push(b->stream, &body);
                }
        }
        b->done++;
        maybe_end(b);
}

/* A judge item or a run with stdins ended: its line. */
static void on_judge_done(void *arg, struct http_body *body)
{
        struct batch_item *it = arg;
        struct batch *b = it->batch;

        it->judge = NULL;
        it->stdins = NULL;
        if (body)
                http_stream_push(b->stream, body);
        else
                emit_error(b, it->index, "out_of_memory", "out of memory");
        b->done++;
        maybe_end(b);
}

/* The client went away: the stream is being freed; cancel what is left. */
static void on_batch_gone(void *arg)
{
        struct batch *b = arg;

        for (size_t i = 0; i < b->n; i++)
                if (b->items[i].job)
                        job_cancel(b->items[i].job);
                else if (b->items[i].judge)
                        api_judge_item_cancel(b->items[i].judge);
                else if (b->items[i].stdins)
                        v1_stdins_cancel(b->items[i].stdins);
        batch_free(b);
}

void route_v1_batch(struct evhttp_request *req)
{
        size_t len, max = api_config()->max_batch;
        const char *body = http_body(req, &len);
        json_t *root = req_parse(body, len), *runs;
        struct batch *b;
        char msg[128];

        if (!root) {
                http_reply_error(req, 400, "invalid_json", "the body is not a JSON object");
                return;
        }
        runs = json_object_get(root, "runs");
        if (!json_is_array(runs) || json_array_size(runs) == 0 || json_array_size(runs) > max) {
                snprintf(msg, sizeof(msg), "'runs' must be an array of 1 to %zu runs", max);
                http_reply_error(req, 400, "invalid_field", msg);
                json_decref(root);
                return;
        }
        b = calloc(1, sizeof(*b));
        if (b)
                b->items = calloc(json_array_size(runs), sizeof(*b->items));
        if (!b || !b->items) {
                free(b);
                http_reply_error(req, 500, "out_of_memory", "out of memory");
                json_decref(root);
                return;
        }
        b->req = req;
        b->n = json_array_size(runs);
        /* Open before submitting: a job may not finish before this returns
         * (completions are reported from the loop), but the batch may end
         * inside this loop when every item is invalid. The stream watches
         * the client from now on. */
        b->stream = http_stream_open(req, 200, "application/x-ndjson", false, on_batch_gone, b);
        if (!b->stream) {
                batch_free(b);
                http_reply_error(req, 500, "out_of_memory", "out of memory");
                json_decref(root);
                return;
        }
        for (size_t i = 0; i < b->n; i++) {
                struct batch_item *it = &b->items[i];
                struct v1_error err;
                json_t *run = json_array_get(runs, i);
                struct job *job;

                it->batch = b;
                it->index = i;
                if (api_is_judge(run)) {
                        it->judge = api_judge_item(req, run, i, on_judge_done, it, &err);
                        if (!it->judge) {
                                emit_error(b, i, err.code, err.message);
                                b->done++;
                        }
                        continue;
                }
                if (json_is_object(run) && v1_has_stdins(run)) {
                        char prefix[48];

                        snprintf(prefix, sizeof(prefix), "{\"index\":%zu,", i);
                        it->stdins = v1_stdins_start(req, run, prefix, on_judge_done, it, &err);
                        if (!it->stdins) {
                                emit_error(b, i, err.code, err.message);
                                b->done++;
                        }
                        continue;
                }
                job = v1_job_from_json(run, &err);
                if (!job) {
                        emit_error(b, i, err.code, err.message);
                        b->done++;
                        continue;
                }
                job->on_done = on_item_done;
                job->on_done_arg = it;
                if (sched_submit(job) < 0) {
                        job_free(job);
                        emit_error(b, i, "busy", "the run queue is full");
                        b->done++;
                        continue;
                }
                it->job = job;
        }
        json_decref(root);
        maybe_end(b);
}
