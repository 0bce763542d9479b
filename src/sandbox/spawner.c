/* spawner: the process that clones standby boxes for the server (see
 * sandbox-internal.h).
 *
 * Theory of operation. Starting a standby box (standby.c) from the server
 * costs its event loop about half of what it spends per judged test: the
 * clone copies the server's page tables, every page the server writes
 * afterwards takes a copy-on-write fault while the box still shares it,
 * and the box's cgroup directories are made with mkdir. None of that needs
 * the server. So at start-up the server forks this small process, while
 * its memory is still small and before it serves anything; the spawner
 * receives "a standby for slot S, built like this, in cgroup N" on a
 * SOCK_SEQPACKET socket, makes the cgroup, clones PID 1 with CLONE_PARENT
 * — the box is the server's child, exactly as if the server had cloned it:
 * the server reaps it by pidfd and it dies with the server (its parent-
 * death signal) — writes its id maps, lets it go and sends back the pidfd,
 * the server's end of its status socket and its mount namespace. It runs
 * on the other CPU while the server goes on; what it clones is a copy of
 * its own few idle pages.
 *
 * The spawner holds nothing of a run: requests carry only what a box is
 * built from (binds, overlays, /mnt, limits), which the server decides
 * before any program exists; runs reach a standby through the status
 * socket, which the spawner no longer has. It dies with the server
 * (PR_SET_PDEATHSIG) and exits when the server closes its end. When it is
 * gone (it crashed, a send failed), the server clones standbys itself, as
 * with --no-spawner. */
#define _GNU_SOURCE
#include "sandbox-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../util/log.h"
#include "../util/scm.h"
#include "cgroup.h"
#include "reaper.h"

#define SPAWNER_COMM "codeexec-spawn"
#define REQUEST_MAGIC 0x53706e52u /* "SpnR" */
#define ANSWER_MAGIC 0x53706e41u  /* "SpnA" */
/* A request's strings (bind and overlay paths) at most. */
#define REQUEST_STRINGS_MAX (60 * 1024)
/* Released boxes' cgroups are removed together every REMOVE_BATCH_MS, and
 * one the kernel does not let go of yet is tried again at the next batch,
 * up to REMOVE_TRIES times (then cg_cleanup takes it at the server's exit).
 * Removed one by one as they came, each rmdir ran just as the server made
 * the next run's cgroup in the same directory (a box is released when the
 * next run starts), and the server's mkdir waited for the directory's lock
 * on the event loop: about 7% of its time at 600 warm runs a second,
 * under 1% with batches, which gained 1-6% of calls per second
 * (docs/performance.md). A batch of 200 ms leaves at most a few hundred
 * empty cgroups behind at any time. */
#define REMOVE_BATCH_MS 200
#define REMOVE_TRIES 15

enum request_kind {
        REQUEST_STANDBY = 1, /* answered */
        REQUEST_REMOVE = 2,  /* remove the cgroup box_id of a released box; no answer */
};

struct request {
        uint32_t magic;
        uint32_t kind;
        uint32_t slot;
        uint64_t box_id;
        struct sbx_limits limits;
        uint32_t mnt_in_tmp;
        uint32_t nbinds;
        uint32_t noverlays;
        uint32_t cgroup_exists; /* box_id's cgroup is a kept one, its limits set (cgpool.c) */
        uint32_t strings_len;   /* binds, then lower and target of each overlay, NUL-ended */
        char strings[REQUEST_STRINGS_MAX];
};

/* Attached: pidfd (when has_pidfd), status socket (when ok), mount
 * namespace (when has_mntns), in that order. */
struct answer {
        uint32_t magic;
        uint32_t slot;
        uint64_t box_id;
        int32_t pid;
        uint8_t ok, has_pidfd, has_mntns;
        char msg[sizeof(((struct err *)0)->msg)];
};

static int sock = -1; /* the server's end; -1 when down */
static bool stopping;
static pid_t spawner_pid = -1;
static char server_comm[16];

/* ---- the spawner's side ---- */

/* The next NUL-ended string of r's strings at *at, or NULL. */
static const char *next_string(const struct request *r, size_t *at)
{
        const char *s = r->strings + *at;
        const char *end = memchr(s, '\0', r->strings_len - *at);

        if (*at >= r->strings_len || !end)
                return NULL;
        *at += (size_t)(end - s) + 1;
        return s;
}

