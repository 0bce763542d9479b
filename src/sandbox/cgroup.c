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
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/log.h"

enum cg_kind { CG_NONE, CG_V1, CG_V2 };
/* memory and pids are required; cpuacct (CPU time) and cpu (each box an
 * equal CPU share, so that a box of many processes cannot crowd out the
 * others' runs) are used where the host has them. */
enum { V1_MEMORY, V1_PIDS, V1_CPUACCT, V1_CPU, V1_COUNT };
static const char *const v1_names[V1_COUNT] = {"memory", "pids", "cpuacct", "cpu"};

static enum cg_kind kind = CG_NONE;
/* v2: the directory holding box-<id>; v1: one per controller ("" if absent). */
static char v2_base[PATH_MAX];
static char v1_base[V1_COUNT][PATH_MAX];

/* A box cgroup served again (cg_box_reset) may keep at most this much
 * memory charged from its earlier runs: slab objects the kernel frees after
 * a grace period, page cache of files a run read, pages the zygote dirtied
 * while parked there (0.02-0.9 MB seen after warm runs, falling as the
 * kernel frees it). */
#define REUSE_MAX_CHARGE (1ULL << 20)

/* Kept descriptors. A kept cgroup (cg_box_reset) serves run after run, and
 * for each the server writes its limits and resets its peak, reads its
 * usage, and hands the zygote its join files: about fifteen files. Opening
 * one, five directories deep in cgroupfs, costs about 8 us here; a pread or
 * pwrite of a descriptor kept open about 1 us (a read at offset 0 makes the
 * kernel generate the file's text again). So a box served again keeps the
 * descriptors it opens, within a budget for the whole server (a quarter of
 * the open-files limit, at most KEPT_FDS_MAX), and closes them when it is
 * removed or forgotten; a box used once opens and closes as it goes. */
#define BOX_FILES_MAX 16
#define KEPT_FDS_MAX 1024
struct box_file {
        const char *name; /* a string literal */
        int ctl;          /* index into path[] */
        int flags;        /* O_RDONLY or O_WRONLY */
        int fd;
};
static unsigned kept_fds, kept_fds_max;

