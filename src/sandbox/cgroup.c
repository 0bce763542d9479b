/* cgroup: v2 / v1 / none backends for per-box limits (see cgroup.h).
 *
 * Theory of operation. cg_init() reads /proc/self/cgroup and
 * /proc/self/mountinfo. cgroup v2 is used when its hierarchy offers the
 * memory and pids controllers to the server's cgroup; the server then moves
 * itself into a leaf (<own>/codeexec-<pid>/server) so that the parent may
 * enable controllers for the box cgroups beside it (the "no internal
 * processes" rule). Otherwise cgroup v1 is used when the memory and pids
 * hierarchies are mounted and writable: boxes live in
 * <hierarchy>/<own path>/codeexec-<pid>/box-<id> in each of memory, pids and
 * cpuacct. Otherwise no cgroup is used and limits fall back to rlimits
 * (RLIMIT_NPROC on the slot's unique uid, RLIMIT_FSIZE), which the server
 * announces at start-up and in /health.
 *
 * All file writes here are to cgroupfs: small, in-memory, non-blocking. */
#define _GNU_SOURCE
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/log.h"

enum cg_kind { CG_NONE, CG_V1, CG_V2 };
enum { V1_MEMORY, V1_PIDS, V1_CPUACCT, V1_COUNT };
static const char *const v1_names[V1_COUNT] = {"memory", "pids", "cpuacct"};

static enum cg_kind kind = CG_NONE;
/* v2: the directory holding box-<id>; v1: one per controller ("" if absent). */
static char v2_base[PATH_MAX];
static char v1_base[V1_COUNT][PATH_MAX];

struct cg_box {
        uint64_t id;
        int v2_fd;
        char path[V1_COUNT][PATH_MAX]; /* v2 uses path[0] */
};

static int write_file(const char *dir, const char *file, const char *val)
{
        char p[PATH_MAX];
        _cleanup_close_ int fd = -1;
        size_t n = strlen(val);

        snprintf(p, sizeof(p), "%s/%s", dir, file);
        fd = open(p, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        if (write(fd, val, n) != (ssize_t)n)
                return -1;
        return 0;
}

static ssize_t read_file(const char *dir, const char *file, char *out, size_t cap)
{
        char p[PATH_MAX];
        _cleanup_close_ int fd = -1;
        ssize_t n;

        snprintf(p, sizeof(p), "%s/%s", dir, file);
        fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        n = read(fd, out, cap - 1);
        if (n < 0)
                return -1;
        out[n] = '\0';
        return n;
}

static uint64_t read_u64(const char *dir, const char *file)
{
        char s[64];

        if (read_file(dir, file, s, sizeof(s)) < 0)
                return 0;
        return strtoull(s, NULL, 10);
}

/* Value of "key N" in a flat-keyed file (memory.events, cpu.stat, oom_control). */
static uint64_t read_keyed(const char *dir, const char *file, const char *key)
{
        char s[4096];
        size_t kl = strlen(key);

        if (read_file(dir, file, s, sizeof(s)) < 0)
                return 0;
        for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
                if (strncmp(line, key, kl) == 0 && line[kl] == ' ')
                        return strtoull(line + kl + 1, NULL, 10);
        }
        return 0;
}

/* Finds the mount point of a hierarchy in mountinfo: fstype cgroup2 (opt
 * NULL) or cgroup with opt among its super options. */
static int find_mount(const char *fstype, const char *opt, char *out, size_t cap)
{
        FILE *f = fopen("/proc/self/mountinfo", "re");
        char *line = NULL;
        size_t lcap = 0;
        int found = -1;

        if (!f)
                return -1;
        while (getline(&line, &lcap, f) > 0) {
                char mnt[PATH_MAX], fs[64], super[1024];
                char *sep = strstr(line, " - ");

                if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
                        continue;
                if (sscanf(sep + 3, "%63s %*s %1023s", fs, super) != 2)
                        continue;
                if (strcmp(fs, fstype) != 0)
                        continue;
                if (opt) {
                        bool has = false;
                        for (char *t = strtok(super, ","); t; t = strtok(NULL, ","))
                                has = has || strcmp(t, opt) == 0;
                        if (!has)
                                continue;
                }
                snprintf(out, cap, "%s", mnt);
                found = 0;
                break;
        }
        free(line);
        fclose(f);
        return found;
}

