/* problems: the problem registry and its state directory (see problems.h).
 *
 * Theory of operation. The registry is an array of struct problem *, kept
 * sorted by name (a look-up is a binary search), plus the running total of
 * their bytes for the cap. Each entry holds one reference; problems_get
 * hands out more. A mutation never edits a problem: PUT brings a complete
 * new one, an append builds one (the stored tests copied, then the new
 * ones) on the worker thread, which only reads the stored problem (it is
 * immutable, and prepare took a reference so nobody frees it meanwhile;
 * reference counts themselves are only touched on the loop). The new
 * problem's file is written (statefile.h) before the registry changes, so
 * a failed write leaves both as they were; the swap on the loop drops the
 * registry's reference to the old problem, which lives on until the last
 * judge using it lets go. Mutations share the test banks' worker queue, so
 * they run one at a time, in arrival order, and each sees the effects of
 * the earlier ones.
 *
 * Why the queueing code below has a twin in store.c (submit, op_done's
 * shape) and is kept apart: the two look alike line for line, but what
 * they carry differs in every line that matters. A problem is reference
 * counted and immutable (problem_unref, and an append builds a new one on
 * the worker), a bank is owned and merged in place on the loop
 * (bank_free, bank_merge); the completion callbacks have different
 * signatures (the stored problem vs. the number of tests added); the
 * checks in prepare are different rules (a byte cap vs. read-only banks
 * and hash conflicts). One shared submit would need a generic op with
 * void pointer payloads, a payload destructor and a cast callback type:
 * more lines than the twenty it replaces, and the types the compiler
 * checks now would be lost. What is truly the same is shared: the worker
 * queue (worker.h), and the state files' atomic writes, scans and removal
 * (statefile.h).
 *
 * File format (docs/problems.md): JSONL. Line 1 is the header
 * {"name", "tests", "bytes", "hash", "checker", "limits"} (checker and
 * limits as stored, or null), then one {"stdin", "expected"} line per
 * test, in order. Loading re-checks the name, the count and the hash, so a
 * truncated or edited file stops start-up naming file:line, as a damaged
 * test bank file does. */
#define _GNU_SOURCE
#include "problems.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/buf.h"
#include "../util/jsonfast.h"
#include "../util/jsontext.h"
#include "../util/log.h"
#include "files.h"
#include "statefile.h"
#include "store.h"
#include "worker.h"

static struct problem **reg;
static size_t nreg;
static char *state_dir;
static uint64_t total_bytes, cap_bytes;

static long find(const char *name, size_t *insert_at)
{
        size_t lo = 0, hi = nreg;

        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                int c = strcmp(reg[mid]->name, name);
                if (c == 0)
                        return (long)mid;
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (insert_at)
                *insert_at = lo;
        return -1;
}

/* Stores p (its reference becomes the registry's), replacing any problem
 * of its name. */
static int reg_set(struct problem *p, struct err *e)
{
        size_t at = 0;
        long i = find(p->name, &at);
        struct problem **grown;

        if (i >= 0) {
                total_bytes -= reg[i]->bytes;
                problem_unref(reg[i]);
                reg[i] = p;
                total_bytes += p->bytes;
                return 0;
        }
        grown = realloc(reg, (nreg + 1) * sizeof(struct problem *));
        if (!grown)
                return err_set(e, ENOMEM, "problem registry");
        reg = grown;
        memmove(reg + at + 1, reg + at, (nreg - at) * sizeof(struct problem *));
        reg[at] = p;
        nreg++;
        total_bytes += p->bytes;
        return 0;
}

static void reg_remove(size_t at)
{
        total_bytes -= reg[at]->bytes;
        problem_unref(reg[at]);
        memmove(reg + at, reg + at + 1, (nreg - at - 1) * sizeof(struct problem *));
        nreg--;
}

/* The problem's persisted file, e.g. <state>/problems/ORG/NAME.jsonl. */
static void problem_path(const char *name, char *out, size_t len)
{
        snprintf(out, len, "%s/problems/%s.jsonl", state_dir, name);
}

/* ---- The file: writing (worker thread) and reading (start-up). ---- */