struct cg_box {
        uint64_t id;
        int v2_fd;
        bool reused;   /* cg_box_reset made it ready for another run */
        bool keep_fds; /* served again: box_open keeps what it opens */
        unsigned nfiles;
        struct box_file files[BOX_FILES_MAX];
        uint64_t charge_base;  /* what its earlier runs left charged, at this run's start */
        uint64_t reset_charge; /* what they left charged when cg_box_reset served it */
        bool zygote_waits;     /* cg_box_zygote_waits: a zygote waits in it for the run */
        /* v1: the memory and process limits last written (0: none yet),
         * so that a kept cgroup's next run with the same limits skips
         * writing them again (four writes, ~30 us a run); nothing but
         * this file writes them. */
        uint64_t memory_limit_set;
        unsigned processes_limit_set;
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

/* A descriptor of file name in the box's directory ctl, opened with flags:
 * one the box keeps (*kept), or a new one the caller closes. -1 (errno set)
 * when it cannot be opened. */
static int box_open(struct cg_box *b, int ctl, const char *name, int flags, bool *kept)
{
        char p[PATH_MAX];
        int fd;

        for (unsigned i = 0; i < b->nfiles; i++) {
                const struct box_file *f = &b->files[i];
                if (f->ctl == ctl && f->flags == flags && strcmp(f->name, name) == 0) {
                        *kept = true;
                        return f->fd;
                }
        }
        snprintf(p, sizeof(p), "%s/%s", b->path[ctl], name);
        fd = open(p, flags | O_CLOEXEC);
        *kept = fd >= 0 && b->keep_fds && b->nfiles < BOX_FILES_MAX && kept_fds < kept_fds_max;
        if (*kept) {
                b->files[b->nfiles++] = (struct box_file){name, ctl, flags, fd};
                kept_fds++;
        }
        return fd;
}

static void box_close_files(struct cg_box *b)
{
        while (b->nfiles > 0) {
                close(b->files[--b->nfiles].fd);
                kept_fds--;
        }
}

static void close_unkept(int fd, bool kept)
{
        int saved = errno;

        if (!kept)
                close(fd);
        errno = saved;
}

static int box_write(struct cg_box *b, int ctl, const char *name, const char *val)
{
        size_t n = strlen(val);
        bool kept;
        int fd = box_open(b, ctl, name, O_WRONLY, &kept);
        ssize_t w;

        if (fd < 0)
                return -1;
        w = pwrite(fd, val, n, 0);
        close_unkept(fd, kept);
        return w == (ssize_t)n ? 0 : -1;
}

static ssize_t box_read(struct cg_box *b, int ctl, const char *name, char *out, size_t cap)
{
        bool kept;
        int fd = box_open(b, ctl, name, O_RDONLY, &kept);
        ssize_t n;

        if (fd < 0)
                return -1;
        n = pread(fd, out, cap - 1, 0);
        close_unkept(fd, kept);
        if (n < 0)
                return -1;
        out[n] = '\0';
        return n;
}

/* -1 when the file cannot be read or holds no number. */
static int box_read_u64_strict(struct cg_box *b, int ctl, const char *name, uint64_t *out)
{
        char s[64], *end;

        if (box_read(b, ctl, name, s, sizeof(s)) <= 0)
                return -1;
        errno = 0;
        *out = strtoull(s, &end, 10);
        return errno || end == s ? -1 : 0;
}

/* 0 when the file cannot be read or holds no number. */
static uint64_t box_read_u64(struct cg_box *b, int ctl, const char *name)
{
        uint64_t v;

        return box_read_u64_strict(b, ctl, name, &v) == 0 ? v : 0;
}

/* Value of "key N" in a flat-keyed file of the box (memory.events,
 * cpu.stat, oom_control, memory.stat). */
static uint64_t box_read_keyed(struct cg_box *b, int ctl, const char *name, const char *key)
{
        char s[4096];
        size_t kl = strlen(key);

        if (box_read(b, ctl, name, s, sizeof(s)) < 0)
                return 0;
        for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
                if (strncmp(line, key, kl) == 0 && line[kl] == ' ')
                        return strtoull(line + kl + 1, NULL, 10);
        }
        return 0;
}

/* SIGKILLs the processes in dir/cgroup.procs, except spare. Only whole lines
 * that are positive pids count: a read cut short by the buffer ends in part
 * of a pid (someone else's), and kill(0) would hit our own process group. */
static void kill_procs(const char *dir, pid_t spare)
{
        char procs[65536], *nl;
        ssize_t n = read_file(dir, "cgroup.procs", procs, sizeof(procs));

        while (n > 0 && procs[n - 1] != '\n')
                procs[--n] = '\0';
        for (char *t = procs; n > 0 && (nl = strchr(t, '\n')); t = nl + 1) {
                char *end;
                long pid = strtol(t, &end, 10);
                if (end == nl && pid > 0 && pid != spare)
                        kill((pid_t)pid, SIGKILL);
        }
}

/* Finds the mount point of a hierarchy in mountinfo: fstype cgroup2 (opt
 * NULL) or cgroup with opt among its super options. root (PATH_MAX) gets
 * the cgroup the mount shows at its top: "/" unless it is a bind mount of
 * a subtree (LXC, systemd-nspawn and Docker on v1 show a container that). */
static int find_mount(const char *fstype, const char *opt, char *out, size_t cap, char *root)
{
        FILE *f = fopen("/proc/self/mountinfo", "re");
        char *line = NULL;
        size_t lcap = 0;
        int found = -1;

        if (!f)
                return -1;
        while (getline(&line, &lcap, f) > 0) {
                char mnt[PATH_MAX], top[PATH_MAX], fs[64], super[1024];
                char *sep = strstr(line, " - ");

                if (!sep || sscanf(line, "%*s %*s %*s %4095s %4095s", top, mnt) != 2)
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
                snprintf(root, PATH_MAX, "%s", top);
                found = 0;
                break;
        }
        free(line);
        (void)fclose(f);
        return found;
}