/* The server's own path in a hierarchy, from /proc/self/cgroup. controller
 * NULL means the v2 line ("0::/path"). */
static int own_path(const char *controller, char *out, size_t cap)
{
        FILE *f = fopen("/proc/self/cgroup", "re");
        char *line = NULL;
        size_t lcap = 0;
        int found = -1;

        if (!f)
                return -1;
        while (getline(&line, &lcap, f) > 0) {
                char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                bool match = false;

                if (!c2)
                        continue;
                *c2 = '\0';
                line[strcspn(line, "\n")] = '\0';
                c2[1 + strcspn(c2 + 1, "\n")] = '\0';
                if (!controller)
                        match = strcmp(line, "0") == 0 && c1[1] == '\0';
                else
                        for (char *t = strtok(c1 + 1, ","); t; t = strtok(NULL, ","))
                                match = match || strcmp(t, controller) == 0;
                if (match) {
                        snprintf(out, cap, "%s", c2 + 1);
                        found = 0;
                        break;
                }
        }
        free(line);
        fclose(f);
        return found;
}

static bool word_in(const char *list, const char *word)
{
        size_t wl = strlen(word);

        for (const char *p = list; (p = strstr(p, word)); p += wl)
                if ((p == list || p[-1] == ' ') && (p[wl] == ' ' || p[wl] == '\n' || !p[wl]))
                        return true;
        return false;
}

/* Kills whatever is in dir (a cgroup) and removes it and its box-* children. */
static void remove_tree(const char *dir)
{
        DIR *d = opendir(dir);
        struct dirent *de;

        if (d) {
                while ((de = readdir(d))) {
                        char sub[PATH_MAX];
                        if (de->d_type != DT_DIR || de->d_name[0] == '.')
                                continue;
                        snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
                        remove_tree(sub);
                }
                closedir(d);
        }
        {
                char procs[65536];
                if (read_file(dir, "cgroup.procs", procs, sizeof(procs)) > 0)
                        for (char *t = strtok(procs, "\n"); t; t = strtok(NULL, "\n"))
                                kill((pid_t)atoi(t), SIGKILL);
        }
        for (int i = 0; i < 50 && rmdir(dir) < 0 && errno == EBUSY; i++)
                usleep(2000);
}

/* Removes codeexec-<pid> directories of servers that no longer run. */
static void reap_stale(const char *parent)
{
        DIR *d = opendir(parent);
        struct dirent *de;

        if (!d)
                return;
        while ((de = readdir(d))) {
                char sub[PATH_MAX], proc[64];
                int pid;

                if (sscanf(de->d_name, "codeexec-%d", &pid) != 1 || pid == getpid())
                        continue;
                snprintf(proc, sizeof(proc), "/proc/%d", pid);
                if (access(proc, F_OK) == 0) {
                        /* pid reused or another live server: only ours if it is codeexec */
                        char comm[64] = "";
                        if (read_file(proc, "comm", comm, sizeof(comm)) > 0 &&
                            strncmp(comm, "codeexec", 8) == 0)
                                continue;
                }
                snprintf(sub, sizeof(sub), "%s/%s", parent, de->d_name);
                log_info("removing cgroup %s left by an earlier server", sub);
                remove_tree(sub);
        }
        closedir(d);
}

/* cgroup v2: controllers flow down through cgroup.subtree_control, and a
 * cgroup that delegates controllers to children may hold no process itself
 * ("no internal processes"). So the server leaves its own cgroup <own> for a
 * leaf <own>/codeexec-<pid>/server, then enables memory and pids in <own>
 * (now empty, unless someone else lives there too: then v2 is not usable
 * and we say so) and in <own>/codeexec-<pid>, whose box-<id> children get
 * the limits. This is what systemd's Delegate=yes hands a service. */