static int fill_problem(int fd, struct buf *out, void *arg)
{
        const struct problem *p = arg;

        buf_puts(out, "{\"name\":");
        jsontext_serde_string(out, p->name, strlen(p->name));
        buf_appendf(out,
                    ",\"tests\":%zu,\"bytes\":%llu,\"hash\":\"%s\",\"checker\":%s,\"limits\":%s}\n",
                    p->ntests, (unsigned long long)p->bytes, p->hash,
                    p->checker ? p->checker : "null", p->limits ? p->limits : "null");
        for (size_t i = 0; i < p->ntests; i++) {
                const struct problem_test *t = &p->tests[i];

                buf_puts(out, "{\"stdin\":");
                jsontext_serde_string(out, t->stdin_data, t->stdin_len);
                buf_puts(out, ",\"expected\":");
                jsontext_serde_string(out, t->expected, t->expected_len);
                buf_puts(out, "}\n");
                if (statefile_flush(fd, out, 0) < 0)
                        return -1;
        }
        return 0;
}

static int persist(const struct problem *p, struct err *e)
{
        char path[4096];

        problem_path(p->name, path, sizeof(path));
        return statefile_write(path, fill_problem, (void *)p, e);
}

/* A stored checker or limits value as JSON text (NULL for absent/null);
 * -1 when out of memory. */
static int json_text(json_t *v, char **out)
{
        *out = NULL;
        if (!v || json_is_null(v))
                return 0;
        *out = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
        return *out ? 0 : -1;
}

/* Reads the header line into a new problem named name. */
static struct problem *parse_header(json_t *h, const char *name, size_t *ntests, char hash[33],
                                    struct err *e)
{
        json_t *n = json_object_get(h, "name"), *cnt = json_object_get(h, "tests");
        json_t *hs = json_object_get(h, "hash");
        struct problem *p;

        if (!json_is_object(h) || !json_is_string(n) || !json_is_integer(cnt) ||
            json_integer_value(cnt) < 0 || !json_is_string(hs) || json_string_length(hs) != 32) {
                err_set(e, 0,
                        "the first line must be {\"name\", \"tests\", \"hash\", \"checker\", "
                        "\"limits\"}");
                return NULL;
        }
        if (strcmp(json_string_value(n), name) != 0) {
                err_set(e, 0, "the file is for problem '%s', its path for '%s'",
                        json_string_value(n), name);
                return NULL;
        }
        *ntests = (size_t)json_integer_value(cnt);
        memcpy(hash, json_string_value(hs), 33);
        p = problem_new(name);
        if (!p || json_text(json_object_get(h, "checker"), &p->checker) < 0 ||
            json_text(json_object_get(h, "limits"), &p->limits) < 0) {
                problem_unref(p);
                err_set(e, ENOMEM, "problem");
                return NULL;
        }
        return p;
}

static int add_test_line(struct problem *p, json_t *t, struct err *e)
{
        json_t *in = json_object_get(t, "stdin"), *ans = json_object_get(t, "expected");

        if (!json_is_object(t) || !json_is_string(in) || !json_is_string(ans))
                return err_set(e, 0,
                               "a test line must be {\"stdin\": string, \"expected\": string}");
        if (problem_add_test(p, json_string_value(in), json_string_length(in),
                             json_string_value(ans), json_string_length(ans)) < 0)
                return err_set(e, ENOMEM, "problem");
        return 0;
}

/* Parses a whole file's text (see the top of this file). */
static struct problem *parse_file(const char *name, char *text, size_t len, size_t *lineno,
                                  struct err *e)
{
        struct problem *p = NULL;
        size_t ntests = 0;
        char hash[33] = "";
        char *line = text, *end = text + len;

        for (*lineno = 1; line < end; (*lineno)++) {
                char *nl = memchr(line, '\n', (size_t)(end - line));
                size_t n = (nl ? nl : end) - line;
                json_error_t je;
                json_t *j = jsonfast_loadb(line, n, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &je);
                int rc;

                line = nl ? nl + 1 : end;
                if (!j) {
                        err_set(e, 0, "invalid JSON: %s", je.text);
                        goto fail;
                }
                if (!p) {
                        p = parse_header(j, name, &ntests, hash, e);
                        rc = p ? 0 : -1;
                } else {
                        rc = add_test_line(p, j, e);
                }
                json_decref(j);
                if (rc < 0)
                        goto fail;
        }
        if (!p) {
                err_set(e, 0, "empty file (no header line)");
                goto fail;
        }
        problem_seal(p);
        if (p->ntests != ntests || strcmp(p->hash, hash) != 0) {
                err_set(e, 0,
                        "%zu tests with hash %s, the header says %zu with hash %s (a "
                        "truncated or edited file?)",
                        p->ntests, p->hash, ntests, hash);
                goto fail;
        }
        return p;
fail:
        problem_unref(p);
        return NULL;
}