/* Clones the box of request r (len bytes) into *box; -1 with e set. */
static int spawn_one(const struct request *r, size_t len, struct sbx_box *box, struct err *e)
{
        /* at most one string per two bytes of strings */
        const char **binds = NULL;
        struct sbx_overlay *overlays = NULL;
        struct sbx_spec key;
        struct child_ctx ctx;
        struct cg_box *cg;
        size_t at = 0;
        int rc = -1;

        if (r->nbinds > r->strings_len / 2 || r->noverlays > r->strings_len / 4 ||
            len != offsetof(struct request, strings) + r->strings_len) {
                err_set(e, EPROTO, "spawner: malformed request");
                return -1;
        }
        binds = calloc(r->nbinds + 1, sizeof(*binds));
        overlays = calloc(r->noverlays + 1, sizeof(*overlays));
        if (!binds || !overlays) {
                err_set(e, ENOMEM, "spawner");
                goto out;
        }
        for (uint32_t i = 0; i < r->nbinds; i++)
                if (!(binds[i] = next_string(r, &at)))
                        goto malformed;
        for (uint32_t i = 0; i < r->noverlays; i++)
                if (!(overlays[i].lower = next_string(r, &at)) ||
                    !(overlays[i].target = next_string(r, &at)))
                        goto malformed;
        if (at != r->strings_len)
                goto malformed;
        memset(&key, 0, sizeof(key));
        key.binds = r->nbinds ? binds : NULL;
        key.overlays = overlays;
        key.noverlays = r->noverlays;
        key.mnt_in_tmp = r->mnt_in_tmp != 0;
        key.limits = r->limits;
        key.slot = r->slot;
        memset(&ctx, 0, sizeof(ctx));
        ctx.spec = &key;
        ctx.standby = true;
        ctx.clone_parent = true;
        ctx.collect_fd = -1;
        memset(ctx.out_w, -1, sizeof(ctx.out_w));
        memcpy(ctx.name, server_comm, sizeof(ctx.name));
        if (r->cgroup_exists) {
                cg = cg_box_adopt(r->box_id);
                if (!cg)
                        err_set(e, ENOMEM, "spawner");
        } else {
                cg = cg_box_create(r->box_id, &r->limits, e);
        }
        if (cg)
                rc = sbx_start_pid1_in(&ctx, cg, r->slot, box, e);
        goto out;
malformed:
        err_set(e, EPROTO, "spawner: malformed request");
out:
        free(binds);
        free(overlays);
        return rc;
}

static void answer(int fd, const struct request *r, struct sbx_box *box, bool ok, const char *msg)
{
        struct answer a;
        int fds[3];
        size_t n = 0;

        memset(&a, 0, sizeof(a));
        a.magic = ANSWER_MAGIC;
        a.slot = r->slot;
        a.box_id = r->box_id;
        a.pid = box->pid;
        a.ok = ok;
        snprintf(a.msg, sizeof(a.msg), "%s", msg);
        if (box->pidfd >= 0) {
                a.has_pidfd = 1;
                fds[n++] = box->pidfd;
        }
        if (ok)
                fds[n++] = box->status_fd;
        if (box->mntns_fd >= 0) {
                a.has_mntns = 1;
                fds[n++] = box->mntns_fd;
        }
        /* the server gone: the boxes die with it (their parent) */
        if (scm_send(fd, &a, sizeof(a), fds, n, MSG_NOSIGNAL) != (ssize_t)sizeof(a))
                _exit(0);
        for (size_t i = 0; i < n; i++)
                close(fds[i]);
        /* the cgroup is the server's now */
        cg_box_forget(box->cg);
}

/* Cgroups of released boxes still busy, in the spawner. */
struct removal {
        struct cg_box *cg;
        unsigned tries;
};
static struct removal *removals;
static size_t nremovals;

/* Queues the cgroup of a released box for the next batch. */
static void remove_box_cgroup(uint64_t box_id)
{
        struct cg_box *cg = cg_box_adopt(box_id);
        struct removal *grown;

        if (!cg)
                return;
        grown = realloc(removals, (nremovals + 1) * sizeof(*removals));
        if (!grown) {
                if (cg_box_destroy(cg) < 0)
                        cg_box_forget(cg); /* left for cg_cleanup */
                return;
        }
        removals = grown;
        removals[nremovals].cg = cg;
        removals[nremovals++].tries = 0;
}