/* See cgroup.h. */
int cg_path_in_mount(const char *own, const char *mount_root, char *out, size_t cap)
{
        size_t rl = strlen(mount_root);
        const char *rest;

        if (own[0] != '/' || strstr(own, "/..") || mount_root[0] != '/')
                return -1;
        while (rl > 0 && mount_root[rl - 1] == '/')
                rl--;
        if (strncmp(own, mount_root, rl) != 0 || (own[rl] != '/' && own[rl] != '\0'))
                return -1;
        rest = own + rl;
        if (snprintf(out, cap, "%s", *rest ? rest : "/") >= (int)cap)
                return -1;
        return 0;
}

/* See cgroup.h. Lines are "<hierarchy id>:<controllers>:<path>"; the path
 * is everything after the second colon (cgroup names may hold colons). */
int cg_parse_own_path(const char *text, const char *controller, char *out, size_t cap)
{
        size_t cl = controller ? strlen(controller) : 0;

        for (const char *line = text; line && *line;) {
                const char *eol = strchr(line, '\n'), *end = eol ? eol : line + strlen(line);
                const char *c1 = memchr(line, ':', (size_t)(end - line));
                const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
                bool match = false;

                if (c2 && !controller) {
                        match = c1 - line == 1 && line[0] == '0' && c2 == c1 + 1;
                } else if (c2) {
                        for (const char *t = c1 + 1; t < c2;) {
                                const char *comma = memchr(t, ',', (size_t)(c2 - t));
                                const char *te = comma ? comma : c2;
                                match = match ||
                                        ((size_t)(te - t) == cl && !strncmp(t, controller, cl));
                                t = te + 1;
                        }
                }
                if (match) {
                        size_t n = (size_t)(end - c2 - 1);
                        if (n == 0 || c2[1] != '/' || n >= cap)
                                return -1;
                        memcpy(out, c2 + 1, n);
                        out[n] = '\0';
                        return 0;
                }
                line = eol ? eol + 1 : NULL;
        }
        return -1;
}

/* The server's own path in a hierarchy, from /proc/self/cgroup. controller
 * NULL means the v2 line ("0::/path"). */
static int own_path(const char *controller, char *out, size_t cap)
{
        char text[16384];

        if (read_file("/proc/self", "cgroup", text, sizeof(text)) < 0)
                return -1;
        return cg_parse_own_path(text, controller, out, cap);
}

static bool word_in(const char *list, const char *word)
{
        size_t wl = strlen(word);

        for (const char *p = list; (p = strstr(p, word)); p += wl)
                if ((p == list || p[-1] == ' ') && (p[wl] == ' ' || p[wl] == '\n' || !p[wl]))
                        return true;
        return false;
}

#define REMOVE_TRIES 50     /* remove_tree: how often it tries rmdir on a busy cgroup, */
#define REMOVE_WAIT_US 2000 /* and how long it waits between tries (100 ms in all) */

/* Kills whatever is in dir (a cgroup) and removes it and its box-* children,
 * waiting up to 100 ms for the kernel to let go of each. Runs only at
 * start-up (cg_init: directories of dead servers, an abandoned v2 set-up)
 * and at shutdown (cg_cleanup), never on the event loop: a box's cgroup
 * goes through cg_box_destroy, which does not wait. */
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
        kill_procs(dir, getpid());
        for (int i = 0; i < REMOVE_TRIES && rmdir(dir) < 0 && errno == EBUSY; i++)
                usleep(REMOVE_WAIT_US);
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

                /* NOLINTNEXTLINE(cert-err34-c): names we made; the pid is checked below */
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
 * ("no internal processes"; only the root cgroup is exempt). So the server
 * leaves its own cgroup <own> for a leaf <own>/codeexec-<pid>/server, then
 * enables memory and pids in <own> (now empty, unless someone else lives
 * there too: then v2 is not usable and we say so) and in
 * <own>/codeexec-<pid>, whose box-<id> children get the limits. This is what
 * systemd's Delegate=yes hands a service, and what a container's PID 1 has.
 *
 * At exit the server must get back into <own> before it can remove its
 * leaf; <own> then holds a process again, which the kernel refuses (EBUSY)
 * while <own> hands controllers down. So it first takes back the
 * controllers it enabled there itself (v2_added), once its children are
 * gone. */