static int try_v2(const char **why)
{
        char mnt[PATH_MAX], own[PATH_MAX], parent[PATH_MAX], server[PATH_MAX], ctl[512];
        char pid[32];

        if (find_mount("cgroup2", NULL, mnt, sizeof(mnt)) < 0 ||
            own_path(NULL, own, sizeof(own)) < 0) {
                *why = "no cgroup v2 hierarchy";
                return -1;
        }
        snprintf(parent, sizeof(parent), "%s%s", mnt, strcmp(own, "/") ? own : "");
        if (read_file(parent, "cgroup.controllers", ctl, sizeof(ctl)) < 0 ||
            !word_in(ctl, "memory") || !word_in(ctl, "pids")) {
                *why = "cgroup v2 offers no memory/pids controllers here";
                return -1;
        }
        reap_stale(parent);
        snprintf(v2_base, sizeof(v2_base), "%s/codeexec-%d", parent, getpid());
        snprintf(server, sizeof(server), "%s/server", v2_base);
        snprintf(pid, sizeof(pid), "%d", getpid());
        if ((mkdir(v2_base, 0755) < 0 && errno != EEXIST) ||
            (mkdir(server, 0755) < 0 && errno != EEXIST)) {
                *why = "cannot create cgroup v2 directories (not root, or not delegated to us?)";
                goto undo;
        }
        if (write_file(server, "cgroup.procs", pid) < 0) {
                *why = "cannot move the server into its own cgroup v2 leaf";
                goto undo;
        }
        if (read_file(parent, "cgroup.subtree_control", ctl, sizeof(ctl)) < 0 ||
            !word_in(ctl, "memory") || !word_in(ctl, "pids")) {
                if (write_file(parent, "cgroup.subtree_control", "+memory +pids") < 0) {
                        *why = errno == EBUSY
                                   ? "the server's cgroup v2 is shared with other "
                                     "processes, so it cannot delegate controllers "
                                     "(run it in a cgroup of its own, e.g. a systemd "
                                     "unit with Delegate=yes)"
                                   : "cannot enable memory/pids in the server's cgroup v2";
                        goto undo;
                }
        }
        if (write_file(v2_base, "cgroup.subtree_control", "+memory +pids") < 0) {
                *why = "cannot enable memory/pids for the box cgroups";
                goto undo;
        }
        kind = CG_V2;
        return 0;
undo:
        write_file(parent, "cgroup.procs", pid);
        rmdir(server);
        rmdir(v2_base);
        v2_base[0] = '\0';
        return -1;
}

static int try_v1(const char **why)
{
        for (int c = 0; c < V1_COUNT; c++) {
                char mnt[PATH_MAX], own[PATH_MAX], parent[PATH_MAX * 2];

                v1_base[c][0] = '\0';
                if (find_mount("cgroup", v1_names[c], mnt, sizeof(mnt)) < 0 ||
                    own_path(v1_names[c], own, sizeof(own)) < 0) {
                        if (c == V1_CPUACCT)
                                continue; /* accounting only: optional */
                        *why = "no cgroup v1 memory and pids hierarchies";
                        return -1;
                }
                snprintf(parent, sizeof(parent), "%s%s", mnt, strcmp(own, "/") ? own : "");
                reap_stale(parent);
                snprintf(v1_base[c], sizeof(v1_base[c]), "%s/codeexec-%d", parent, getpid());
                if (mkdir(v1_base[c], 0755) < 0 && errno != EEXIST) {
                        *why = "cannot create cgroup v1 directories (not root?)";
                        return -1;
                }
        }
        kind = CG_V1;
        return 0;
}

int cg_init(const char **why)
{
        const char *why2 = NULL, *why1 = NULL;

        *why = NULL;
        if (try_v2(&why2) == 0)
                return 0;
        if (try_v1(&why1) == 0)
                return 0;
        cg_cleanup();
        kind = CG_NONE;
        *why = why1 ? why1 : why2;
        return 0;
}

void cg_disable(const char **why)
{
        kind = CG_NONE;
        *why = "disabled by --no-cgroups";
}

