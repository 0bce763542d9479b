/* main: start-up, the event loop, and graceful shutdown.
 *
 * Theory of operation. Parse options, load the language recipes (a broken
 * recipe stops start-up), prepare the sandbox (cgroups beneath our own), then
 * run one libevent loop that owns every socket, pipe, pidfd and timer.
 * SIGTERM/SIGINT stop accepting connections, let running and queued runs
 * finish within --grace seconds, then kill what is left, remove our cgroups
 * and exit. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../api/api.h"
#include "../api/common.h"
#include "../api/coverage.h"
#include "../api/judge0.h"
#include "../bank/problems.h"
#include "../api/piston.h"
#include "../bank/store.h"
#include "../exec/env.h"
#include "../exec/sched.h"
#include "../exec/execpool.h"
#include "../exec/warmpool.h"
#include "../http/http.h"
#include "../lang/peers.h"
#include "../lang/recipe.h"
#include "../sandbox/sandbox.h"
#include "../util/log.h"
#include "config.h"
#include "probe.h"

/* The housekeeping tick: retries cgroup removals and, while stopping,
 * watches the drain. */
#define TICK_US 200000
#define TICKS_PER_S (1000000 / TICK_US)

static struct event_base *base;
static struct config cfg;
static struct event *ev_tick;
static int stopping;
static unsigned stop_ticks;

static int is_loopback(const char *ip)
{
        return strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0 ||
               strcmp(ip, "localhost") == 0;
}

/* Every connection is an fd: take the whole hard limit, not the soft one we
 * inherited (often 1024), so idle connections cannot lock others out. */
static void raise_fd_limit(void)
{
        struct rlimit r;

        if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
                r.rlim_cur = r.rlim_max;
                if (setrlimit(RLIMIT_NOFILE, &r) == 0)
                        log_info("open files limit raised to %llu", (unsigned long long)r.rlim_max);
        }
}

/* A box cannot raise an rlimit above the hard limit it inherits from us:
 * clamp the per-run limits so runs do not all fail with EPERM. */
static void clamp_box_limits(struct config *c)
{
        struct rlimit r;

        if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_max != RLIM_INFINITY &&
            c->open_files > r.rlim_max) {
                log_warn("--open-files %u is above the hard limit %llu: using %llu", c->open_files,
                         (unsigned long long)r.rlim_max, (unsigned long long)r.rlim_max);
                c->open_files = (uint32_t)r.rlim_max;
        }
        if (getrlimit(RLIMIT_NPROC, &r) == 0 && r.rlim_max != RLIM_INFINITY &&
            c->processes > r.rlim_max) {
                log_warn("--processes %u is above the hard limit %llu: using %llu", c->processes,
                         (unsigned long long)r.rlim_max, (unsigned long long)r.rlim_max);
                c->processes = (uint32_t)r.rlim_max;
        }
}

/* Hands the endpoints the options they apply (after clamp_box_limits). */
static void start_api(void)
{
        struct api_config ac = {
            .default_timeout_s = cfg.default_timeout_s,
            .max_timeout_s = cfg.max_timeout_s,
            .memory_mb = cfg.memory_mb,
            .processes = cfg.processes,
            .file_mb = cfg.file_mb,
            .tmpfs_mb = cfg.tmpfs_mb,
            .open_files = cfg.open_files,
            .output_limit_bytes = cfg.output_limit_bytes,
            .piston_output_max = cfg.piston_output_max,
            .reply_limit_bytes = cfg.reply_limit_bytes,
            .max_batch = cfg.max_batch,
            .judge0_keep_bytes = cfg.judge0_keep_mb << 20,
            .judge0_ttl_s = cfg.judge0_ttl_s,
            .history = cfg.no_history ? 0 : cfg.history,
        };

        api_init(&ac);
}

/* Listens, with the transport's share of the options and the endpoints'
 * route table. */
static int start_http(struct err *e)
{
        struct http_options ho = {
            .ip = cfg.ip,
            .port = cfg.port,
            .auth_token = cfg.auth_token,
            .max_body_bytes = cfg.max_body_bytes,
            .reply_timeout_s = cfg.reply_timeout_s,
            .access_log = cfg.access_log != 0,
        };
        size_t nroutes;
        const struct http_route *routes = api_routes(&nroutes);

        return http_start(base, &ho, routes, nroutes, e);
}

/* A helper binary beside this one (codeexec-pyzygote, codeexec-pyreaper),
 * or NULL. */
static const char *helper_path(char *path, size_t size, const char *name)
{
        ssize_t n = readlink("/proc/self/exe", path, size - 1);
        char *slash;

        if (n <= 0)
                return NULL;
        path[n] = '\0';
        slash = strrchr(path, '/');
        if (!slash || (size_t)(slash + 1 - path) + strlen(name) >= size)
                return NULL;
        snprintf(slash + 1, size - (size_t)(slash + 1 - path), "%s", name);
        return access(path, X_OK) == 0 ? path : NULL;
}