static char v2_parent[PATH_MAX]; /* <mount><own> */
static char v2_added[32];        /* "-memory -pids" etc.: what to undo in <own> */
static bool v2_parent_is_root;   /* the hierarchy's real root: exempt from the rule */
static bool v2_moved;            /* the server lives in <own>/codeexec-<pid>/server */
static char why_buf[PATH_MAX + 512];

static void v2_teardown(void)
{
        char server[PATH_MAX + 8], pid[32];
        DIR *d;
        struct dirent *de;

        if (!v2_base[0])
                return;
        snprintf(server, sizeof(server), "%s/server", v2_base);
        d = opendir(v2_base);
        if (d) {
                while ((de = readdir(d))) {
                        char sub[PATH_MAX + 256];
                        if (de->d_type != DT_DIR || de->d_name[0] == '.' ||
                            strcmp(de->d_name, "server") == 0)
                                continue;
                        snprintf(sub, sizeof(sub), "%s/%s", v2_base, de->d_name);
                        remove_tree(sub);
                }
                closedir(d);
        }
        write_file(v2_base, "cgroup.subtree_control", "-memory -pids");
        write_file(v2_base, "cgroup.subtree_control", "-cpu"); /* where it was enabled */
        if (v2_added[0] && !v2_parent_is_root &&
            write_file(v2_parent, "cgroup.subtree_control", v2_added) < 0)
                log_warn("cgroup v2: cannot disable the controllers it enabled in %s (%s)",
                         v2_parent, strerror(errno));
        v2_added[0] = '\0';
        snprintf(pid, sizeof(pid), "%d", getpid());
        if (v2_moved && write_file(v2_parent, "cgroup.procs", pid) < 0) {
                /* Never kill ourselves over it: leave the leaf, which the
                 * next server started in <own> removes (reap_stale). */
                log_warn("cgroup v2: cannot move the server back into %s (%s): leaving %s",
                         v2_parent, strerror(errno), v2_base);
                v2_base[0] = '\0';
                return;
        }
        v2_moved = false;
        if (rmdir(server) < 0 && errno != ENOENT)
                log_warn("cgroup v2: rmdir %s: %s", server, strerror(errno));
        remove_tree(v2_base);
        v2_base[0] = '\0';
}

