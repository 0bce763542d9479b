/* codeexec-mlzygote: a warm OCaml toplevel that forks one box per run.
 *
 * Theory of operation. A cold OCaml run (`ocaml /tmp/main.ml`,
 * languages/ocaml.json) is the bytecode interpreter running the toplevel
 * (/usr/bin/ocaml starts with `#!/usr/bin/ocamlrun`): it loads and
 * initialises the toplevel's 2.6 MB of bytecode (the compiler's
 * libraries), reads Stdlib's interface and its load path, and only then
 * opens the script. This zygote is ocamlrun itself (Debian's runtime
 * library, its main included, linked with ocamlrun's primitive table and
 * this file, which sets the zygote up before main) with a cold run's
 * command line,
 * `/usr/bin/ocamlrun /usr/bin/ocaml /tmp/main.ml` (as the kernel makes it
 * from the shebang), and the box's environment: it stops where the
 * toplevel opens the script, through open64, which this binary interposes
 * for that path (the toplevel first checks the script exists: an empty one
 * stands in, in the zygote's own /tmp, which goes before the zygote says
 * it is ready). There the zygote serves runs (zygote/zyresume.c), and in
 * each run's program process, a copy of it, the open returns the run's
 * /tmp/main.ml, and the toplevel goes on as a cold one would: parse, type,
 * compile and run each phrase, report errors, exit.
 *
 * The runtime asks readlink("/proc/self/exe") for its executable (to look
 * for bytecode appended to it, and for Sys.executable_name): this binary
 * answers /usr/bin/ocamlrun, what a cold run's is. The toplevel keeps no
 * descriptor open at the stop (checked: the zygote exits if it finds one,
 * and the server starts another), and runs single threaded; its random
 * state and hash tables are deterministic in a cold run too (no
 * self_init, no randomisation unless OCAMLRUNPARAM asks, which the box's
 * environment does not). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../sandbox/warm-proto.h"
#include "../zygote/zyresume.h"
#include "../zygote/zyrun.h"

#define OCAMLRUN "/usr/bin/ocamlrun"

static const char *script_path; /* the toplevel's script: the run's program */
static int script_flags;        /* how the toplevel opens it */
static int script_fd = -1;      /* in the program's process */
static int stopped;             /* the zygote has stopped at the script */

/* In the program's process, its box ready (zyrun.c), before it goes back
 * into the toplevel: the run's script, opened as the toplevel asked. */
static void open_script(const struct warm_request *rq, int status_fd)
{
        struct err e = {0, ""};

        (void)rq;
        script_fd = (int)syscall(SYS_openat, AT_FDCWD, script_path, script_flags, 0);
        if (script_fd < 0) {
                err_set(&e, errno, "open %s", script_path);
                zyrun_run_error(status_fd, &e);
        }
        close(status_fd);
}

/* The runtime opens every file through open64 (caml_sys_open, the
 * bytecode, ld.conf): the script's open is where the zygote stops. */
int open64(const char *path, int flags, ...)
{
        mode_t mode = 0;

        if (flags & (O_CREAT | O_TMPFILE)) {
                va_list ap;
                va_start(ap, flags);
                mode = va_arg(ap, mode_t);
                va_end(ap);
        }
        if (!stopped && script_path && strcmp(path, script_path) == 0 &&
            (flags & O_ACCMODE) == O_RDONLY && !(flags & O_CREAT)) {
                stopped = 1;
                script_flags = flags;
                zyresume_refuse_private_fds("the toplevel");
                /* (the zygote's /tmp, with its empty script, goes in
                 * zyresume_here) */
                zyresume_here(script_path, open_script); /* returns in each run */
                return script_fd;
        }
        return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

/* The runtime's executable, as a cold run's: the interpreter's. */
ssize_t readlink(const char *path, char *buf, size_t size)
{
        static ssize_t (*libc_readlink)(const char *, char *, size_t);

        if (strcmp(path, "/proc/self/exe") == 0) {
                size_t n = strlen(OCAMLRUN) < size ? strlen(OCAMLRUN) : size;
                /* readlink's contract: the bytes, no terminating NUL */
                memcpy(buf, OCAMLRUN, n); // NOLINT(bugprone-not-null-terminated-result)
                return (ssize_t)n;
        }
        if (!libc_readlink)
                libc_readlink =
                    (ssize_t(*)(const char *, char *, size_t))dlsym(RTLD_NEXT, "readlink");
        if (!libc_readlink) {
                errno = ENOSYS;
                return -1;
        }
        return libc_readlink(path, buf, size);
}

/* Before the runtime's own main (ocamlrun's: caml_main, then
 * caml_do_exit), which runs the toplevel: the zygote's set-up. The C
 * library gives constructors the command line. */
__attribute__((constructor)) static void zygote_setup(int argc, char **argv)
{
        struct warm_config cfg;
        int fd;

        if (argc != 3 || strcmp(argv[0], OCAMLRUN) != 0 || argv[2][0] != '/') {
                fprintf(stderr, "usage: codeexec-mlzygote TOPLEVEL /tmp/FILE (argv[0]: %s)\n",
                        OCAMLRUN);
                exit(1);
        }
        script_path = argv[2];
        zyrun_start("codeexec-mlzygote");
        zyrun_configure(&cfg);
        /* The toplevel looks for the script (and lists its directory, the
         * load path's ".") before it opens it: an empty one stands in. */
        if (chdir("/tmp") < 0 || (fd = creat(script_path, 0644)) < 0 || close(fd) < 0)
                zyrun_die("the stand-in script in the zygote's /tmp");
}
