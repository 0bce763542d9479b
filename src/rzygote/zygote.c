/* codeexec-rzygote: a warm R that forks one box per run.
 *
 * Theory of operation. A cold R run (`Rscript /tmp/main.r`, languages/r.json)
 * spends nearly all of a MultiPL-E program's 0.3-0.4 s starting R: reading
 * its environment files, loading the base package and the default ones
 * (methods, utils, stats ...) and the byte-code compiler. Only then does R's
 * read-eval loop read the first line of the program. This zygote is R itself
 * (bin/exec/R's main, linked against Debian's libR.so) stopped exactly
 * there: the program's file is opened at start-up through fopen(), which
 * this binary interposes for that one path with a stream whose first read
 * is the fork point. That read, deep in R's loop, says the zygote is ready
 * and serves runs (zygote/zyresume.c, zyrun.c); each run's program
 * process, a copy of the zygote, comes back into the frame of that read,
 * opens the run's /tmp/main.r and returns its first bytes to R, which goes
 * on as a cold R would after its start-up. Nothing of the program is read before
 * the fork, and the zygote itself never runs a program's code.
 *
 * What a cold R set up at start and a copy would otherwise share, each run
 * makes afresh: its session temporary directory (tempdir(), and
 * R_SESSION_TMPDIR) in the run's own /tmp, and the start of its elapsed
 * time (proc.time()). Process CPU times, the process id and the random
 * seed (drawn from the time and the pid at first use) are a fresh process's
 * by nature.
 *
 * The environment is exactly a cold run's: the server starts this binary
 * with a cold run's command line (bin/exec/R's, as Rscript and the R shell
 * script make it) and the box's environment; first (stage 1), it runs
 * /usr/bin/Rscript once, in its own box, on a probe that records the
 * environment and command line R gets, checks the command line is its own,
 * and executes itself again with that environment (stage 2, told apart by
 * STAGE2_FD). R's start-up may leave BLAS threads (OpenBLAS starts its pool
 * when loaded): they are stopped before the zygote says it is ready (BLAS
 * starts them again at its next call, in the run), and the server refuses
 * a zygote with more than one thread. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Rembedded.h>
#include <Rinterface.h>

#include "../sandbox/warm-proto.h"
#include "../zygote/zyresume.h"
#include "../zygote/zyrun.h"

#define FILE_ARG "--file="
#define RSCRIPT "/usr/bin/Rscript"
/* Stage 2's marker: stage 1 executes it with this descriptor open (the
 * recorded environment), which no server-started zygote has. */
#define STAGE2_FD 7
#define PROBE_ENV "/tmp/.codeexec-environ"
#define PROBE_CMDLINE "/tmp/.codeexec-cmdline"
#define PROBE_MAX (256u << 10)

static const char *script_path; /* the --file= argument: the run's program */
static int script_fd = -1;      /* the run's program, in the program process */
static struct sigaction r_sigchld;

/* ---- stage 1: the environment R gets from its launchers ---------------- */

static char *read_all(const char *path, size_t *len)
{
        char *buf = malloc(PROBE_MAX + 1);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n = 0, k;

        if (!buf || fd < 0)
                zyrun_die(path);
        while ((k = read(fd, buf + n, PROBE_MAX - (size_t)n)) > 0)
                n += k;
        if (k < 0 || n == (ssize_t)PROBE_MAX)
                zyrun_die(path);
        close(fd);
        buf[n] = '\0';
        *len = (size_t)n;
        return buf;
}

static void write_file(const char *path, const char *text)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) < 0)
                zyrun_die(path);
}

/* Runs Rscript on a probe at the program's path; the probe writes what R
 * got, /proc/self/environ and cmdline. */
static void run_probe(void)
{
        static const char probe[] =
            "writeBin(readBin('/proc/self/environ', 'raw', 1e6), '" PROBE_ENV "')\n"
            "writeBin(readBin('/proc/self/cmdline', 'raw', 1e6), '" PROBE_CMDLINE "')\n";
        char *args[] = {RSCRIPT, (char *)script_path, NULL};
        int status;
        pid_t pid;

        write_file(script_path, probe);
        pid = fork();
        if (pid < 0)
                zyrun_die("fork");
        if (pid == 0) {
                /* R runs as the box user with no capability. */
                prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
                int null = open("/dev/null", O_RDWR);
                if (null >= 0)
                        dup2(null, 0);
                execve(RSCRIPT, args, environ);
                _exit(127);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        zyrun_die("wait for the probe");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                errno = 0;
                zyrun_die(RSCRIPT " on the probe failed");
        }
        unlink(script_path);
}

/* Stage 1: runs the probe, checks R's command line is ours and executes
 * this binary again with R's environment. */