static int try_v2(const char **why, bool *mounted)
{
        char mnt[PATH_MAX], top[PATH_MAX], self[PATH_MAX], own[PATH_MAX];
        char server[PATH_MAX + 8], ctl[512] = "", add[32] = "", pid[32];
        bool with_cpu;

        *mounted = false;
        if (find_mount("cgroup2", NULL, mnt, sizeof(mnt), top) < 0) {
                *why = "no cgroup v2 hierarchy is mounted";
                return -1;
        }
        *mounted = true;
        if (own_path(NULL, self, sizeof(self)) < 0) {
                *why = "/proc/self/cgroup has no cgroup v2 line (0::/path)";
                return -1;
        }
        if (cg_path_in_mount(self, top, own, sizeof(own)) < 0) {
                snprintf(why_buf, sizeof(why_buf),
                         "cgroup v2: the server's cgroup %s is not visible through the cgroup2 "
                         "mount at %s (which shows %s)",
                         self, mnt, top);
                *why = why_buf;
                return -1;
        }
        snprintf(v2_parent, sizeof(v2_parent), "%s%s", mnt, strcmp(own, "/") ? own : "");
        if (read_file(v2_parent, "cgroup.controllers", ctl, sizeof(ctl)) < 0 ||
            !word_in(ctl, "memory") || !word_in(ctl, "pids")) {
                ctl[strcspn(ctl, "\n")] = '\0';
                snprintf(why_buf, sizeof(why_buf),
                         "cgroup v2: the memory and pids controllers are not delegated to %s "
                         "(its cgroup.controllers: \"%s\")",
                         v2_parent, ctl);
                *why = why_buf;
                return -1;
        }
        /* Only the real root lacks cgroup.type (a cgroup namespace's root has it). */
        snprintf(server, sizeof(server), "%s/cgroup.type", v2_parent);
        v2_parent_is_root = access(server, F_OK) < 0 && errno == ENOENT;
        reap_stale(v2_parent);
        snprintf(v2_base, sizeof(v2_base), "%s/codeexec-%d", v2_parent, getpid());
        snprintf(server, sizeof(server), "%s/server", v2_base);
        snprintf(pid, sizeof(pid), "%d", getpid());
        if ((mkdir(v2_base, 0755) < 0 && errno != EEXIST) ||
            (mkdir(server, 0755) < 0 && errno != EEXIST)) {
                snprintf(why_buf, sizeof(why_buf),
                         "cgroup v2: cannot create %s (%s): the cgroup is not writable here "
                         "(read-only cgroupfs, or not delegated to this server)",
                         v2_base, strerror(errno));
                goto undo;
        }
        v2_moved = write_file(server, "cgroup.procs", pid) == 0;
        if (!v2_moved) {
                snprintf(why_buf, sizeof(why_buf), "cgroup v2: cannot move the server into %s (%s)",
                         server, strerror(errno));
                goto undo;
        }
        /* cpu, where delegated, gives every box an equal CPU share */
        with_cpu =
            read_file(v2_parent, "cgroup.controllers", ctl, sizeof(ctl)) > 0 && word_in(ctl, "cpu");
        if (read_file(v2_parent, "cgroup.subtree_control", ctl, sizeof(ctl)) < 0)
                ctl[0] = '\0';
        snprintf(add, sizeof(add), "%s%s", word_in(ctl, "memory") ? "" : " +memory",
                 word_in(ctl, "pids") ? "" : " +pids");
        if (add[0] && write_file(v2_parent, "cgroup.subtree_control", add + 1) < 0) {
                if (errno == EBUSY)
                        snprintf(why_buf, sizeof(why_buf),
                                 "cgroup v2: %s holds other processes besides the server, so it "
                                 "cannot hand controllers to child cgroups (the \"no internal "
                                 "processes\" rule); run the server in a cgroup of its own: a "
                                 "systemd unit with Delegate=yes, or as a container's PID 1",
                                 v2_parent);
                else
                        snprintf(
                            why_buf, sizeof(why_buf),
                            "cgroup v2: cannot enable memory/pids in %s/cgroup.subtree_control "
                            "(%s)",
                            v2_parent, strerror(errno));
                goto undo;
        }
        /* cpu is optional: the kernel may refuse it (e.g. realtime threads) */
        if (with_cpu && !word_in(ctl, "cpu")) {
                if (write_file(v2_parent, "cgroup.subtree_control", "+cpu") == 0)
                        snprintf(add + strlen(add), sizeof(add) - strlen(add), " +cpu");
                else
                        with_cpu = false;
        }
        for (char *p = add; (p = strchr(p, '+')); p++)
                *p = '-';
        snprintf(v2_added, sizeof(v2_added), "%s", add[0] ? add + 1 : "");
        if (write_file(v2_base, "cgroup.subtree_control", "+memory +pids") < 0) {
                snprintf(why_buf, sizeof(why_buf),
                         "cgroup v2: cannot enable memory/pids in %s/cgroup.subtree_control (%s)",
                         v2_base, strerror(errno));
                goto undo;
        }
        if (with_cpu && write_file(v2_base, "cgroup.subtree_control", "+cpu") < 0)
                log_warn("cgroup v2: cannot enable cpu in %s (%s): boxes share CPU unweighted",
                         v2_base, strerror(errno));
        kind = CG_V2;
        return 0;
undo:
        *why = why_buf;
        v2_teardown();
        return -1;
}