/* Loads one persisted <state>/problems/[ORG/]NAME.jsonl (statefile_scan). */
static int load_persisted(const char *name, const char *path, void *arg, struct err *e)
{
        size_t len, lineno = 0;
        char *text = bankfile_read(path, &len, e);
        struct problem *p;

        (void)arg;
        if (!text)
                return -1;
        p = parse_file(name, text, len, &lineno, e);
        free(text);
        if (!p)
                return err_wrap(e, "%s:%zu", path, lineno);
        if (reg_set(p, e) < 0) {
                problem_unref(p);
                return -1;
        }
        log_info("problem %s: %zu tests, %llu bytes, hash %s (%s)", name, p->ntests,
                 (unsigned long long)p->bytes, p->hash, path);
        return 0;
}

/* See problems.h. */
int problems_init(const char *dir, uint64_t cap, struct err *e)
{
        char path[4096];

        state_dir = strdup(dir);
        if (!state_dir)
                return err_set(e, ENOMEM, "state dir");
        cap_bytes = cap;
        snprintf(path, sizeof(path), "%s/problems", state_dir);
        if (statefile_scan(path, "problems", load_persisted, NULL, e) < 0)
                return err_wrap(e, "problems in the state directory");
        if (total_bytes > cap_bytes)
                log_warn("problems: the stored problems hold %llu bytes, over --problems-mb (%llu "
                         "bytes): new uploads are refused until some are deleted",
                         (unsigned long long)total_bytes, (unsigned long long)cap_bytes);
        return 0;
}

/* See problems.h. */
struct problem *problems_get(const char *name)
{
        long at = find(name, NULL);

        return at < 0 ? NULL : problem_ref(reg[at]);
}

/* See problems.h. */
size_t problems_count(void)
{
        return nreg;
}

/* See problems.h. */
const struct problem *problems_at(size_t i)
{
        return i < nreg ? reg[i] : NULL;
}

/* See problems.h. */
uint64_t problems_total_bytes(void)
{
        return total_bytes;
}

/* See problems.h. */
uint64_t problems_cap_bytes(void)
{
        return cap_bytes;
}

/* ---- Mutations: checked on the loop, built and written by the worker,
 * swapped in on the loop (worker.h runs them one at a time, in order). ---- */

enum op_kind { OP_PUT, OP_APPEND, OP_DELETE };

struct problem_op {
        struct worker_item item; /* first: the worker hands it back */
        enum op_kind kind;
        char name[BANK_NAME_MAX + 1];
        struct problem *p;    /* PUT: the new problem; APPEND: the tests to add */
        struct problem *base; /* APPEND: the stored problem (a reference) */
        struct problem *made; /* APPEND: base's tests then p's, built by the worker */
        int rc;
        struct err e;
        problems_done_fn fn;
        void *arg;
};

static void over_cap(struct problem_op *op, uint64_t after)
{
        err_set(&op->e, 0,
                "problem %s would bring the stored problems to %llu bytes, over the %llu bytes "
                "this server keeps (--problems-mb): delete some first",
                op->name, (unsigned long long)after, (unsigned long long)cap_bytes);
        op->rc = PROBLEMS_EFULL;
}

static void op_prepare(struct worker_item *it)
{
        struct problem_op *op = (struct problem_op *)it;
        long at = find(op->name, NULL);
        uint64_t old = at >= 0 ? reg[at]->bytes : 0, after;

        if (op->kind != OP_PUT && at < 0) {
                err_set(&op->e, 0, "no problem named %s", op->name);
                op->rc = PROBLEMS_ENOTFOUND;
        } else if (op->kind != OP_DELETE && (after = total_bytes - (op->kind == OP_PUT ? old : 0) +
                                                     op->p->bytes) > cap_bytes) {
                over_cap(op, after);
        } else if (op->kind == OP_APPEND) {
                op->base = problem_ref(reg[at]);
        }
        it->skip_work = op->rc < 0;
}

