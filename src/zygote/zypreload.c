/* zypreload: the preload's variable taken out of a preloaded zygote's
 * environment, and the C library's fopen for the zygotes that define their
 * own (see zypreload.h).
 *
 * The variable is the last one the server passed (sandbox/warm.c), so the
 * environment's area, as the kernel records it for /proc/self/environ,
 * ends exactly where the variable begins once it is gone. The layout is
 * read from /proc/self/stat with raw system calls: the zygotes that use
 * this interpose the C library's open, read and fopen themselves. */
#define _GNU_SOURCE
#include "zypreload.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/prctl.h>

#include "../sandbox/warm-proto.h"
#include "zyresume.h"
#include "zyrun.h"

extern char **environ;

/* The kernel's record of this process's memory layout (/proc/self/stat,
 * fields 26-28 and 45-51), as PR_SET_MM_MAP takes it back. */
static int read_mm_map(struct prctl_mm_map *m)
{
        char buf[1024], *p, *end;
        unsigned long long v[52];
        int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/stat", O_RDONLY | O_CLOEXEC);
        ssize_t n;
        int field;

        if (fd < 0)
                return -1;
        n = syscall(SYS_read, fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return -1;
        buf[n] = '\0';
        /* after "pid (comm) ": the state, field 3, then numbers */
        p = strrchr(buf, ')');
        if (!p || p[1] != ' ' || !p[2] || p[3] != ' ')
                return -1;
        p += 4;
        for (field = 4; field < 52; field++) {
                errno = 0;
                v[field] = strtoull(p, &end, 10);
                if (end == p || errno)
                        return -1;
                p = end;
        }
        memset(m, 0, sizeof(*m));
        m->start_code = v[26];
        m->end_code = v[27];
        m->start_stack = v[28];
        m->start_data = v[45];
        m->end_data = v[46];
        m->start_brk = v[47];
        m->brk = (unsigned long)syscall(SYS_brk, 0);
        m->arg_start = v[48];
        m->arg_end = v[49];
        m->env_start = v[50];
        m->env_end = v[51];
        m->exe_fd = (uint32_t)-1; /* the executable stays */
        return 0;
}

void zypreload_drop_variable(void)
{
        const char *var = NULL;
        struct prctl_mm_map m;

        for (char **e = environ; *e; e++)
                var = *e;
        if (!var || strcmp(var, WARM_PRELOAD_ENV) != 0 || read_mm_map(&m) < 0 ||
            m.env_end != (unsigned long)var + sizeof(WARM_PRELOAD_ENV)) {
                errno = 0;
                zyrun_die("the preload is not the environment's last variable");
        }
        m.env_end = (unsigned long)var;
        if (prctl(PR_SET_MM, PR_SET_MM_MAP, &m, sizeof(m), 0) < 0)
                zyrun_die("PR_SET_MM_MAP (the environment's end)");
        if (unsetenv(WARM_PRELOAD_VAR) < 0)
                zyrun_die("unsetenv " WARM_PRELOAD_VAR);
}

void zypreload_start(const char *name, const char *comm, struct warm_config *cfg)
{
        zyrun_start(name);
        prctl(PR_SET_NAME, comm, 0, 0, 0);
        zypreload_drop_variable();
        zyrun_configure(cfg);
}

FILE *zypreload_libc_fopen(const char *path, const char *mode)
{
        static FILE *(*fn)(const char *, const char *);

        if (!fn)
                fn = (FILE * (*)(const char *, const char *)) dlsym(RTLD_NEXT, "fopen");
        if (!fn) {
                errno = ENOSYS;
                return NULL;
        }
        return fn(path, mode);
}

static bool stopped;            /* zypreload_stop_at_script was called */
static const char *stop_script; /* its script */
static FILE *run_script;        /* in a run's program: the run's script */
static void (*stop_prepare)(int status_fd);

bool zypreload_opens_script(const char *script, const char *path, const char *mode)
{
        return !stopped && script && strcmp(path, script) == 0 && strcmp(mode, "rb") == 0;
}

bool zypreload_stopped(void)
{
        return stopped;
}

/* In the program's process, its box ready (zyrun.c), before it goes back
 * into the interpreter: the run's script, opened as the interpreter
 * asked. */
static void open_run_script(const struct warm_request *rq, int status_fd)
{
        struct err e = {0, ""};

        (void)rq;
        if (stop_prepare)
                stop_prepare(status_fd);
        run_script = zypreload_libc_fopen(stop_script, "rb");
        if (!run_script) {
                err_set(&e, errno, "open %s", stop_script);
                zyrun_run_error(status_fd, &e);
        }
        close(status_fd);
}

FILE *zypreload_stop_at_script(const char *script, const char *holder,
                               void (*prepare)(int status_fd))
{
        stopped = true;
        stop_script = script;
        stop_prepare = prepare;
        zyresume_refuse_private_fds(holder);
        zyresume_here(script, open_run_script); /* returns in each run */
        return run_script;
}