/* Whether runs of `key` may start warm: on, installed, zygote binary found. */
static const struct recipe *warm_recipe(const char *key, enum sbx_warm_runtime rt, bool on,
                                        const char *flag, const char *binary)
{
        const struct recipe *r = recipes_find(key);

        if (!on) {
                log_info("warm %s: off (%s)", key, flag);
                return NULL;
        }
        if (!r || !r->installed) {
                log_warn("warm %s: off (%s is not installed)", key, key);
                return NULL;
        }
        if (!sbx_warm_available(rt)) {
                log_warn("warm %s: off (%s or codeexec-pyreaper not found beside the server)", key,
                         binary);
                return NULL;
        }
        return r;
}

/* Each warm runtime: its recipe's key, whether it is on and the option
 * that turns it off, its zygote binary beside the server. */
static const struct {
        const char *key;
        const int *on;
        const char *flag, *binary;
} warm_runtimes[SBX_WARM_RUNTIMES] = {
    [SBX_WARM_PYTHON] = {"python", &cfg.warm_python, "--no-warm-python", "codeexec-pyzygote"},
    [SBX_WARM_RACKET] = {"racket", &cfg.warm_racket, "--no-warm-racket", "codeexec-rktzygote"},
    [SBX_WARM_R] = {"r", &cfg.warm_r, "--no-warm-r", "codeexec-rzygote"},
    [SBX_WARM_OCAML] = {"ocaml", &cfg.warm_ocaml, "--no-warm-ocaml", "codeexec-mlzygote"},
    [SBX_WARM_PHP] = {"php", &cfg.warm_php, "--no-warm-php", "codeexec-phpzygote.so"},
    [SBX_WARM_COQ] = {"v", &cfg.warm_coq, "--no-warm-coq", "codeexec-coqzygote.so"},
    [SBX_WARM_OCTAVE] = {"matlab", &cfg.warm_octave, "--no-warm-octave", "codeexec-octzygote.so"},
};

/* Warm zygotes for every slot, for each runtime not switched off or
 * impossible. */
static void start_warm(void)
{
        struct warmpool_runtime rts[SBX_WARM_RUNTIMES];
        struct err e = {0, ""};
        bool any = false;

        memset(rts, 0, sizeof(rts));
        for (int rt = 0; rt < SBX_WARM_RUNTIMES; rt++) {
                rts[rt].recipe = warm_recipe(warm_runtimes[rt].key, (enum sbx_warm_runtime)rt,
                                             *warm_runtimes[rt].on, warm_runtimes[rt].flag,
                                             warm_runtimes[rt].binary);
                if (rts[rt].recipe) {
                        api_recipe_limits(rts[rt].recipe, &rts[rt].limits);
                        any = true;
                }
        }
        if (any && warmpool_start(base, cfg.max_running, rts, cfg.python_preload, &e) < 0)
                log_warn("warm runs: off (%s)", e.msg);
}

/* Bytes from argv[0] to the end of the last argument (one contiguous area). */
static size_t argv_area_len(int argc, char **argv)
{
        return argc > 0 ? (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) - argv[0]) : 0;
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
        (void)fd;
        (void)what;
        (void)arg;
        sbx_retry_releases();
        if (!stopping)
                return;
        stop_ticks++;
        if (sched_running() == 0 && sched_queued() == 0 && api_requests_waiting() == 0 &&
            http_replies_open() == 0) {
                log_info("all runs finished; exiting");
                event_base_loopexit(base, NULL);
        } else if (stop_ticks > cfg.grace_s * TICKS_PER_S) {
                log_warn("grace period over with %zu running, %zu queued: exiting", sched_running(),
                         sched_queued());
                event_base_loopexit(base, NULL);
        }
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
        (void)what;
        (void)arg;
        if (stopping) {
                log_warn("second signal: exiting now");
                event_base_loopexit(base, NULL);
                return;
        }
        log_info("signal %d: no longer accepting; draining for up to %us", (int)sig, cfg.grace_s);
        stopping = 1;
        http_stop_accepting();
}

