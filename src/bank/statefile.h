/* statefile: the files of the state directory (--state-dir) — written
 * atomically, found again at start-up.
 *
 * Uploaded test banks (store.h) and stored judge problems (problems.h) are
 * kept the same way: one file per name, <state>/<kind>/NAME.jsonl (an
 * "ORG/NAME" is the file ORG/NAME.jsonl), each change written to a
 * temporary file beside it (".NAME.jsonl.XXXXXX", a name no valid name can
 * have), fsync'd and renamed over it, so a crash leaves the old file or
 * the new one, plus at worst a temporary file that the next start-up
 * removes. Blocking: writes run on the worker thread (worker.h), scans at
 * start-up. */
#ifndef CODEEXEC_BANK_STATEFILE_H
#define CODEEXEC_BANK_STATEFILE_H

#include <stddef.h>

#include "../util/buf.h"
#include "../util/err.h"

/* Appends what out holds to fd once it has grown past 1 MiB (always when
 * force), emptying it. 0, or -1 with errno set. */
int statefile_flush(int fd, struct buf *out, int force);

/* Writes path atomically (see above), creating its directories (mode 0700
 * for the last). fill(fd, out, arg) produces the content: it appends to out
 * and calls statefile_flush(fd, out, 0) now and then; what remains in out
 * afterwards is written too. fill returns 0, or -1 with errno set. */
int statefile_write(const char *path, int (*fill)(int fd, struct buf *out, void *arg), void *arg,
                    struct err *e);

/* Removes path (a name's file); one already gone is no error. */
int statefile_remove(const char *path, struct err *e);

/* Calls load(name, path, arg, e) for every <dir>/NAME.jsonl and
 * <dir>/ORG/NAME.jsonl whose name passes banks_name_valid (others are
 * logged and skipped), removing temporary files left by a crash; what
 * names the kind of file in log lines ("test banks"). Stops at the first
 * load that fails. A missing dir is empty. */
int statefile_scan(const char *dir, const char *what,
                   int (*load)(const char *name, const char *path, void *arg, struct err *e),
                   void *arg, struct err *e);

#endif
