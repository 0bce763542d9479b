/* procmaps: whether a process still runs code that is gone from disk (see
 * procmaps.h).
 *
 * A line of /proc/<pid>/maps is "start-end perms offset major:minor inode
 * path", the path padded with spaces and, for a file no longer linked at
 * that path, followed by " (deleted)". Memfds ("/memfd:..."), shared
 * anonymous memory ("/dev/zero") and System V segments ("/SYSV...") are
 * files without a name on disk and always read "deleted"; POSIX shared
 * memory (/dev/shm) and temporary files are often unlinked while mapped, on
 * purpose. None of them is an installed file a package upgrade replaces,
 * which is what this looks for. */
#define _GNU_SOURCE
#include "procmaps.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "buf.h"

#define DELETED " (deleted)"

static int by_nature_deleted(const char *path)
{
        static const char *const prefixes[] = {"/memfd:", "/SYSV", "/dev/", "/tmp/", NULL};

        for (int i = 0; prefixes[i]; i++)
                if (strncmp(path, prefixes[i], strlen(prefixes[i])) == 0)
                        return 1;
        return 0;
}

/* Past n fields separated by spaces; NULL if the line has fewer. */
static const char *skip_fields(const char *p, int n)
{
        for (; n > 0; n--) {
                while (*p == ' ')
                        p++;
                if (!*p)
                        return NULL;
                while (*p && *p != ' ')
                        p++;
        }
        while (*p == ' ')
                p++;
        return p;
}

/* One line (NUL-terminated): 1 if it maps a replaced file that counts. */
static int line_replaced(const char *line, dev_t own_dev, ino_t own_ino, char *what, size_t n)
{
        const char *p = skip_fields(line, 3); /* address range, permissions, offset */
        char *end;
        unsigned long maj, min;
        unsigned long long ino;
        size_t plen;

        if (!p)
                return 0;
        maj = strtoul(p, &end, 16);
        if (end == p || *end != ':')
                return 0;
        p = end + 1;
        min = strtoul(p, &end, 16);
        if (end == p || *end != ' ')
                return 0;
        p = end;
        ino = strtoull(p, &end, 10);
        if (end == p || ino == 0)
                return 0; /* not a file */
        p = skip_fields(end, 0);
        plen = strlen(p);
        if (plen <= strlen(DELETED) || strcmp(p + plen - strlen(DELETED), DELETED) != 0 ||
            by_nature_deleted(p) || (makedev(maj, min) == own_dev && (ino_t)ino == own_ino))
                return 0;
        snprintf(what, n, "%.*s", (int)(plen - strlen(DELETED)), p);
        return 1;
}

int procmaps_replaced_text(const char *maps, dev_t own_dev, ino_t own_ino, char *what, size_t n)
{
        char line[4096 + 128];

        for (const char *at = maps; at && *at;) {
                const char *nl = strchr(at, '\n');
                size_t len = nl ? (size_t)(nl - at) : strlen(at);

                if (len < sizeof(line)) { /* longer: a path beyond PATH_MAX, not ours */
                        memcpy(line, at, len);
                        line[len] = '\0';
                        if (line_replaced(line, own_dev, own_ino, what, n))
                                return 1;
                }
                at = nl ? nl + 1 : NULL;
        }
        return 0;
}

int procmaps_replaced(pid_t pid, dev_t own_dev, ino_t own_ino, char *what, size_t n)
{
        char path[64], chunk[16384];
        struct buf text;
        ssize_t got;
        int fd, rc = -1;

        snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        buf_init(&text, 0);
        while ((got = read(fd, chunk, sizeof(chunk))) > 0)
                if (buf_append(&text, chunk, (size_t)got) < 0) {
                        errno = ENOMEM;
                        goto out;
                }
        if (got < 0)
                goto out;
        rc = text.data ? procmaps_replaced_text(text.data, own_dev, own_ino, what, n) : 0;
out:
        close(fd);
        buf_free(&text);
        return rc;
}
