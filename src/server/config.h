/* config: the server's command-line options (codeexec --help). */
#ifndef CODEEXEC_CONFIG_H
#define CODEEXEC_CONFIG_H

#include <stddef.h>
#include <stdint.h>

struct config {
        const char *ip;
        int port;
        unsigned max_running;
        size_t max_queue;
        unsigned max_timeout_s;
        unsigned default_timeout_s;
        const char *auth_token;
        const char *languages_dir;
        unsigned uid_base;
        size_t max_body_bytes;
        size_t output_limit_bytes;
        size_t piston_output_max; /* Piston dialect: bytes per stream before OL/EL */
        uint64_t memory_mb;
        uint32_t processes;
        uint64_t file_mb;
        uint64_t tmpfs_mb;
        uint32_t open_files;
        const char *pass_env;
        const char *log_level;
        unsigned grace_s;
        const char *state_dir; /* NULL: banks_default_state_dir() */
        char **testbanks;      /* "NAME=PATH", from repeated --testbank */
        size_t ntestbanks;
        uint64_t problems_mb;       /* cap on the stored judge problems' bytes */
        int no_cgroups;             /* force the rlimits-only fallback */
        int no_standby;             /* no boxes started ahead (sandbox/standby.c) */
        int no_judge_zygotes;       /* judge tests never forked (exec/execpool.c) */
        int no_spawner;             /* standbys cloned by the server (sandbox/spawner.c) */
        int warm_python;            /* Python runs start from warm zygotes */
        int warm_racket;            /* Racket runs start from warm zygotes */
        int warm_r;                 /* R runs start from warm zygotes */
        int warm_ocaml;             /* OCaml runs start from warm zygotes */
        int warm_php;               /* PHP runs start from warm zygotes */
        int warm_coq;               /* Coq runs start from warm zygotes */
        int warm_octave;            /* Octave runs start from warm zygotes */
        int language_caches;        /* recipes use their install-time caches */
        const char *python_preload; /* modules the zygotes import, comma-separated */
        int access_log;             /* one JSON line per request on stdout */
        size_t max_batch;           /* runs in one /v1/batch request */
        size_t history;             /* runs the console's History keeps (0: off) */
        int no_history;             /* --no-history: as history = 0 */
        size_t reply_limit_bytes;   /* largest reply to one run, encoded (--reply-limit) */
        unsigned reply_timeout_s;   /* a client that reads nothing this long is cut off */
        uint64_t judge0_keep_mb;    /* Judge0 submissions' results kept in memory, in all */
        unsigned judge0_ttl_s;      /* and for how long after they finish */
};

/* Parses argv into cfg (defaults first). Returns 0 to run, 1 when --help
 * or --version was printed, -1 on a bad option (message printed). */
int config_parse(struct config *cfg, int argc, char **argv);

#endif
