/* store: the named test banks of this server, and their persistence.
 *
 * Banks come from two places. Operator files (--testbank NAME=PATH) are
 * loaded at start-up and are read-only over HTTP. Uploaded banks (PUT
 * /v1/testbanks/NAME, POST .../tests) are kept in the state directory as
 * <state>/testbanks/<NAME>.jsonl and reloaded at start-up, so a restart keeps
 * them. Names are one or two components ("bank" or "ORG/bank", as Hugging
 * Face dataset ids), each [A-Za-z0-9_-][A-Za-z0-9._-]*, so a name can never
 * leave the state directory or collide with our temporary files (which start
 * with '.'). Everything here runs on the event-loop thread, except the file
 * writes of mutations, which the worker thread does (worker.h). */
#ifndef CODEEXEC_BANK_STORE_H
#define CODEEXEC_BANK_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/err.h"
#include "../util/md5.h"
#include "bank.h"

struct event_base;

#define BANK_NAME_MAX 128

/* Error classes returned by the mutating calls (the HTTP status in brackets). */
enum banks_error {
        BANKS_EINPUT = -1,    /* the tests conflict with the bank [400] */
        BANKS_EREADONLY = -2, /* the bank comes from --testbank files [409] */
        BANKS_EIO = -3,       /* the state directory could not be written [500] */
        BANKS_ENOTFOUND = -4, /* no such bank [404] */
};

struct banks_info {
        const char *name;
        size_t tests;
        bool read_only;     /* from --testbank */
        const char *source; /* the --testbank paths, or the persisted file */
};

/* The default state directory: /var/lib/codeexec for root, else
 * $XDG_STATE_HOME/codeexec or ~/.local/state/codeexec. */
void banks_default_state_dir(char *out, size_t len);

/* Start-up (blocking): loads the uploaded banks persisted under state_dir,
 * then each spec "NAME=PATH" (a NAME given twice gets both paths). Fails
 * with e naming the spec or file:line; the server must not start then. */
int banks_init(const char *state_dir, char *const *specs, size_t nspecs, struct err *e);

bool banks_name_valid(const char *name);

/* The test with this digest in bank name, or NULL (unknown bank or hash). */
const char *banks_lookup(const char *name, const unsigned char digest[MD5_DIGEST_LEN], size_t *len);

/* Mutations of uploaded banks. Each is queued and runs after the earlier
 * ones: checked on the loop, written to the state directory on the worker
 * thread (temporary file, fsync, rename), then applied in memory; fn(rc, e,
 * added, arg) reports the outcome on the loop thread, possibly before the
 * call returns. rc is 0 or a banks_error; e is only meaningful when rc < 0.
 * On any failure the served bank and its file are as they were. The bank
 * passed in is always taken over (freed when not kept). They return -1 (fn
 * not called) only when the operation could not even be queued. */
typedef void (*banks_done_fn)(int rc, const struct err *e, size_t added, void *arg);

/* Replaces (or creates) bank name with b. */
int banks_replace(struct event_base *base, const char *name, struct bank *b, banks_done_fn fn,
                  void *arg, struct err *e);
/* Adds the tests of staging to bank name (created when absent); a digest the
 * bank holds with another text fails with BANKS_EINPUT; added counts the new
 * tests. */
int banks_add(struct event_base *base, const char *name, struct bank *staging, banks_done_fn fn,
              void *arg, struct err *e);
/* Removes an uploaded bank and its file. */
int banks_delete(struct event_base *base, const char *name, banks_done_fn fn, void *arg,
                 struct err *e);

size_t banks_count(void);
/* Bank i, in name order; false when out of range. */
bool banks_info_at(size_t i, struct banks_info *out);
/* By name; false when unknown. */
bool banks_info(const char *name, struct banks_info *out);

#endif
