/* files: test banks from the file system (see files.h).
 *
 * Theory of operation. Start-up only (it blocks). A path is resolved first
 * (hub cache root -> datasets--ORG--NAME -> snapshots/<rev>), then walked:
 * symlinks to files are followed (the hub's snapshot entries are symlinks to
 * blobs), directories whose name starts with '.' are skipped, recursion stops
 * at a fixed depth, and the *.jsonl files found are sorted so that a bank's
 * order (and the first error reported) does not depend on readdir order.
 * Each file is read whole and parsed by jsonl_parse, which names file:line
 * in its errors. */
#define _GNU_SOURCE
#include "files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/cleanup.h"

#define MAX_DEPTH 8

struct pathlist {
        char **v;
        size_t n, cap;
        size_t parquet;
};

/* See files.h. */
char *bankfile_read(const char *path, size_t *len, struct err *e)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        size_t got = 0;
        char *data;

        if (fd < 0) {
                err_set(e, errno, "%s", path);
                return NULL;
        }
        if (fstat(fd, &st) < 0) {
                err_set(e, errno, "%s", path);
                return NULL;
        }
        if (!S_ISREG(st.st_mode)) {
                err_set(e, 0, "%s: not a regular file", path);
                return NULL;
        }
        data = malloc((size_t)st.st_size + 1);
        if (!data) {
                err_set(e, ENOMEM, "%s", path);
                return NULL;
        }
        while (got < (size_t)st.st_size) {
                ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        err_set(e, errno, "read %s", path);
                        free(data);
                        return NULL;
                }
                if (n == 0)
                        break;
                got += (size_t)n;
        }
        data[got] = '\0';
        *len = got;
        return data;
}

static bool ends_with(const char *s, const char *suffix)
{
        size_t n = strlen(s), m = strlen(suffix);

        return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool is_dir(const char *path)
{
        struct stat st;

        return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int list_add(struct pathlist *l, const char *path, struct err *e)
{
        if (l->n == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 16;
                char **v = realloc(l->v, cap * sizeof(*v));
                if (!v)
                        return err_set(e, ENOMEM, "file list");
                l->v = v;
                l->cap = cap;
        }
        l->v[l->n] = strdup(path);
        if (!l->v[l->n])
                return err_set(e, ENOMEM, "file list");
        l->n++;
        return 0;
}

static void list_free(struct pathlist *l)
{
        for (size_t i = 0; i < l->n; i++)
                free(l->v[i]);
        free(l->v);
}

static int walk(const char *dir, int depth, struct pathlist *l, struct err *e)
{
        DIR *d = opendir(dir);
        struct dirent *de;
        int rc = 0;

        if (!d)
                return err_set(e, errno, "%s", dir);
        while (rc == 0 && (de = readdir(d))) {
                char path[4096];
                struct stat st;

                if (de->d_name[0] == '.')
                        continue;
                if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path))
                        continue;
                if (stat(path, &st) < 0)
                        continue; /* a dangling symlink, say: not ours to judge */
                if (S_ISDIR(st.st_mode)) {
                        if (depth < MAX_DEPTH)
                                rc = walk(path, depth + 1, l, e);
                } else if (S_ISREG(st.st_mode)) {
                        if (ends_with(de->d_name, ".jsonl"))
                                rc = list_add(l, path, e);
                        else if (ends_with(de->d_name, ".parquet"))
                                l->parquet++;
                }
        }
        closedir(d);
        return rc;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A hub dataset cache dir (has snapshots/): the snapshot to read, in out. */
static int resolve_snapshot(const char *path, char *out, size_t outlen, struct err *e)
{
        char refs[4096], snaps[4096], rev[256] = "";
        size_t n = 0;
        _cleanup_free_ char *text = NULL;
        struct err ignored;
        DIR *d;
        struct dirent *de;

        snprintf(refs, sizeof(refs), "%s/refs/main", path);
        snprintf(snaps, sizeof(snaps), "%s/snapshots", path);
        text = bankfile_read(refs, &n, &ignored);
        if (text) {
                size_t k = strcspn(text, " \t\r\n");
                if (k > 0 && k < sizeof(rev) && !strchr(text, '/')) {
                        memcpy(rev, text, k);
                        rev[k] = '\0';
                        snprintf(out, outlen, "%s/%s", snaps, rev);
                        if (is_dir(out))
                                return 0;
                }
        }
        /* text is _cleanup_free_, which the analyzer does not model: it sees text
         * die here unfreed. NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
        d = opendir(snaps);
        if (!d)
                return err_set(e, errno, "%s", snaps);
        n = 0;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                n++;
                snprintf(out, outlen, "%s/%s", snaps, de->d_name);
        }
        closedir(d);
        if (n == 1 && is_dir(out))
                return 0;
        return err_set(e, 0,
                       "%s: %zu snapshots and no usable refs/main: name one snapshot directory "
                       "instead",
                       snaps, n);
}

/* See files.h. */
int bankfile_load_path(struct bank *b, const char *name, const char *path, struct jsonl_stats *st,
                       size_t *nfiles, struct err *e)
{
        struct pathlist l = {0};
        struct stat sb;
        char resolved[4096], probe[4096];
        int rc = -1;

        memset(st, 0, sizeof(*st));
        *nfiles = 0;
        if (stat(path, &sb) < 0)
                return err_set(e, errno, "%s", path);
        snprintf(resolved, sizeof(resolved), "%s", path);
        if (S_ISDIR(sb.st_mode)) {
                /* The hub cache root, when the bank is ORG/NAME. */
                const char *slash = strchr(name, '/');
                if (slash) {
                        snprintf(probe, sizeof(probe), "%s/datasets--%.*s--%s", path,
                                 (int)(slash - name), name, slash + 1);
                        if (is_dir(probe))
                                snprintf(resolved, sizeof(resolved), "%s", probe);
                }
                snprintf(probe, sizeof(probe), "%s/snapshots", resolved);
                if (is_dir(probe)) {
                        snprintf(probe, sizeof(probe), "%s", resolved);
                        if (resolve_snapshot(probe, resolved, sizeof(resolved), e) < 0)
                                return -1;
                }
                if (walk(resolved, 0, &l, e) < 0)
                        goto out;
                if (l.n == 0) {
                        if (l.parquet)
                                err_set(e, 0,
                                        "%s: only parquet files (%zu); parquet is not supported: "
                                        "convert them to JSONL (docs/testbanks.md)",
                                        resolved, l.parquet);
                        else
                                err_set(e, 0, "%s: no .jsonl files found", resolved);
                        goto out;
                }
                qsort(l.v, l.n, sizeof(*l.v), cmp_str);
        } else if (ends_with(path, ".parquet")) {
                return err_set(e, 0,
                               "%s: parquet is not supported: convert it to JSONL "
                               "(docs/testbanks.md)",
                               path);
        } else if (list_add(&l, path, e) < 0) {
                goto out;
        }
        for (size_t i = 0; i < l.n; i++) {
                struct jsonl_stats one;
                size_t len;
                char *text = bankfile_read(l.v[i], &len, e);
                if (!text)
                        goto out;
                rc = jsonl_parse(b, text, len, l.v[i], &one, e);
                free(text);
                if (rc < 0)
                        goto out;
                st->lines += one.lines;
                st->added += one.added;
                st->duplicates += one.duplicates;
                (*nfiles)++;
        }
        rc = 0;
out:
        list_free(&l);
        return rc;
}