const char *cg_mode(void)
{
        return kind == CG_V2 ? "cgroup v2" : kind == CG_V1 ? "cgroup v1" : "rlimits only";
}

bool cg_enabled(void)
{
        return kind != CG_NONE;
}

void cg_cleanup(void)
{
        if (kind == CG_V2 && v2_base[0]) {
                char parent[PATH_MAX], pid[32], server[PATH_MAX + 8];
                /* Move ourselves back up before removing our leaf. */
                snprintf(parent, sizeof(parent), "%s", v2_base);
                *strrchr(parent, '/') = '\0';
                snprintf(pid, sizeof(pid), "%d", getpid());
                write_file(parent, "cgroup.procs", pid);
                snprintf(server, sizeof(server), "%s/server", v2_base);
                rmdir(server);
                remove_tree(v2_base);
        }
        for (int c = 0; c < V1_COUNT; c++)
                if (v1_base[c][0])
                        remove_tree(v1_base[c]);
        v2_base[0] = '\0';
        memset(v1_base, 0, sizeof(v1_base));
}

struct cg_box *cg_box_create(uint64_t id, const struct sbx_limits *lim, struct err *e)
{
        struct cg_box *b = calloc(1, sizeof(*b));
        char val[32];

        if (!b) {
                err_set(e, ENOMEM, "cgroup");
                return NULL;
        }
        b->id = id;
        b->v2_fd = -1;
        if (kind == CG_V2) {
                snprintf(b->path[0], sizeof(b->path[0]), "%s/box-%llu", v2_base,
                         (unsigned long long)id);
                if (mkdir(b->path[0], 0755) < 0)
                        goto fail;
                snprintf(val, sizeof(val), "%llu", (unsigned long long)lim->memory_bytes);
                if (write_file(b->path[0], "memory.max", val) < 0)
                        goto fail;
                write_file(b->path[0], "memory.swap.max", "0");
                snprintf(val, sizeof(val), "%u", lim->processes);
                if (write_file(b->path[0], "pids.max", val) < 0)
                        goto fail;
                b->v2_fd = open(b->path[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (b->v2_fd < 0)
                        goto fail;
        } else if (kind == CG_V1) {
                for (int c = 0; c < V1_COUNT; c++) {
                        if (!v1_base[c][0])
                                continue;
                        snprintf(b->path[c], sizeof(b->path[c]), "%s/box-%llu", v1_base[c],
                                 (unsigned long long)id);
                        if (mkdir(b->path[c], 0755) < 0)
                                goto fail;
                }
                snprintf(val, sizeof(val), "%llu", (unsigned long long)lim->memory_bytes);
                if (write_file(b->path[V1_MEMORY], "memory.limit_in_bytes", val) < 0)
                        goto fail;
                write_file(b->path[V1_MEMORY], "memory.memsw.limit_in_bytes", val);
                snprintf(val, sizeof(val), "%u", lim->processes);
                if (write_file(b->path[V1_PIDS], "pids.max", val) < 0)
                        goto fail;
        }
        return b;
fail:
        err_set(e, errno, "cgroup for box %llu", (unsigned long long)id);
        while (cg_box_destroy(b) < 0 && errno == EBUSY)
                usleep(1000);
        return NULL;
}

int cg_box_clone_fd(const struct cg_box *b)
{
        return b ? b->v2_fd : -1;
}

int cg_box_procs_fds(const struct cg_box *b, int *fds, size_t max, struct err *e)
{
        size_t n = 0;

        if (!b || kind == CG_NONE)
                return 0;
        for (int c = 0; c < V1_COUNT; c++) {
                char p[PATH_MAX + 16];
                if (!b->path[c][0] || (kind == CG_V2 && c > 0))
                        continue;
                snprintf(p, sizeof(p), "%s/cgroup.procs", b->path[c]);
                if (n == max)
                        goto fail;
                fds[n] = open(p, O_WRONLY | O_CLOEXEC);
                if (fds[n] < 0)
                        goto fail;
                n++;
        }
        return (int)n;
fail:
        err_set(e, n == max ? E2BIG : errno, "cgroup.procs of box %llu", (unsigned long long)b->id);
        while (n > 0)
                close(fds[--n]);
        return -1;
}

int cg_box_attach(struct cg_box *b, pid_t pid, struct err *e)
{
        char val[32];

        snprintf(val, sizeof(val), "%d", pid);
        for (int c = 0; c < V1_COUNT; c++) {
                if (!b->path[c][0] || (kind == CG_V2 && c > 0))
                        continue;
                if (write_file(b->path[c], "cgroup.procs", val) < 0)
                        return err_set(e, errno, "attach pid %d to %s", pid, b->path[c]);
        }
        return 0;
}

void cg_box_kill(struct cg_box *b)
{
        char procs[65536];
        const char *dir;

        if (!b || kind == CG_NONE)
                return;
        if (kind == CG_V2 && write_file(b->path[0], "cgroup.kill", "1") == 0)
                return;
        dir = kind == CG_V2 ? b->path[0] : b->path[V1_PIDS];
        if (read_file(dir, "cgroup.procs", procs, sizeof(procs)) > 0)
                for (char *t = strtok(procs, "\n"); t; t = strtok(NULL, "\n"))
                        kill((pid_t)atoi(t), SIGKILL);
}

void cg_box_usage(struct cg_box *b, struct sbx_usage *u)
{
        memset(u, 0, sizeof(*u));
        if (!b || kind == CG_NONE)
                return;
        if (kind == CG_V2) {
                u->memory_peak_bytes = read_u64(b->path[0], "memory.peak");
                u->oom_killed = read_keyed(b->path[0], "memory.events", "oom_kill") > 0;
                u->cpu_us = read_keyed(b->path[0], "cpu.stat", "usage_usec");
                return;
        }
        u->memory_peak_bytes = read_u64(b->path[V1_MEMORY], "memory.max_usage_in_bytes");
        u->oom_killed = read_keyed(b->path[V1_MEMORY], "memory.oom_control", "oom_kill") > 0;
        if (b->path[V1_CPUACCT][0])
                u->cpu_us = read_u64(b->path[V1_CPUACCT], "cpuacct.usage") / 1000;
}

int cg_box_set_limits(struct cg_box *b, const struct sbx_limits *lim)
{
        char mem[32], pids[32];
        int rc;

        if (!b || kind == CG_NONE)
                return 0;
        snprintf(mem, sizeof(mem), "%llu", (unsigned long long)lim->memory_bytes);
        snprintf(pids, sizeof(pids), "%u", lim->processes);
        if (kind == CG_V2) {
                rc = write_file(b->path[0], "memory.max", mem);
                /* reset the peak (Linux 6.12 on; before, it counts from the
                 * cgroup's creation, which is nearly the same here) */
                write_file(b->path[0], "memory.peak", "0");
                return write_file(b->path[0], "pids.max", pids) < 0 ? -1 : rc;
        }
        /* memsw first when growing, last when shrinking: it may never be
         * below the memory limit. */
        write_file(b->path[V1_MEMORY], "memory.memsw.limit_in_bytes", mem);
        rc = write_file(b->path[V1_MEMORY], "memory.limit_in_bytes", mem);
        write_file(b->path[V1_MEMORY], "memory.memsw.limit_in_bytes", mem);
        write_file(b->path[V1_MEMORY], "memory.max_usage_in_bytes", "0");
        return write_file(b->path[V1_PIDS], "pids.max", pids) < 0 ? -1 : rc;
}

int cg_box_destroy(struct cg_box *b)
{
        if (!b)
                return 0;
        for (int c = 0; c < V1_COUNT; c++) {
                if (!b->path[c][0])
                        continue;
                if (rmdir(b->path[c]) < 0 && errno != ENOENT) {
                        if (errno == EBUSY)
                                return -1;
                        log_warn("rmdir %s: %s", b->path[c], strerror(errno));
                }
                b->path[c][0] = '\0';
        }
        if (b->v2_fd >= 0)
                close(b->v2_fd);
        free(b);
        return 0;
}
