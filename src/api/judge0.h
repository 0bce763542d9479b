/* judge0: the pieces of the Judge0 CE dialect shared by its two files:
 * judge0.c (the endpoints, request parsing, languages) and judge0_sub.c
 * (submissions: the store, a run's Judge0 status, the attributes as Judge0
 * writes them). Internal to the dialect but for judge0_init (main, at
 * start-up); the endpoints are in routes.h. */
#ifndef CODEEXEC_API_JUDGE0_H
#define CODEEXEC_API_JUDGE0_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

#include "../exec/job.h"
#include "../util/err.h"

/* Judge0's statuses (app/enumerations/status.rb). */
enum {
        ST_QUEUE = 1,
        ST_PROCESSING,
        ST_ACCEPTED,
        ST_WRONG,
        ST_TLE,
        ST_COMPILE,
        ST_SIGSEGV,
        ST_SIGXFSZ,
        ST_SIGFPE,
        ST_SIGABRT,
        ST_NZEC,
        ST_OTHER,
        ST_INTERNAL,
        ST_EXEC_FORMAT,
        ST_COUNT = ST_EXEC_FORMAT,
};
extern const char *const j0_status_names[ST_COUNT + 1];

/* One entry of languages/peers/judge0.json, resolved. */
struct j0_lang {
        long long id;
        const char *name;            /* may hold {version} */
        const struct recipe *recipe; /* what jobs run: the recipe, or a copy with
                                      * the entry's source_file */
        const struct recipe *base;   /* the recipe itself (its probed version) */
        bool multi_file;             /* Judge0's 89: the program is additional_files */
};
/* Loads the internal recipes that entries of languages/peers/judge0.json
 * name with "recipe" (<languages_dir>/internal/<name>.json). Call at
 * start-up, after peers_load(); a missing or invalid file is an error. */
int judge0_init(const char *languages_dir, struct err *e);
/* The entry's name with {version} filled in (a new reference). */
json_t *j0_lang_name(const struct j0_lang *l);

/* A submission: its token, its job and what the request asked for. */
struct j0_sub {
        char token[37];
        struct j0_sub *hnext;       /* hash chain */
        struct j0_sub *prev, *next; /* creation order */
        const struct j0_lang *lang;
        struct job *job; /* running (not owned) or finished (owned) */
        bool done;
        int status; /* once done */
        /* once done: the job step of the run shown (the first that was not
         * Accepted, else the last) and the CPU time averaged over the runs
         * up to it (Judge0 stops at a run that is not Accepted) */
        size_t shown_run;
        uint64_t avg_cpu_us;
        char message[96]; /* once done: isolate's wording, or "" */
        /* the request, as fields=* shows it */
        char *expected;
        size_t expected_len;
        bool has_expected;
        char *compiler_options, *command_line_arguments;
        char *additional_files; /* the zip, decoded */
        size_t additional_files_len;
        double cpu_time_limit, cpu_extra_time, wall_time_limit;
        long long memory_limit, stack_limit, max_processes, max_file_size, number_of_runs;
        bool redirect_stderr, limits_memory, limits_procs, limits_fsize;
        struct timeval created_at, finished_at;
        size_t bytes; /* counted against --judge0-keep-mb once done */
};

/* Every attribute, in the order Judge0's serializer writes them. */
enum field {
        F_SOURCE_CODE,
        F_LANGUAGE_ID,
        F_STDIN,
        F_EXPECTED_OUTPUT,
        F_STDOUT,
        F_STATUS_ID,
        F_CREATED_AT,
        F_FINISHED_AT,
        F_TIME,
        F_MEMORY,
        F_STDERR,
        F_TOKEN,
        F_NUMBER_OF_RUNS,
        F_CPU_TIME_LIMIT,
        F_CPU_EXTRA_TIME,
        F_WALL_TIME_LIMIT,
        F_MEMORY_LIMIT,
        F_STACK_LIMIT,
        F_MAX_PROCESSES,
        F_PER_PROCESS_TIME,
        F_PER_PROCESS_MEMORY,
        F_MAX_FILE_SIZE,
        F_COMPILE_OUTPUT,
        F_EXIT_CODE,
        F_EXIT_SIGNAL,
        F_MESSAGE,
        F_WALL_TIME,
        F_COMPILER_OPTIONS,
        F_COMMAND_LINE_ARGUMENTS,
        F_REDIRECT_STDERR,
        F_CALLBACK_URL,
        F_ADDITIONAL_FILES,
        F_ENABLE_NETWORK,
        F_STATUS,
        F_LANGUAGE,
        F_COUNT,
};

extern const char *const j0_field_names[F_COUNT];
typedef uint64_t field_set;
#define FIELD_BIT(f) ((field_set)1 << (f))
extern const field_set j0_default_fields; /* Judge0's default `fields` */

/* A UUID v4 from getrandom(2) in out; -1 if none could be read. */
int j0_new_token(char out[37]);
/* The store (--judge0-keep-mb, --judge0-ttl). add: s is kept from now on;
 * find: NULL for unknown or expired; drop: unlinks and frees s; trim: drops
 * what is expired and the oldest finished while over the size (never keep,
 * never a submission still running). */
void j0_store_add(struct j0_sub *s);
struct j0_sub *j0_store_find(const char *token);
void j0_store_drop(struct j0_sub *s);
void j0_store_trim(const struct j0_sub *keep);
/* Frees a submission not in the store (its job too once finished). */
void j0_sub_free(struct j0_sub *s);
/* s's job is over: s owns job, is judged and counted against the store. */
void j0_sub_finish(struct j0_sub *s, struct job *job);
/* s's attributes named in fields; *bad set when a text is not UTF-8 and b64
 * is false (the value is then null). */
json_t *j0_sub_json(const struct j0_sub *s, field_set fields, bool b64, bool *bad);

#endif