static void retry_removals(void)
{
        size_t kept = 0;

        for (size_t i = 0; i < nremovals; i++) {
                struct removal *r = &removals[i];
                if (cg_box_destroy(r->cg) == 0 || errno != EBUSY)
                        continue;
                if (++r->tries >= REMOVE_TRIES) {
                        log_warn("cgroup of a finished box still busy: left for the server's exit");
                        cg_box_forget(r->cg);
                        continue;
                }
                removals[kept++] = *r;
        }
        nremovals = kept;
}

static _Noreturn void spawner_main(int fd, pid_t server)
{
        static struct request r;
        uint64_t next_retry_ms = 0;

        prctl(PR_SET_NAME, SPAWNER_COMM, 0, 0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        if (getppid() != server)
                _exit(0);
        for (int sig = 1; sig < NSIG; sig++)
                signal(sig, SIG_DFL);
        signal(SIGPIPE, SIG_IGN);
        /* A terminal's ^C or a stop signal to the process group is the
         * server's to handle: it drains (still asking for standbys) and
         * then closes the socket, on which the spawner exits. Boxes reset
         * every disposition (init.c). */
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        signal(SIGQUIT, SIG_IGN);
        for (;;) {
                struct sbx_box box;
                struct err e = {0, ""};
                struct pollfd p = {fd, POLLIN, 0};
                ssize_t n;

                /* A batch every REMOVE_BATCH_MS, however many requests
                 * arrive meanwhile. */
                if (nremovals) {
                        uint64_t now = sbx_now_us() / 1000u;
                        if (now >= next_retry_ms) {
                                retry_removals();
                                next_retry_ms = now + REMOVE_BATCH_MS;
                                continue;
                        }
                        if (poll(&p, 1, (int)(next_retry_ms - now)) == 0)
                                continue;
                }
                n = recv(fd, &r, sizeof(r), 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        retry_removals(); /* once more; the rest is cg_cleanup's */
                        _exit(0);         /* the server closed its end */
                }
                if ((size_t)n == offsetof(struct request, strings) && r.magic == REQUEST_MAGIC &&
                    r.kind == REQUEST_REMOVE) {
                        remove_box_cgroup(r.box_id);
                        if (nremovals == 1)
                                next_retry_ms = sbx_now_us() / 1000u + REMOVE_BATCH_MS;
                        continue;
                }
                memset(&box, 0, sizeof(box));
                box.pidfd = box.status_fd = box.mntns_fd = box.collect_fd = -1;
                if ((size_t)n < offsetof(struct request, strings) || r.magic != REQUEST_MAGIC ||
                    r.kind != REQUEST_STANDBY || r.strings_len > REQUEST_STRINGS_MAX) {
                        err_set(&e, EPROTO, "spawner: malformed request");
                        answer(fd, &r, &box, false, e.msg);
                        continue;
                }
                if (spawn_one(&r, (size_t)n, &box, &e) < 0)
                        answer(fd, &r, &box, false, e.msg);
                else
                        answer(fd, &r, &box, true, "");
        }
}

/* ---- the server's side ---- */

bool sbx_spawner_start(void)
{
        int pair[2];
        pid_t server = getpid(), pid;

        if (prctl(PR_GET_NAME, server_comm, 0, 0, 0) < 0 ||
            socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
                log_warn("no standby spawner (%s): the server clones standby boxes",
                         strerror(errno));
                return false;
        }
        pid = fork();
        if (pid == 0) {
                close(pair[0]);
                spawner_main(pair[1], server);
        }
        close(pair[1]);
        /* answers are taken when they have come (standby.c) */
        fcntl(pair[0], F_SETFL, O_NONBLOCK);
        if (pid < 0) {
                log_warn("no standby spawner (fork: %s): the server clones standby boxes",
                         strerror(errno));
                close(pair[0]);
                return false;
        }
        sock = pair[0];
        spawner_pid = pid;
        return true;
}

bool sbx_spawner_up(void)
{
        return sock >= 0;
}

static void went_down(const char *why)
{
        log_error("standby spawner gone (%s): the server clones standby boxes from now on", why);
        close(sock);
        sock = -1;
}

int sbx_spawner_request(const struct sbx_spec *key, uint64_t box_id, bool cgroup_exists)
{
        static struct request r;
        size_t at = 0, n = 0;

        if (sock < 0)
                return -1;
        while (key->binds && key->binds[n])
                n++;
        memset(&r, 0, offsetof(struct request, strings));
        r.magic = REQUEST_MAGIC;
        r.kind = REQUEST_STANDBY;
        r.slot = key->slot;
        r.box_id = box_id;
        r.cgroup_exists = cgroup_exists;
        r.limits = key->limits;
        r.mnt_in_tmp = key->mnt_in_tmp;
        r.nbinds = (uint32_t)n;
        r.noverlays = (uint32_t)key->noverlays;
        for (size_t i = 0; i < n + 2 * key->noverlays; i++) {
                const char *s = i < n         ? key->binds[i]
                                : (i - n) % 2 ? key->overlays[(i - n) / 2].target
                                              : key->overlays[(i - n) / 2].lower;
                size_t len = strlen(s) + 1;
                if (len > REQUEST_STRINGS_MAX - at) {
                        errno = E2BIG; /* this one is cloned here; the spawner stays */
                        return -1;
                }
                memcpy(r.strings + at, s, len);
                at += len;
        }
        r.strings_len = (uint32_t)at;
        if (send(sock, &r, offsetof(struct request, strings) + at, MSG_DONTWAIT | MSG_NOSIGNAL) <
            0) {
                int saved = errno;
                /* full (it is far behind): this one is cloned here */
                if (saved != EAGAIN)
                        went_down(strerror(saved));
                errno = saved;
                return -1;
        }
        return 0;
}

int sbx_spawner_remove(uint64_t box_id)
{
        struct request r;

        if (sock < 0)
                return -1;
        memset(&r, 0, offsetof(struct request, strings));
        r.magic = REQUEST_MAGIC;
        r.kind = REQUEST_REMOVE;
        r.box_id = box_id;
        if (send(sock, &r, offsetof(struct request, strings), MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
                if (errno != EAGAIN)
                        went_down(strerror(errno));
                return -1;
        }
        return 0;
}

int sbx_spawner_answer(struct spawned *out, int timeout_ms)
{
        struct answer a;
        struct pollfd p;
        int fds[3], flags;
        size_t nfds, k = 0;
        ssize_t n;

        if (sock < 0)
                return -1;
        p.fd = sock;
        p.events = POLLIN;
        p.revents = 0;
        /* (the socket is non-blocking: without a wait, recv says EAGAIN) */
        if (timeout_ms > 0 && poll(&p, 1, timeout_ms) == 0)
                return 0;
        n = scm_recv(sock, &a, sizeof(a), fds, 3, &nfds, &flags);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        if (n != (ssize_t)sizeof(a) || a.magic != ANSWER_MAGIC ||
            nfds != (size_t)a.has_pidfd + (size_t)a.ok + (size_t)a.has_mntns) {
                for (size_t i = 0; n > 0 && i < nfds; i++)
                        close(fds[i]);
                if (n == 0 && stopping) {
                        close(sock);
                        sock = -1;
                } else if (n == 0) {
                        went_down("it exited");
                } else {
                        went_down("malformed answer");
                }
                return -1;
        }
        out->slot = a.slot;
        out->box_id = a.box_id;
        out->ok = a.ok;
        memcpy(out->msg, a.msg, sizeof(out->msg));
        out->msg[sizeof(out->msg) - 1] = '\0';
        out->pid = a.pid;
        out->pidfd = a.has_pidfd ? fds[k++] : -1;
        out->status_fd = a.ok ? fds[k++] : -1;
        out->mntns_fd = a.has_mntns ? fds[k++] : -1;
        return 1;
}

void sbx_spawner_stop(void)
{
        stopping = true;
        if (sock >= 0)
                shutdown(sock, SHUT_WR);
}

void sbx_spawner_reap(void)
{
        if (sock >= 0) {
                close(sock);
                sock = -1;
        }
        if (spawner_pid > 0)
                while (waitpid(spawner_pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        spawner_pid = -1;
}
