/* store: the bank registry and its state directory (see store.h).
 *
 * Theory of operation. The registry is a small array of (name, bank, origin)
 * kept sorted by name; look-ups are a binary search for the name and then a
 * hash probe in the bank. A mutation is prepared completely before anything
 * visible changes: the new contents are written to a temporary file next to
 * the bank's file (".<name>.jsonl.XXXXXX", a name no bank can have), fsync'd
 * and renamed over it, and only then is the in-memory bank swapped or
 * extended, so a failed upload leaves both the file and the served bank as
 * they were. A crash mid-write leaves at worst a temporary file, which the
 * next start-up removes. Persisted files are JSONL with both fields, in the
 * bank's insertion order, re-validated like any other input when loaded.
 * The write (and its fsync) happens on the worker thread (worker.h), so a
 * large upload does not stall the event loop; mutations are queued and
 * applied one at a time, in the order they arrived. */
#define _GNU_SOURCE
#include "store.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../util/buf.h"
#include "../util/jsontext.h"
#include "../util/log.h"
#include "files.h"
#include "jsonl.h"
#include "statefile.h"
#include "worker.h"

struct named {
        char *name;
        struct bank *bank;
        bool read_only;
        char *source;
};

static struct named *reg;
static size_t nreg;
static char *state_dir;

/* See store.h. */
void banks_default_state_dir(char *out, size_t len)
{
        const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

        if (geteuid() == 0)
                snprintf(out, len, "/var/lib/codeexec");
        else if (xdg && xdg[0] == '/')
                snprintf(out, len, "%s/codeexec", xdg);
        else {
                if (!home || !*home) {
                        struct passwd *pw = getpwuid(geteuid());
                        home = pw ? pw->pw_dir : "/tmp";
                }
                snprintf(out, len, "%s/.local/state/codeexec", home);
        }
}

static bool component_valid(const char *s, size_t n)
{
        if (n == 0 || s[0] == '.')
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-'))
                        return false;
        }
        return true;
}

/* See store.h. */
bool banks_name_valid(const char *name)
{
        const char *slash = strchr(name, '/');
        size_t n = strlen(name);

        if (n == 0 || n > BANK_NAME_MAX)
                return false;
        if (!slash)
                return component_valid(name, n);
        /* ORG is a directory beside the NAME.jsonl files: "x.jsonl/y" and
         * "x" would want the same path, one as a directory, one as a file. */
        if (slash - name >= 6 && memcmp(slash - 6, ".jsonl", 6) == 0)
                return false;
        return !strchr(slash + 1, '/') && component_valid(name, (size_t)(slash - name)) &&
               component_valid(slash + 1, strlen(slash + 1));
}

