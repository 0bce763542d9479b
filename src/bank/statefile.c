/* statefile: atomic writes and start-up scans of the state directory
 * (statefile.h).
 *
 * Theory of operation. A write creates the directories, makes a temporary
 * file with mkostemp beside the target, lets the caller fill it (flushing
 * in 1 MiB pieces, so a large file never sits twice in memory), then
 * fsync, close, rename over the target and fsync the directory, so that
 * the rename itself is durable. Any failure unlinks the temporary file and
 * leaves the target as it was. A scan walks two levels (NAME.jsonl and
 * ORG/NAME.jsonl), the same shape banks_name_valid allows. */
#define _GNU_SOURCE
#include "statefile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/log.h"
#include "store.h"

static int mkdir_p(const char *path, struct err *e)
{
        char tmp[4096];
        size_t n = strlen(path);

        if (n >= sizeof(tmp))
                return err_set(e, ENAMETOOLONG, "%s", path);
        memcpy(tmp, path, n + 1);
        for (char *p = tmp + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
                        return err_set(e, errno, "mkdir %s", tmp);
                *p = '/';
        }
        if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
                return err_set(e, errno, "mkdir %s", tmp);
        return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
        while (n) {
                ssize_t w = write(fd, p, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return -1;
                p += w;
                n -= (size_t)w;
        }
        return 0;
}

/* See statefile.h. */
int statefile_flush(int fd, struct buf *out, int force)
{
        if (!force && out->len < (1u << 20))
                return 0;
        if (out->len && write_all(fd, out->data, out->len) < 0)
                return -1;
        out->len = 0;
        return 0;
}

/* See statefile.h. */
int statefile_write(const char *path, int (*fill)(int fd, struct buf *out, void *arg), void *arg,
                    struct err *e)
{
        char dir[4096], tmp[4096];
        const char *slash = strrchr(path, '/');
        struct buf out;
        int fd, dfd;

        if (!slash ||
            (size_t)snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path) >= sizeof(dir))
                return err_set(e, ENAMETOOLONG, "%s", path);
        if (mkdir_p(dir, e) < 0)
                return -1;
        if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, slash + 1) >= sizeof(tmp))
                return err_set(e, ENAMETOOLONG, "%s", path);
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return err_set(e, errno, "create %s", tmp);
        buf_init(&out, 0);
        errno = 0;
        if (fill(fd, &out, arg) < 0 || statefile_flush(fd, &out, 1) < 0) {
                err_set(e, errno ? errno : ENOMEM, "write %s", tmp);
                goto fail;
        }
        if (fsync(fd) < 0) {
                err_set(e, errno, "fsync %s", tmp);
                goto fail;
        }
        if (close(fd) < 0) {
                fd = -1;
                err_set(e, errno, "close %s", tmp);
                goto fail;
        }
        fd = -1;
        if (rename(tmp, path) < 0) {
                err_set(e, errno, "rename %s to %s", tmp, path);
                goto fail;
        }
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
                fsync(dfd);
                close(dfd);
        }
        buf_free(&out);
        return 0;
fail:
        if (fd >= 0)
                close(fd);
        unlink(tmp);
        buf_free(&out);
        return -1;
}

/* See statefile.h. */
int statefile_remove(const char *path, struct err *e)
{
        if (unlink(path) < 0 && errno != ENOENT)
                return err_set(e, errno, "remove %s", path);
        return 0;
}

/* One level of a scan: org is NULL at the top, else the ORG directory. */
static int scan_dir(const char *dir, const char *org, const char *what,
                    int (*load)(const char *name, const char *path, void *arg, struct err *e),
                    void *arg, struct err *e)
{
        DIR *d = opendir(dir);
        struct dirent *de;
        int rc = 0;

        if (!d)
                return errno == ENOENT ? 0 : err_set(e, errno, "open %s", dir);
        while (rc == 0 && (de = readdir(d))) {
                char path[4096], name[BANK_NAME_MAX + 2];
                size_t n = strlen(de->d_name);
                struct stat st;

                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
                if (de->d_name[0] == '.') {
                        log_info("%s: removing a temporary file left by a crash: %s", what, path);
                        unlink(path);
                        continue;
                }
                if (stat(path, &st) < 0)
                        continue;
                if (S_ISDIR(st.st_mode) && !org) {
                        rc = scan_dir(path, de->d_name, what, load, arg, e);
                        continue;
                }
                if (!S_ISREG(st.st_mode) || n < 7 || strcmp(de->d_name + n - 6, ".jsonl") != 0)
                        continue;
                if ((size_t)snprintf(name, sizeof(name), "%s%s%.*s", org ? org : "", org ? "/" : "",
                                     (int)(n - 6), de->d_name) >= sizeof(name) ||
                    !banks_name_valid(name)) {
                        log_warn("%s: ignoring %s (not a valid name)", what, path);
                        continue;
                }
                rc = load(name, path, arg, e);
        }
        closedir(d);
        return rc;
}

/* See statefile.h. */
int statefile_scan(const char *dir, const char *what,
                   int (*load)(const char *name, const char *path, void *arg, struct err *e),
                   void *arg, struct err *e)
{
        return scan_dir(dir, NULL, what, load, arg, e);
}