/* base's tests, then more's, as a new sealed problem (worker thread). */
static struct problem *concat(const struct problem *base, const struct problem *more)
{
        struct problem *p = problem_new(base->name);
        const struct problem *parts[2] = {base, more};

        if (!p)
                return NULL;
        if ((base->checker && !(p->checker = strdup(base->checker))) ||
            (base->limits && !(p->limits = strdup(base->limits))))
                goto fail;
        for (size_t k = 0; k < 2; k++)
                for (size_t i = 0; i < parts[k]->ntests; i++) {
                        const struct problem_test *t = &parts[k]->tests[i];
                        if (problem_add_test(p, t->stdin_data, t->stdin_len, t->expected,
                                             t->expected_len) < 0)
                                goto fail;
                }
        problem_seal(p);
        return p;
fail:
        problem_unref(p);
        return NULL;
}

static void op_work(struct worker_item *it)
{
        struct problem_op *op = (struct problem_op *)it;
        char path[4096];

        if (op->kind == OP_DELETE) {
                problem_path(op->name, path, sizeof(path));
                if (statefile_remove(path, &op->e) < 0)
                        op->rc = PROBLEMS_EIO;
                return;
        }
        if (op->kind == OP_APPEND) {
                op->made = concat(op->base, op->p);
                if (!op->made) {
                        err_set(&op->e, ENOMEM, "problem %s", op->name);
                        op->rc = PROBLEMS_EIO;
                        return;
                }
        }
        if (persist(op->made ? op->made : op->p, &op->e) < 0)
                op->rc = PROBLEMS_EIO;
}

static void op_done(struct worker_item *it)
{
        struct problem_op *op = (struct problem_op *)it;
        struct problem *stored = NULL;

        if (op->rc == 0 && op->kind == OP_DELETE) {
                reg_remove((size_t)find(op->name, NULL));
        } else if (op->rc == 0) {
                struct problem **slot = op->made ? &op->made : &op->p;
                if (reg_set(*slot, &op->e) < 0) {
                        op->rc = PROBLEMS_EIO;
                } else {
                        stored = *slot;
                        *slot = NULL;
                }
        }
        if (op->rc == 0)
                log_info("problem %s: %s", op->name,
                         op->kind == OP_DELETE ? "deleted"
                         : op->kind == OP_PUT  ? "stored"
                                               : "tests appended");
        op->fn(op->rc, &op->e, stored, op->arg);
        problem_unref(op->p);
        problem_unref(op->base);
        problem_unref(op->made);
        free(op);
}

static int submit(struct event_base *base, enum op_kind kind, const char *name, struct problem *p,
                  problems_done_fn fn, void *arg, struct err *e)
{
        struct problem_op *op = calloc(1, sizeof(*op));

        if (!op) {
                problem_unref(p);
                return err_set(e, ENOMEM, "problem operation");
        }
        op->item.prepare = op_prepare;
        op->item.work = op_work;
        op->item.done = op_done;
        op->kind = kind;
        snprintf(op->name, sizeof(op->name), "%s", name);
        op->p = p;
        op->fn = fn;
        op->arg = arg;
        if (worker_submit(base, &op->item, e) < 0) {
                problem_unref(p);
                free(op);
                return -1;
        }
        return 0;
}

/* See problems.h. */
int problems_put(struct event_base *base, struct problem *p, problems_done_fn fn, void *arg,
                 struct err *e)
{
        return submit(base, OP_PUT, p->name, p, fn, arg, e);
}

/* See problems.h. */
int problems_append(struct event_base *base, const char *name, struct problem *more,
                    problems_done_fn fn, void *arg, struct err *e)
{
        return submit(base, OP_APPEND, name, more, fn, arg, e);
}

/* See problems.h. */
int problems_delete(struct event_base *base, const char *name, problems_done_fn fn, void *arg,
                    struct err *e)
{
        return submit(base, OP_DELETE, name, NULL, fn, arg, e);
}