static long find(const char *name, size_t *insert_at)
{
        size_t lo = 0, hi = nreg;

        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                int c = strcmp(reg[mid].name, name);
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

/* Inserts a new registry entry (the name must be absent); takes bank when it
 * succeeds and source always (the callers pass a fresh strdup, which fails
 * the insert when it is NULL). */
static int reg_insert(const char *name, struct bank *bank, bool read_only, char *source,
                      struct err *e)
{
        size_t at = 0;
        struct named *grown;
        char *copy = strdup(name);

        find(name, &at);
        grown = copy && source ? realloc(reg, (nreg + 1) * sizeof(*reg)) : NULL;
        if (!grown) {
                free(copy);
                free(source);
                return err_set(e, ENOMEM, "bank registry");
        }
        reg = grown;
        memmove(reg + at + 1, reg + at, (nreg - at) * sizeof(*reg));
        reg[at] = (struct named){copy, bank, read_only, source};
        nreg++;
        return 0;
}

static void reg_remove(size_t at)
{
        free(reg[at].name);
        bank_free(reg[at].bank);
        free(reg[at].source);
        memmove(reg + at, reg + at + 1, (nreg - at - 1) * sizeof(*reg));
        nreg--;
}

/* The bank's persisted file, e.g. <state>/testbanks/ORG/NAME.jsonl. */
static void bank_path(const char *name, char *out, size_t len)
{
        snprintf(out, len, "%s/testbanks/%s.jsonl", state_dir, name);
}

/* Appends the entries of b (those not in skip, when given) as JSONL lines. */
static int write_entries(int fd, struct buf *out, const struct bank *b, const struct bank *skip)
{
        for (size_t i = 0; i < bank_count(b); i++) {
                const unsigned char *d;
                size_t len, l2;
                const char *text = bank_at(b, i, &d, &len);
                char hex[MD5_HEX_LEN + 1];

                if (skip && bank_find(skip, d, &l2))
                        continue;
                md5_hex(d, hex);
                buf_appendf(out, "{\"hash\":\"%s\",\"test\":", hex);
                jsontext_serde_string(out, text, len);
                buf_puts(out, "}\n");
                if (statefile_flush(fd, out, 0) < 0)
                        return -1;
        }
        return 0;
}

struct persist_arg {
        const struct bank *b, *extra;
};

static int fill_bank(int fd, struct buf *out, void *arg)
{
        struct persist_arg *pa = arg;

        if (write_entries(fd, out, pa->b, NULL) < 0)
                return -1;
        return pa->extra ? write_entries(fd, out, pa->extra, pa->b) : 0;
}

/* Writes b (then the new entries of extra) as the bank's file, atomically. */
static int persist(const char *name, const struct bank *b, const struct bank *extra, struct err *e)
{
        char path[4096];
        struct persist_arg pa = {b, extra};

        bank_path(name, path, sizeof(path));
        return statefile_write(path, fill_bank, &pa, e);
}

/* Loads one persisted <state>/testbanks/[ORG/]NAME.jsonl (statefile_scan). */
static int load_persisted(const char *name, const char *path, void *arg, struct err *e)
{
        size_t len;
        struct bank *b;
        struct jsonl_stats js;
        char *text = bankfile_read(path, &len, e);
        int rc;

        (void)arg;
        b = text ? bank_new() : NULL;
        if (!b) {
                free(text);
                return text ? err_set(e, ENOMEM, "%s", path) : -1;
        }
        rc = jsonl_parse(b, text, len, path, &js, e);
        free(text);
        if (rc == 0)
                rc = reg_insert(name, b, false, strdup(path), e);
        if (rc < 0)
                bank_free(b);
        else
                log_info("test bank %s: %zu tests (uploaded; %s)", name, bank_count(b), path);
        return rc;
}

static double clock_ms(clockid_t clock)
{
        struct timespec ts;

        clock_gettime(clock, &ts);
        return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int load_spec(const char *spec, struct err *e)
{
        const char *eq = strchr(spec, '=');
        char name[BANK_NAME_MAX + 1];
        struct jsonl_stats st;
        size_t nfiles = 0;
        struct bank *b;
        long at;
        bool fresh;

        double t0 = clock_ms(CLOCK_MONOTONIC), c0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);

        if (!eq || eq == spec || !eq[1])
                return err_set(e, 0, "--testbank %s: expected NAME=PATH", spec);
        if ((size_t)(eq - spec) > BANK_NAME_MAX)
                return err_set(e, 0, "--testbank %s: name too long", spec);
        snprintf(name, sizeof(name), "%.*s", (int)(eq - spec), spec);
        if (!banks_name_valid(name))
                return err_set(e, 0,
                               "--testbank %s: invalid bank name '%s' (letters, digits, . _ -, "
                               "optionally ORG/NAME)",
                               spec, name);
        at = find(name, NULL);
        if (at >= 0 && !reg[at].read_only) {
                log_warn("test bank %s: --testbank %s replaces the uploaded copy in %s", name,
                         eq + 1, reg[at].source);
                reg_remove((size_t)at);
                at = -1;
        }
        fresh = at < 0;
        b = fresh ? bank_new() : reg[at].bank;
        if (!b)
                return err_set(e, ENOMEM, "bank");
        if (bankfile_load_path(b, name, eq + 1, &st, &nfiles, e) < 0) {
                if (fresh)
                        bank_free(b);
                return err_wrap(e, "--testbank %s", name);
        }
        if (fresh) {
                if (reg_insert(name, b, true, strdup(eq + 1), e) < 0) {
                        bank_free(b);
                        return -1;
                }
        } else {
                struct buf src;
                buf_init(&src, 0);
                buf_appendf(&src, "%s, %s", reg[at].source ? reg[at].source : "", eq + 1);
                free(reg[at].source);
                reg[at].source = src.data;
        }
        log_info("test bank %s: %zu tests from %zu file(s) under %s (%zu duplicate lines dropped) "
                 "in %.1f ms (%.1f ms of CPU)",
                 name, bank_count(b), nfiles, eq + 1, st.duplicates, clock_ms(CLOCK_MONOTONIC) - t0,
                 clock_ms(CLOCK_PROCESS_CPUTIME_ID) - c0);
        return 0;
}

/* See store.h. */
int banks_init(const char *dir, char *const *specs, size_t nspecs, struct err *e)
{
        char path[4096];

        state_dir = strdup(dir);
        if (!state_dir)
                return err_set(e, ENOMEM, "state dir");
        snprintf(path, sizeof(path), "%s/testbanks", state_dir);
        if (statefile_scan(path, "test banks", load_persisted, NULL, e) < 0)
                return err_wrap(e, "test banks in the state directory");
        for (size_t i = 0; i < nspecs; i++)
                if (load_spec(specs[i], e) < 0)
                        return -1;
        return 0;
}

/* See store.h. */
const char *banks_lookup(const char *name, const unsigned char digest[MD5_DIGEST_LEN], size_t *len)
{
        long at = find(name, NULL);

        return at < 0 ? NULL : bank_find(reg[at].bank, digest, len);
}

/* ---- Mutations: prepared on the loop, written by the worker, committed on
 * the loop (worker.h runs them one at a time, in order). ---- */

enum op_kind { OP_REPLACE, OP_ADD, OP_DELETE };

struct bank_op {
        struct worker_item item; /* first: the worker hands it back */
        enum op_kind kind;
        char name[BANK_NAME_MAX + 1];
        struct bank *bank;   /* REPLACE: the new bank; ADD: staging, or the new bank (create) */
        struct bank *target; /* ADD to an existing bank: that bank (pinned while queued) */
        bool create;
        int rc;
        size_t added;
        struct err e;
        banks_done_fn fn;
        void *arg;
};

static int read_only_error(const char *name, long at, struct err *e)
{
        err_set(e, 0, "test bank %s is loaded from %s (--testbank) and is read-only", name,
                reg[at].source);
        return BANKS_EREADONLY;
}

static void op_prepare(struct worker_item *it)
{
        struct bank_op *op = (struct bank_op *)it;
        long at = find(op->name, NULL), bad;

        if (op->kind == OP_DELETE && at < 0) {
                err_set(&op->e, 0, "no test bank named %s", op->name);
                op->rc = BANKS_ENOTFOUND;
        } else if (at >= 0 && reg[at].read_only) {
                op->rc = read_only_error(op->name, at, &op->e);
        } else if (op->kind == OP_ADD && at < 0) {
                /* A new bank: staging is its whole content. */
                op->create = true;
                op->added = bank_count(op->bank);
        } else if (op->kind == OP_ADD) {
                op->target = reg[at].bank;
                bad = bank_conflict(op->target, op->bank);
                if (bad >= 0) {
                        const unsigned char *d;
                        size_t len;
                        char hex[MD5_HEX_LEN + 1];
                        bank_at(op->bank, (size_t)bad, &d, &len);
                        md5_hex(d, hex);
                        err_set(&op->e, 0,
                                "hash %s is already taken by a different test in bank %s", hex,
                                op->name);
                        op->rc = BANKS_EINPUT;
                } else if (bank_reserve(op->target, bank_count(op->bank)) < 0) {
                        err_set(&op->e, ENOMEM, "bank %s", op->name);
                        op->rc = BANKS_EIO;
                }
        }
        it->skip_work = op->rc < 0;
}

static void op_work(struct worker_item *it)
{
        struct bank_op *op = (struct bank_op *)it;
        char path[4096];

        if (op->kind == OP_DELETE) {
                bank_path(op->name, path, sizeof(path));
                if (statefile_remove(path, &op->e) < 0)
                        op->rc = BANKS_EIO;
                return;
        }
        if (persist(op->name, op->target ? op->target : op->bank, op->target ? op->bank : NULL,
                    &op->e) < 0)
                op->rc = BANKS_EIO;
}

static int op_commit(struct bank_op *op)
{
        long at = find(op->name, NULL);
        char path[4096];

        switch (op->kind) {
        case OP_DELETE:
                reg_remove((size_t)at);
                return 0;
        case OP_ADD:
                if (op->target) {
                        op->added = bank_merge(op->target, op->bank);
                        return 0;
                }
                break;
        case OP_REPLACE:
                break;
        }
        if (at >= 0) {
                bank_free(reg[at].bank);
                reg[at].bank = op->bank;
                op->bank = NULL;
                return 0;
        }
        bank_path(op->name, path, sizeof(path));
        if (reg_insert(op->name, op->bank, false, strdup(path), &op->e) < 0)
                return BANKS_EIO;
        op->bank = NULL;
        return 0;
}

static void op_done(struct worker_item *it)
{
        struct bank_op *op = (struct bank_op *)it;

        if (op->rc == 0)
                op->rc = op_commit(op);
        if (op->rc == 0)
                log_info("test bank %s: %s", op->name,
                         op->kind == OP_DELETE ? "deleted"
                         : op->kind == OP_ADD  ? "tests added"
                                               : "replaced");
        op->fn(op->rc, &op->e, op->added, op->arg);
        bank_free(op->bank);
        free(op);
}

static int submit(struct event_base *base, enum op_kind kind, const char *name, struct bank *b,
                  banks_done_fn fn, void *arg, struct err *e)
{
        struct bank_op *op = calloc(1, sizeof(*op));

        if (!op) {
                bank_free(b);
                return err_set(e, ENOMEM, "bank operation");
        }
        op->item.prepare = op_prepare;
        op->item.work = op_work;
        op->item.done = op_done;
        op->kind = kind;
        snprintf(op->name, sizeof(op->name), "%s", name);
        op->bank = b;
        op->fn = fn;
        op->arg = arg;
        if (worker_submit(base, &op->item, e) < 0) {
                bank_free(b);
                free(op);
                return -1;
        }
        return 0;
}

/* See store.h. */
int banks_replace(struct event_base *base, const char *name, struct bank *b, banks_done_fn fn,
                  void *arg, struct err *e)
{
        return submit(base, OP_REPLACE, name, b, fn, arg, e);
}

/* See store.h. */
int banks_add(struct event_base *base, const char *name, struct bank *staging, banks_done_fn fn,
              void *arg, struct err *e)
{
        return submit(base, OP_ADD, name, staging, fn, arg, e);
}

/* See store.h. */
int banks_delete(struct event_base *base, const char *name, banks_done_fn fn, void *arg,
                 struct err *e)
{
        return submit(base, OP_DELETE, name, NULL, fn, arg, e);
}

/* See store.h. */
size_t banks_count(void)
{
        return nreg;
}

static void fill(size_t i, struct banks_info *out)
{
        out->name = reg[i].name;
        out->tests = bank_count(reg[i].bank);
        out->read_only = reg[i].read_only;
        out->source = reg[i].source ? reg[i].source : "";
}

/* See store.h. */
bool banks_info_at(size_t i, struct banks_info *out)
{
        if (i >= nreg)
                return false;
        fill(i, out);
        return true;
}

/* See store.h. */
bool banks_info(const char *name, struct banks_info *out)
{
        long at = find(name, NULL);

        if (at < 0)
                return false;
        fill((size_t)at, out);
        return true;
}
