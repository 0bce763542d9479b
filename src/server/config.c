/* config: option parsing with getopt_long (see config.h). The flag names
 * --ip and --port are the original server's. */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CODEEXEC_VERSION "0.1.0"

static void usage(FILE *out, const char *prog)
{
        fprintf(
            out,
            "usage: %s [options]\n"
            "\n"
            "A sandboxed code-execution HTTP server (compatible with code_exec_server).\n"
            "\n"
            "  --ip ADDR              address to listen on (default 127.0.0.1)\n"
            "  --port N               port to listen on (default 8000)\n"
            "  --auth-token T         require 'Authorization: Bearer T' (or the raw token)\n"
            "                         on every endpoint but /health and /metrics; env\n"
            "                         CODEEXEC_AUTH_TOKEN (preferred: argv is world-readable)\n"
            "  --max-running N        sandboxes running at once (default: number of CPUs)\n"
            "  --max-queue N          runs waiting behind them before 503 (default 10000)\n"
            "  --max-timeout S        largest accepted timeout in seconds (default 300)\n"
            "  --default-timeout S    timeout when a request gives none (default 30)\n"
            "  --memory-mb N          memory limit of one run (default 4096)\n"
            "  --processes N          processes+threads limit of one run (default 512)\n"
            "  --file-mb N            largest file a run may write (default 256)\n"
            "  --tmpfs-mb N           size of a run's /tmp (default 1024)\n"
            "  --open-files N         open files limit of one run (default 1024)\n"
            "  --output-limit BYTES   stdout/stderr bytes kept per stream (default 16777216)\n"
            "  --max-body BYTES       largest request body (default 67108864)\n"
            "  --reply-limit BYTES    largest reply to one run, encoded: all of its streams\n"
            "                         together, charged as output arrives (default 67108864)\n"
            "  --reply-timeout S      cut off a client that reads none of its reply for S\n"
            "                         seconds (default 30)\n"
            "  --languages DIR        language recipes (default: languages/ beside the binary's\n"
            "                         build directory, else /usr/share/codeexec/languages)\n"
            "  --uid-base N           host uid of sandbox slot 0 (default 200000)\n"
            "  --pass-env LIST        server env vars passed to runs, comma-separated, '*'\n"
            "                         suffix for prefixes (default OPENBLAS_*)\n"
            "  --grace S              on SIGTERM, seconds running runs may finish (default 10)\n"
            "  --log-level L          debug, info, warn, error (default info)\n"
            "  --no-access-log        do not write the per-request JSON lines to stdout\n"
            "  --no-cgroups           limit runs with rlimits only (no cgroup); for hosts\n"
            "                         where cgroups cannot be delegated\n"
            "  --max-batch N          runs in one /v1/batch request (default 1000)\n"
            "  --no-warm-python       start every Python run cold (a fresh python3) instead of\n"
            "                         forking a pre-started interpreter\n"
            "  --python-preload LIST  modules the warm interpreters import ahead, comma-\n"
            "                         separated (default numpy,pandas; '' for none)\n"
            "  --testbank NAME=PATH   load test bank NAME (for testhash) from a JSONL file, a\n"
            "                         directory of them, or a hub dataset cache; repeatable\n"
            "  --state-dir DIR        where uploaded test banks persist (default: as root\n"
            "                         /var/lib/codeexec, else $XDG_STATE_HOME/codeexec or\n"
            "                         ~/.local/state/codeexec)\n"
            "  --help, --version\n",
            prog);
}

static int parse_num(const char *s, unsigned long long max, unsigned long long *out)
{
        char *end;

        errno = 0;
        if (!s || !*s || *s == '-')
                return -1;
        *out = strtoull(s, &end, 10);
        if (errno || *end || *out > max)
                return -1;
        return 0;
}

/* Finds languages/ relative to the executable: <exe dir>/../languages. */
static const char *default_languages_dir(void)
{
        static char path[PATH_MAX];
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

        if (n > 0) {
                exe[n] = '\0';
                char *slash = strrchr(exe, '/');
                if (slash) {
                        *slash = '\0';
                        snprintf(path, sizeof(path), "%s/../languages", exe);
                        if (access(path, R_OK) == 0)
                                return path;
                }
        }
        return "/usr/share/codeexec/languages";
}