static int try_v1(const char **why, bool *mounted)
{
        static char mnts[V1_COUNT][PATH_MAX];

        *mounted = false;
        for (int c = 0; c < V1_COUNT; c++) {
                char *mnt = mnts[c], top[PATH_MAX], self[PATH_MAX], own[PATH_MAX];
                char parent[PATH_MAX * 2];
                bool shared = false;

                v1_base[c][0] = '\0';
                if (find_mount("cgroup", v1_names[c], mnt, PATH_MAX, top) < 0 ||
                    own_path(v1_names[c], self, sizeof(self)) < 0 ||
                    cg_path_in_mount(self, top, own, sizeof(own)) < 0) {
                        mnt[0] = '\0';
                        if (c == V1_CPUACCT || c == V1_CPU)
                                continue; /* optional */
                        *why = "no cgroup v1 memory and pids hierarchies";
                        return -1;
                }
                /* co-mounted controllers ("cpu,cpuacct") share one hierarchy */
                for (int k = 0; k < c; k++)
                        shared = shared || strcmp(mnts[k], mnt) == 0;
                if (shared)
                        continue;
                *mounted = true;
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
        static char both[sizeof(why_buf) + 128];
        const char *why2 = NULL, *why1 = NULL;
        bool v2_mounted, v1_mounted;
        struct rlimit r;

        *why = NULL;
        kept_fds_max = 0;
        if (getrlimit(RLIMIT_NOFILE, &r) == 0)
                kept_fds_max =
                    r.rlim_cur / 4 < KEPT_FDS_MAX ? (unsigned)(r.rlim_cur / 4) : KEPT_FDS_MAX;
        if (try_v2(&why2, &v2_mounted) == 0)
                return 0;
        if (try_v1(&why1, &v1_mounted) == 0) {
                log_debug("cgroup v2 not used: %s", why2);
                return 0;
        }
        cg_cleanup();
        kind = CG_NONE;
        /* Say why the hierarchy the host actually has was refused. */
        if (v2_mounted && v1_mounted) {
                snprintf(both, sizeof(both), "%s; cgroup v1: %s", why2, why1);
                *why = both;
        } else {
                *why = v2_mounted ? why2 : why1;
        }
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
        if (kind == CG_V2)
                v2_teardown();
        for (int c = 0; c < V1_COUNT; c++)
                if (v1_base[c][0])
                        remove_tree(v1_base[c]);
        v2_base[0] = '\0';
        memset(v1_base, 0, sizeof(v1_base));
}

/* The file a process writes "0" to, to move itself into a box. On v1 it
 * is `tasks`, which moves the writing thread alone: for the calling thread
 * the kernel then skips the global threadgroup lock, whose write side
 * waits for an RCU grace period whenever no migration happened lately
 * (8 ms per move with moves 20 ms apart, against 20 us through `tasks`,
 * measured here on Linux 6.18) and holds cgroup_mutex meanwhile, so every
 * other cgroup operation of the machine (the server's mkdir of the next
 * box) waited too. Every writer here is single-threaded: a box's PID 1,
 * or a warm zygote (one with a thread is refused, exec/warmpool.c), whose
 * runs are then born in the box. v2 moves no single thread of a domain
 * cgroup: cgroup.procs. */
static const char *self_join_file(void)
{
        return kind == CG_V2 ? "cgroup.procs" : "tasks";
}

/* Fills b's paths for box id (empty for the hierarchies not in use). */
static void box_paths(struct cg_box *b, uint64_t id)
{
        b->id = id;
        b->v2_fd = -1;
        if (kind == CG_V2) {
                snprintf(b->path[0], sizeof(b->path[0]), "%s/box-%llu", v2_base,
                         (unsigned long long)id);
        } else if (kind == CG_V1) {
                for (int c = 0; c < V1_COUNT; c++)
                        if (v1_base[c][0])
                                snprintf(b->path[c], sizeof(b->path[c]), "%s/box-%llu", v1_base[c],
                                         (unsigned long long)id);
        }
}

struct cg_box *cg_box_create(uint64_t id, const struct sbx_limits *lim, struct err *e)
{
        struct cg_box *b = calloc(1, sizeof(*b));
        char val[32];

        if (!b) {
                err_set(e, ENOMEM, "cgroup");
                return NULL;
        }
        box_paths(b, id);
        if (kind == CG_V2) {
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
                for (int c = 0; c < V1_COUNT; c++)
                        if (b->path[c][0] && mkdir(b->path[c], 0755) < 0) {
                                /* not made: not ours to remove */
                                for (int rest = c; rest < V1_COUNT; rest++)
                                        b->path[rest][0] = '\0';
                                goto fail;
                        }
                snprintf(val, sizeof(val), "%llu", (unsigned long long)lim->memory_bytes);
                if (write_file(b->path[V1_MEMORY], "memory.limit_in_bytes", val) < 0)
                        goto fail;
                write_file(b->path[V1_MEMORY], "memory.memsw.limit_in_bytes", val);
                snprintf(val, sizeof(val), "%u", lim->processes);
                if (write_file(b->path[V1_PIDS], "pids.max", val) < 0)
                        goto fail;
                b->memory_limit_set = lim->memory_bytes;
                b->processes_limit_set = lim->processes;
        }
        return b;
fail:
        err_set(e, errno, "cgroup for box %llu", (unsigned long long)id);
        /* No process ever entered it, so removal is not refused as busy:
         * nothing to wait for (this runs on the event loop). */
        if (cg_box_destroy(b) < 0)
                log_warn("cgroup for box %llu left behind: %s", (unsigned long long)id,
                         strerror(errno));
        return NULL;
}

struct cg_box *cg_box_adopt(uint64_t id)
{
        struct cg_box *b = calloc(1, sizeof(*b));

        if (b)
                box_paths(b, id);
        return b;
}

void cg_box_forget(struct cg_box *b)
{
        if (!b)
                return;
        box_close_files(b);
        if (b->v2_fd >= 0)
                close(b->v2_fd);
        free(b);
}

uint64_t cg_box_id(const struct cg_box *b)
{
        return b->id;
}

int cg_box_clone_fd(const struct cg_box *b)
{
        return b ? b->v2_fd : -1;
}

int cg_box_procs_fds(struct cg_box *b, int *fds, size_t max, struct err *e)
{
        size_t n = 0;

        if (!b || kind == CG_NONE)
                return 0;
        for (int c = 0; c < V1_COUNT; c++) {
                bool kept;
                if (!b->path[c][0] || (kind == CG_V2 && c > 0))
                        continue;
                if (n == max)
                        goto fail;
                /* the caller closes what it gets: a copy of a kept one */
                fds[n] = box_open(b, c, self_join_file(), O_WRONLY, &kept);
                if (fds[n] >= 0 && kept)
                        fds[n] = fcntl(fds[n], F_DUPFD_CLOEXEC, 3);
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
        const char *file = pid == 0 ? self_join_file() : "cgroup.procs";
        char val[32];

        snprintf(val, sizeof(val), "%d", pid);
        /* Reads only b: a box's PID 1 calls this (v2 boxes fill path[0]
         * alone). */
        for (int c = 0; c < V1_COUNT; c++) {
                if (!b->path[c][0])
                        continue;
                if (write_file(b->path[c], file, val) < 0)
                        return err_set(e, errno, "attach pid %d to %s", pid, b->path[c]);
        }
        return 0;
}

void cg_box_kill(struct cg_box *b)
{
        const char *dir;

        if (!b || kind == CG_NONE)
                return;
        if (kind == CG_V2 && write_file(b->path[0], "cgroup.kill", "1") == 0)
                return;
        dir = kind == CG_V2 ? b->path[0] : b->path[V1_PIDS];
        kill_procs(dir, 0);
}

void cg_box_usage(struct cg_box *b, struct sbx_usage *u)
{
        memset(u, 0, sizeof(*u));
        if (!b || kind == CG_NONE)
                return;
        if (kind == CG_V2) {
                u->memory_peak_bytes = box_read_u64(b, 0, "memory.peak");
                u->oom_killed = box_read_keyed(b, 0, "memory.events", "oom_kill") > 0;
                u->cpu_us = box_read_keyed(b, 0, "cpu.stat", "usage_usec");
                return;
        }
        u->memory_peak_bytes = box_read_u64(b, V1_MEMORY, "memory.max_usage_in_bytes");
        u->memory_peak_bytes -=
            u->memory_peak_bytes > b->charge_base ? b->charge_base : u->memory_peak_bytes;
        u->oom_killed = box_read_keyed(b, V1_MEMORY, "memory.oom_control", "oom_kill") > 0;
        if (b->path[V1_CPUACCT][0])
                u->cpu_us = box_read_u64(b, V1_CPUACCT, "cpuacct.usage") / 1000;
}

int cg_box_set_limits(struct cg_box *b, const struct sbx_limits *lim)
{
        char mem[32], pids[32];
        int rc;

        if (!b || kind == CG_NONE)
                return 0;
        /* A reused cgroup (v1 only) still holds what its earlier runs left
         * charged (at most REUSE_MAX_CHARGE): the run's peak is counted from
         * there (cg_box_usage), and its limit is raised by the anonymous
         * memory among it, the zygote's pages charged while it waited here,
         * which stay. The rest (page cache, slab objects) the kernel frees
         * or reclaims as the run's own charges need the room: the run gets
         * its limit and never more (less by what it did not free yet, a few
         * hundred KiB). */
        uint64_t zygote_pages = 0;
        b->charge_base = 0;
        if (b->reused && b->zygote_waits) {
                if (box_read_u64_strict(b, V1_MEMORY, "memory.usage_in_bytes", &b->charge_base) < 0)
                        return -1;
                zygote_pages = box_read_keyed(b, V1_MEMORY, "memory.stat", "rss");
                if (zygote_pages > b->charge_base)
                        zygote_pages = b->charge_base;
        } else if (b->reused) {
                /* No zygote came in: whatever joined since the reset (a
                 * standby's PID 1) is the run's, as in a new cgroup. */
                b->charge_base = b->reset_charge;
        }
        snprintf(mem, sizeof(mem), "%llu", (unsigned long long)(lim->memory_bytes + zygote_pages));
        snprintf(pids, sizeof(pids), "%u", lim->processes);
        if (kind == CG_V2) {
                rc = box_write(b, 0, "memory.max", mem);
                /* reset the peak (Linux 6.12 on; before, it counts from the
                 * cgroup's creation, which is nearly the same here) */
                box_write(b, 0, "memory.peak", "0");
                return box_write(b, 0, "pids.max", pids) < 0 ? -1 : rc;
        }
        rc = 0;
        if (b->memory_limit_set != lim->memory_bytes + zygote_pages) {
                /* memsw first when growing, last when shrinking: it may
                 * never be below the memory limit. */
                box_write(b, V1_MEMORY, "memory.memsw.limit_in_bytes", mem);
                rc = box_write(b, V1_MEMORY, "memory.limit_in_bytes", mem);
                box_write(b, V1_MEMORY, "memory.memsw.limit_in_bytes", mem);
                b->memory_limit_set = rc == 0 ? lim->memory_bytes + zygote_pages : 0;
        }
        box_write(b, V1_MEMORY, "memory.max_usage_in_bytes", "0");
        if (b->processes_limit_set != lim->processes) {
                if (box_write(b, V1_PIDS, "pids.max", pids) < 0) {
                        b->processes_limit_set = 0;
                        return -1;
                }
                b->processes_limit_set = lim->processes;
        }
        return rc;
}

int cg_box_reset(struct cg_box *b)
{
        uint64_t n;

        if (kind != CG_V1 || !b->path[V1_PIDS][0])
                return errno = ENOTSUP, -1;
        b->keep_fds = true;
        if (box_read_u64_strict(b, V1_PIDS, "pids.current", &n) < 0)
                return errno = EIO, -1;
        if (n != 0)
                return errno = EBUSY, -1;
        /* An out-of-memory kill stays counted in oom_control; such a cgroup,
         * or one still charged with much, is removed instead. */
        if (box_read_keyed(b, V1_MEMORY, "memory.oom_control", "oom_kill") != 0 ||
            box_read_u64_strict(b, V1_MEMORY, "memory.usage_in_bytes", &n) < 0 ||
            n > REUSE_MAX_CHARGE)
                return errno = ENOSPC, -1;
        b->reset_charge = n;
        b->zygote_waits = false;
        if (b->path[V1_CPUACCT][0] && box_write(b, V1_CPUACCT, "cpuacct.usage", "0") < 0)
                return errno = EIO, -1;
        b->reused = true;
        return 0;
}

void cg_box_zygote_waits(struct cg_box *b)
{
        b->zygote_waits = true;
}

bool cg_box_reusable(const struct cg_box *b)
{
        return b && kind == CG_V1;
}

int cg_box_destroy(struct cg_box *b)
{
        if (!b)
                return 0;
        box_close_files(b);
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