static _Noreturn void stage1(int argc, char **argv)
{
        size_t env_len, cmd_len, want_len = 0, n = 0;
        char *env, *cmd, **envp;
        int fd;

        run_probe();
        env = read_all(PROBE_ENV, &env_len);
        cmd = read_all(PROBE_CMDLINE, &cmd_len);
        for (int i = 0; i < argc; i++) {
                size_t l = strlen(argv[i]) + 1;
                if (want_len + l > cmd_len || memcmp(cmd + want_len, argv[i], l) != 0) {
                        errno = 0;
                        zyrun_die("Rscript does not run R with this zygote's command line");
                }
                want_len += l;
        }
        if (want_len != cmd_len) {
                errno = 0;
                zyrun_die("Rscript runs R with more arguments than this zygote's");
        }
        envp = calloc(env_len / 2 + 2, sizeof(char *));
        if (!envp)
                zyrun_die("environment");
        for (size_t i = 0; i < env_len; i += strlen(env + i) + 1)
                envp[n++] = env + i;
        envp[n] = NULL;
        fd = open(PROBE_ENV, O_RDONLY); /* the marker; stage 2 closes it */
        if (fd < 0 || (fd != STAGE2_FD && (dup2(fd, STAGE2_FD) < 0 || close(fd) < 0)))
                zyrun_die("stage 2 marker");
        unlink(PROBE_ENV);
        unlink(PROBE_CMDLINE);
        execve("/proc/self/exe", argv, envp);
        zyrun_die("execute the zygote again");
}

/* ---- stage 2: R, stopped where it reads the program ------------------- */

/* OpenBLAS (when it is libblas.so.3) starts its threads when loaded and
 * stops them with this; its next call starts them again. */
static void stop_blas_threads(void)
{
        int (*shutdown)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "blas_thread_shutdown_");

        if (shutdown)
                (void)shutdown();
}

/* In the program's process, its box ready (zyrun.c), before it goes back
 * into R: the run's program, session directory and start time. */
static void resume_r(const struct warm_request *rq, int status_fd)
{
        struct err e = {0, ""};
        size_t len;

        (void)rq;
        script_fd = open(script_path, O_RDONLY | O_CLOEXEC);
        if (script_fd < 0) {
                err_set(&e, errno, "open %s", script_path);
                zyrun_run_error(status_fd, &e);
        }
        /* The session's temporary directory: a fresh name, made in the
         * run's /tmp, in R's own string (same length). */
        len = R_TempDir ? strlen(R_TempDir) : 0;
        if (len < 6 || (memcpy(R_TempDir + len - 6, "XXXXXX", 6), !mkdtemp(R_TempDir)) ||
            setenv("R_SESSION_TMPDIR", R_TempDir, 1) < 0) {
                err_set(&e, errno, "R's session directory");
                zyrun_run_error(status_fd, &e);
        }
        close(status_fd);
        R_setStartTime();
        sigaction(SIGCHLD, &r_sigchld, NULL);
}

static ssize_t script_read(void *cookie, char *buf, size_t size)
{
        (void)cookie;
        if (script_fd < 0) {
                /* The zygote: R has started (its /tmp, where R made the
                 * session directory the zygote never uses, goes in
                 * zyresume_here). */
                stop_blas_threads();
                sigaction(SIGCHLD, NULL, &r_sigchld);
                zyresume_here(script_path, resume_r); /* returns in each run, script_fd open */
        }
        return read(script_fd, buf, size);
}

/* R opens its --file= at start-up with fopen (R_fopen): that one path gets
 * the stream whose first read is the fork point; every other, libc's. */
FILE *fopen(const char *path, const char *mode)
{
        static FILE *(*libc_fopen)(const char *, const char *);
        cookie_io_functions_t io = {.read = script_read};

        if (script_path && strcmp(path, script_path) == 0 && strcmp(mode, "r") == 0 &&
            script_fd < 0)
                return fopencookie(NULL, "r", io);
        if (!libc_fopen)
                libc_fopen = (FILE * (*)(const char *, const char *)) dlsym(RTLD_NEXT, "fopen");
        return libc_fopen ? libc_fopen(path, mode) : NULL;
}

int main(int argc, char **argv)
{
        struct warm_config cfg;

        if (argc < 2 || strncmp(argv[argc - 1], FILE_ARG, strlen(FILE_ARG)) != 0 ||
            argv[argc - 1][strlen(FILE_ARG)] != '/') {
                fprintf(stderr, "usage: codeexec-rzygote [R's options] --file=/tmp/FILE "
                                "(argv[0]: R's path)\n");
                return 1;
        }
        script_path = argv[argc - 1] + strlen(FILE_ARG);
        if (fcntl(STAGE2_FD, F_GETFD) < 0) {
                if (chdir("/tmp") < 0)
                        zyrun_die("chdir /tmp");
                stage1(argc, argv);
        }
        close(STAGE2_FD);
        zyrun_start("codeexec-rzygote");
        zyrun_configure(&cfg);
        if (chdir("/tmp") < 0)
                zyrun_die("chdir /tmp");
        R_running_as_main_program = 1;
        Rf_initialize_R(argc, argv);
        Rf_mainloop(); /* reads the program: script_read */
        return 0;
}