int main(int argc, char **argv)
{
        struct sbx_options so;
        struct err e = {0, ""};
        struct event *ev_term, *ev_int;
        struct timeval tick = {0, TICK_US};
        enum log_level lvl;
        int rc = config_parse(&cfg, argc, argv);

        if (rc != 0)
                return rc < 0 ? 2 : 0;
        if (log_parse_level(cfg.log_level, &lvl) < 0) {
                fprintf(stderr, "codeexec: unknown --log-level '%s'\n", cfg.log_level);
                return 2;
        }
        log_threshold = lvl;
        signal(SIGPIPE, SIG_IGN);
        prctl(PR_SET_NAME, "codeexec", 0, 0, 0);

        recipes_use_caches(cfg.language_caches);
        if (recipes_load(cfg.languages_dir, &e) < 0) {
                log_error("languages: %s", e.msg);
                return 1;
        }
        log_info("%zu languages from %s; installed: %s", recipes_count(), cfg.languages_dir,
                 recipes_installed_list());
        if (peers_load(cfg.languages_dir, &e) < 0) {
                log_error("languages: peer names: %s", e.msg);
                return 1;
        }
        env_set_passthrough(cfg.pass_env);
        if (coverage_init(cfg.languages_dir, &e) < 0) {
                log_error("coverage: %s", e.msg);
                return 1;
        }
        if (piston_init(cfg.languages_dir, &e) < 0) {
                log_error("piston: %s", e.msg);
                return 1;
        }
        if (judge0_init(cfg.languages_dir, &e) < 0) {
                log_error("judge0: %s", e.msg);
                return 1;
        }
        if (geteuid() != 0)
                log_warn("not running as root: sandboxes need root (or CAP_SYS_ADMIN, CAP_SETUID, "
                         "CAP_SETGID) to map uids and create cgroups");
        raise_fd_limit();
        clamp_box_limits(&cfg);
        start_api();
        memset(&so, 0, sizeof(so));
        so.uid_base = cfg.uid_base;
        so.argv_area = argv[0];
        so.argv_len = argv_area_len(argc, argv);
        so.max_slots = cfg.max_running;
        so.no_cgroups = cfg.no_cgroups;
        so.no_standby = cfg.no_standby != 0;
        so.no_spawner = cfg.no_spawner != 0;
        {
                static char zygotes[SBX_WARM_RUNTIMES][PATH_MAX], reaper[PATH_MAX],
                    execzygote[PATH_MAX];
                so.reaper_path = helper_path(reaper, sizeof(reaper), "codeexec-pyreaper");
                for (int rt = 0; rt < SBX_WARM_RUNTIMES; rt++)
                        if (*warm_runtimes[rt].on)
                                so.zygote_paths[rt] =
                                    helper_path(zygotes[rt], PATH_MAX, warm_runtimes[rt].binary);
                if (!cfg.no_judge_zygotes)
                        so.execzygote_path =
                            helper_path(execzygote, sizeof(execzygote), "codeexec-execzygote");
        }
        if (sbx_global_init(&so, &e) < 0) {
                log_error("sandbox: %s", e.msg);
                return 1;
        }

        /* From here on a failed start-up removes the cgroups made above. */
        /* The stored test banks and problems (up to --problems-mb) only
         * now: sbx_global_init forked the standby spawner, whose memory is
         * what every standby box's PID 1 and its first step copy, and
         * gives back at exit, as page tables (4.7 MB of stored problems
         * loaded before it cost ~2 ms of CPU per cold run). */
        {
                char state[4096];
                if (!cfg.state_dir)
                        banks_default_state_dir(state, sizeof(state));
                if (banks_init(cfg.state_dir ? cfg.state_dir : state, cfg.testbanks, cfg.ntestbanks,
                               &e) < 0) {
                        log_error("test banks: %s", e.msg);
                        goto fail;
                }
                if (problems_init(cfg.state_dir ? cfg.state_dir : state, cfg.problems_mb << 20,
                                  &e) < 0) {
                        log_error("problems: %s", e.msg);
                        goto fail;
                }
        }
        base = event_base_new();
        if (!base) {
                log_error("event_base_new failed");
                goto fail;
        }
        if (sched_init(base, cfg.max_running, cfg.max_queue, job_start) < 0) {
                log_error("scheduler: out of memory");
                goto fail;
        }
        if (start_http(&e) < 0) {
                log_error("%s", e.msg);
                goto fail;
        }
        if (!is_loopback(cfg.ip) && !cfg.auth_token)
                log_warn("listening on %s without --auth-token: anyone who can reach this address "
                         "can run code here",
                         cfg.ip);
        ev_term = evsignal_new(base, SIGTERM, on_signal, NULL);
        ev_int = evsignal_new(base, SIGINT, on_signal, NULL);
        ev_tick = event_new(base, -1, EV_PERSIST, on_tick, NULL);
        if (!ev_term || !ev_int || !ev_tick || event_add(ev_term, NULL) < 0 ||
            event_add(ev_int, NULL) < 0 || event_add(ev_tick, &tick) < 0) {
                log_error("cannot watch signals and the tick: out of memory");
                goto fail;
        }
        probe_versions();
        start_warm();
        if (!cfg.no_judge_zygotes)
                execpool_start(base, cfg.max_running);
        log_info("listening on %s:%d (max %u running, %zu queued; limits: %s)", cfg.ip, cfg.port,
                 cfg.max_running, cfg.max_queue, sbx_limits_mode());

        event_base_dispatch(base);

        warmpool_stop();
        execpool_stop();
        sbx_global_cleanup();
        log_info("stopped");
        return 0;
fail:
        /* The process ends: only what outlives it (cgroups) needs undoing. */
        sbx_global_cleanup();
        return 1;
}
