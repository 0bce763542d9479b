/* codeexec-octzygote.so: a warm GNU Octave that forks one box per run.
 *
 * Theory of operation. A cold Octave run (`octave-cli -q -f -W -H
 * /tmp/codeexec_main.m`, languages/matlab.json) spends ~0.2 s before it
 * reads a byte of its script, and a MultiPL-E test little more: loading
 * liboctinterp and its libraries, building the interpreter, and setting
 * up the load path (a look into each of ~50 directories of function
 * files, then into the working directory). Only then does it open the
 * script, with fopen(path, "rb"), parse it and run it. As PHP's
 * (phpzygote/), this zygote is a library preloaded into /usr/bin/octave-cli
 * itself (zygote/zypreload.h), started with a cold run's command line and
 * the box's environment; its constructor creates the script's name in the
 * zygote's own /tmp, an empty file (Octave looks the script up before it
 * opens it, and lists its working directory, /tmp, which then holds the
 * same names as a run's). Its fopen stops Octave at the script: there the
 * zygote serves runs (zygote/zyresume.c), and in each run's program
 * process, a copy of it, the fopen returns the run's script and Octave
 * goes on as a cold one would.
 *
 * Two things a cold Octave makes at start-up must be made afresh per run:
 * - Its signal watcher. Octave blocks its asynchronous signals (SIGINT,
 *   SIGTERM, SIGCHLD, SIGPIPE...) and starts a thread that waits for them
 *   (octave_create_interrupt_watcher_thread). A copy of a process keeps
 *   only the thread that forked, and a zygote must have only one: the
 *   zygote's call is recorded and not carried out, and each run's program
 *   makes it, with the signals blocked again as the zygote had them.
 * - Its random generators, seeded from the time, the process's CPU time
 *   and its id while the interpreter starts: the zygote's seed would be
 *   every run's. Each run's program seeds them again the same way
 *   (octave::rand's own initialisation, exported by liboctave).
 * Everything else Octave holds at the stop is what every cold run builds
 * the same way: the load path, the user's entry from /etc/passwd (the
 * zygote runs as the box's user), the working directory's name (/tmp).
 * Octave keeps no descriptor open there (checked: the zygote exits if it
 * does). The process keeps octave-cli's name. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sandbox/warm-proto.h"
#include "../zygote/zypreload.h"
#include "../zygote/zyrun.h"

#define OCTAVE_CLI "/usr/bin/octave-cli"

/* liboctave's signal watcher (liboctave/wrappers/signal-wrappers.h). */
typedef void octave_sig_handler(int);
void octave_create_interrupt_watcher_thread(octave_sig_handler *handler);
/* octave::rand's members that seed its generators, and its instance. */
#define RAND_INSTANCE "_ZN6octave4rand10m_instanceE"
#define RAND_INIT_RANLIB "_ZN6octave4rand28initialize_ranlib_generatorsEv"
#define RAND_INIT_MT "_ZN6octave4rand27initialize_mersenne_twisterEv"

static const char *script_path;             /* the CLI's script: the run's program */
static octave_sig_handler *watcher_handler; /* the call the zygote put off */
static sigset_t zygote_mask;                /* its blocked signals at the stop */
/* Found at the stop, so that a run never lacks them: liboctave's watcher,
 * and octave::rand's instance and seeding members. */
static void (*start_watcher)(octave_sig_handler *);
static void **rand_instance;
static void (*rand_init_ranlib)(void *), (*rand_init_mt)(void *);

/* Octave starts its signal watcher while its interpreter starts, before
 * the script: the zygote records the handler only (see above). After the
 * stop the call goes through. */
void octave_create_interrupt_watcher_thread(octave_sig_handler *handler)
{
        if (!zypreload_stopped())
                watcher_handler = handler;
        else if (start_watcher)
                start_watcher(handler);
}

/* At the stop: what each run will call. The zygote exits (its runs go
 * cold) if any is missing, as in an Octave built otherwise. */
static void find_per_run_calls(void)
{
        start_watcher = (void (*)(octave_sig_handler *))dlsym(
            RTLD_NEXT, "octave_create_interrupt_watcher_thread");
        rand_instance = dlsym(RTLD_DEFAULT, RAND_INSTANCE);
        rand_init_ranlib = (void (*)(void *))dlsym(RTLD_DEFAULT, RAND_INIT_RANLIB);
        rand_init_mt = (void (*)(void *))dlsym(RTLD_DEFAULT, RAND_INIT_MT);
        errno = ENOSYS;
        if (watcher_handler && !start_watcher)
                zyrun_die("liboctave's octave_create_interrupt_watcher_thread not found");
        if (!rand_instance || !rand_init_ranlib || !rand_init_mt)
                zyrun_die("liboctave's random generators not found");
}

/* octave::rand seeded again, as its constructor seeded it in the zygote:
 * the old generators from the local time, then the Mersenne twister's
 * state of each distribution from the time, the CPU time and the process
 * id. Nothing when the zygote made no generators. */
static void reseed_random(void)
{
        if (*rand_instance) {
                rand_init_ranlib(*rand_instance);
                rand_init_mt(*rand_instance);
        }
}

/* In the program's process, its box ready (zyrun.c), before it goes back
 * into Octave and opens the run's script: fresh random seeds, the signal
 * watcher. */
static void prepare_run(int status_fd)
{
        struct err e = {0, ""};

        reseed_random();
        if (watcher_handler) {
                if (sigprocmask(SIG_SETMASK, &zygote_mask, NULL) < 0) {
                        err_set(&e, errno, "block Octave's signals");
                        zyrun_run_error(status_fd, &e);
                }
                octave_create_interrupt_watcher_thread(watcher_handler);
        }
}

/* Octave's parser opens the script with fopen(path, "rb") (sys::fopen,
 * parse_fcn_file): that is where the zygote stops. */
FILE *fopen(const char *path, const char *mode)
{
        if (zypreload_opens_script(script_path, path, mode)) {
                if (sigprocmask(SIG_BLOCK, NULL, &zygote_mask) < 0)
                        zyrun_die("read the signal mask");
                find_per_run_calls();
                return zypreload_stop_at_script(script_path, "octave-cli", prepare_run);
        }
        return zypreload_libc_fopen(path, mode);
}

/* Before Octave's main: the zygote's set-up. The C library gives
 * constructors the command line. */
__attribute__((constructor)) static void zygote_setup(int argc, char **argv)
{
        struct warm_config cfg;
        int fd;

        if (argc != 6 || strcmp(argv[0], OCTAVE_CLI) != 0 || strcmp(argv[1], "-q") != 0 ||
            strcmp(argv[2], "-f") != 0 || strcmp(argv[3], "-W") != 0 ||
            strcmp(argv[4], "-H") != 0 || strncmp(argv[5], "/tmp/", 5) != 0) {
                fprintf(stderr, "usage: " OCTAVE_CLI " -q -f -W -H /tmp/FILE.m, with "
                                "codeexec-octzygote.so preloaded\n");
                exit(1);
        }
        script_path = argv[5];
        zypreload_start("codeexec-octzygote", "octave-cli", &cfg);
        fd = open(script_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 || close(fd) < 0)
                zyrun_die("the script's name in the zygote's /tmp");
}