int config_parse(struct config *cfg, int argc, char **argv)
{
        enum {
                O_IP = 1000,
                O_PORT,
                O_TOKEN,
                O_RUNNING,
                O_QUEUE,
                O_MAXTO,
                O_DEFTO,
                O_MEM,
                O_PROCS,
                O_FILE,
                O_TMPFS,
                O_NOFILE,
                O_OUTPUT,
                O_BODY,
                O_LANGS,
                O_UID,
                O_PASSENV,
                O_GRACE,
                O_LOG,
                O_NOACCESS,
                O_BATCH,
                O_TESTBANK,
                O_STATEDIR,
                O_NOCG,
                O_NOWARM,
                O_PRELOAD,
                O_REPLY,
                O_REPLYTO,
                O_HELP,
                O_VERSION
        };
        static const struct option opts[] = {
            {"ip", required_argument, NULL, O_IP},
            {"port", required_argument, NULL, O_PORT},
            {"auth-token", required_argument, NULL, O_TOKEN},
            {"max-running", required_argument, NULL, O_RUNNING},
            {"max-queue", required_argument, NULL, O_QUEUE},
            {"max-timeout", required_argument, NULL, O_MAXTO},
            {"default-timeout", required_argument, NULL, O_DEFTO},
            {"memory-mb", required_argument, NULL, O_MEM},
            {"processes", required_argument, NULL, O_PROCS},
            {"file-mb", required_argument, NULL, O_FILE},
            {"tmpfs-mb", required_argument, NULL, O_TMPFS},
            {"open-files", required_argument, NULL, O_NOFILE},
            {"output-limit", required_argument, NULL, O_OUTPUT},
            {"max-body", required_argument, NULL, O_BODY},
            {"languages", required_argument, NULL, O_LANGS},
            {"uid-base", required_argument, NULL, O_UID},
            {"pass-env", required_argument, NULL, O_PASSENV},
            {"grace", required_argument, NULL, O_GRACE},
            {"log-level", required_argument, NULL, O_LOG},
            {"no-access-log", no_argument, NULL, O_NOACCESS},
            {"max-batch", required_argument, NULL, O_BATCH},
            {"testbank", required_argument, NULL, O_TESTBANK},
            {"state-dir", required_argument, NULL, O_STATEDIR},
            {"no-cgroups", no_argument, NULL, O_NOCG},
            {"no-warm-python", no_argument, NULL, O_NOWARM},
            {"python-preload", required_argument, NULL, O_PRELOAD},
            {"reply-limit", required_argument, NULL, O_REPLY},
            {"reply-timeout", required_argument, NULL, O_REPLYTO},
            {"help", no_argument, NULL, O_HELP},
            {"version", no_argument, NULL, O_VERSION},
            {NULL, 0, NULL, 0},
        };
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        int c;

        memset(cfg, 0, sizeof(*cfg));
        cfg->ip = "127.0.0.1";
        cfg->port = 8000;
        cfg->max_running = ncpu > 0 ? (unsigned)ncpu : 1;
        cfg->max_queue = 10000;
        cfg->max_timeout_s = 300;
        cfg->default_timeout_s = 30;
        cfg->auth_token = getenv("CODEEXEC_AUTH_TOKEN");
        cfg->uid_base = 200000;
        cfg->max_body_bytes = 64u << 20;
        cfg->output_limit_bytes = 16u << 20;
        cfg->memory_mb = 4096;
        cfg->processes = 512;
        cfg->file_mb = 256;
        cfg->tmpfs_mb = 1024;
        cfg->open_files = 1024;
        cfg->pass_env = "OPENBLAS_*";
        cfg->log_level = "info";
        cfg->grace_s = 10;
        cfg->access_log = 1;
        cfg->max_batch = 1000;
        cfg->reply_limit_bytes = 64u << 20;
        cfg->reply_timeout_s = 30;
        cfg->warm_python = 1;
        cfg->python_preload = "numpy,pandas";

        optind = 1;
        while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
                unsigned long long v = 0;
                int bad = 0;

                switch (c) {
                case O_IP:
                        cfg->ip = optarg;
                        break;
                case O_TOKEN:
                        /* Keep a copy and wipe argv's: the command line is
                         * world-readable (ps, /proc/<pid>/cmdline). */
                        cfg->auth_token = strdup(optarg);
                        memset(optarg, 'x', strlen(optarg));
                        break;
                case O_LANGS:
                        cfg->languages_dir = optarg;
                        break;
                case O_PASSENV:
                        cfg->pass_env = optarg;
                        break;
                case O_LOG:
                        cfg->log_level = optarg;
                        break;
                case O_STATEDIR:
                        cfg->state_dir = optarg;
                        break;
                case O_TESTBANK: {
                        char **grown =
                            realloc(cfg->testbanks, (cfg->ntestbanks + 1) * sizeof(char *));
                        if (!grown) {
                                fprintf(stderr, "%s: out of memory\n", argv[0]);
                                return -1;
                        }
                        cfg->testbanks = grown;
                        cfg->testbanks[cfg->ntestbanks++] = optarg;
                        break;
                }
                case O_NOACCESS:
                        cfg->access_log = 0;
                        break;
                case O_NOCG:
                        cfg->no_cgroups = 1;
                        break;
                case O_NOWARM:
                        cfg->warm_python = 0;
                        break;
                case O_PRELOAD:
                        cfg->python_preload = optarg;
                        break;
                case O_BATCH:
                        bad = parse_num(optarg, 1000000, &v) || v == 0;
                        cfg->max_batch = (size_t)v;
                        break;
                case O_HELP:
                        usage(stdout, argv[0]);
                        return 1;
                case O_VERSION:
                        printf("codeexec %s\n", CODEEXEC_VERSION);
                        return 1;
                case O_PORT:
                        bad = parse_num(optarg, 65535, &v);
                        cfg->port = (int)v;
                        break;
                case O_RUNNING:
                        bad = parse_num(optarg, 4096, &v) || v == 0;
                        cfg->max_running = (unsigned)v;
                        break;
                case O_QUEUE:
                        bad = parse_num(optarg, 10000000, &v);
                        cfg->max_queue = (size_t)v;
                        break;
                case O_MAXTO:
                        bad = parse_num(optarg, 86400, &v) || v == 0;
                        cfg->max_timeout_s = (unsigned)v;
                        break;
                case O_DEFTO:
                        bad = parse_num(optarg, 86400, &v) || v == 0;
                        cfg->default_timeout_s = (unsigned)v;
                        break;
                case O_MEM:
                        bad = parse_num(optarg, 1u << 20, &v) || v < 16;
                        cfg->memory_mb = v;
                        break;
                case O_PROCS:
                        bad = parse_num(optarg, 1u << 20, &v) || v == 0;
                        cfg->processes = (uint32_t)v;
                        break;
                case O_FILE:
                        bad = parse_num(optarg, 1u << 20, &v) || v == 0;
                        cfg->file_mb = v;
                        break;
                case O_TMPFS:
                        bad = parse_num(optarg, 1u << 20, &v) || v == 0;
                        cfg->tmpfs_mb = v;
                        break;
                case O_NOFILE:
                        bad = parse_num(optarg, 1u << 20, &v) || v < 16;
                        cfg->open_files = (uint32_t)v;
                        break;
                case O_OUTPUT:
                        bad = parse_num(optarg, 1ull << 32, &v) || v == 0;
                        cfg->output_limit_bytes = (size_t)v;
                        break;
                case O_REPLY:
                        bad = parse_num(optarg, 1ull << 34, &v) || v < (1u << 20);
                        cfg->reply_limit_bytes = (size_t)v;
                        break;
                case O_REPLYTO:
                        bad = parse_num(optarg, 3600, &v) || v == 0;
                        cfg->reply_timeout_s = (unsigned)v;
                        break;
                case O_BODY:
                        bad = parse_num(optarg, 1ull << 32, &v) || v < 1024;
                        cfg->max_body_bytes = (size_t)v;
                        break;
                case O_UID:
                        bad = parse_num(optarg, 4000000000u, &v) || v < 1000;
                        cfg->uid_base = (unsigned)v;
                        break;
                case O_GRACE:
                        bad = parse_num(optarg, 3600, &v);
                        cfg->grace_s = (unsigned)v;
                        break;
                default:
                        usage(stderr, argv[0]);
                        return -1;
                }
                if (bad) {
                        fprintf(stderr, "%s: invalid value '%s' for --%s\n", argv[0], optarg,
                                opts[c - O_IP].name);
                        return -1;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "%s: unexpected argument '%s' (see --help)\n", argv[0],
                        argv[optind]);
                return -1;
        }
        if (cfg->default_timeout_s > cfg->max_timeout_s)
                cfg->default_timeout_s = cfg->max_timeout_s;
        if (cfg->auth_token && !cfg->auth_token[0])
                cfg->auth_token = NULL;
        if (!cfg->languages_dir)
                cfg->languages_dir = default_languages_dir();
        return 0;
}
