/* codeexec-rktzygote: a warm Racket that forks one box per run.
 *
 * Theory of operation. The server starts this binary as PID 1 of a warm box
 * (sandbox/init.c exec_zygote), with the command line and environment of a
 * cold run (`/usr/bin/racket /tmp/main.rkt`). It boots Racket CS embedded
 * (libracketcs, Debian's racket package) with the paths the racket
 * executable has (collections, configuration, compiled files; its
 * executable and run file the command line's, its directory /tmp, the
 * run's), declares warm_run.rkt (compiled into this binary) and has it
 * load `racket` and `rackunit` and expand one MultiPL-E-shaped program, which
 * is what a cold run spends most of its second on. Then it says it is
 * ready (warm-proto.h). Each run is a box of its own, built by
 * zygote/zyrun.c: its PID 1 writes the program into the run's fresh /tmp,
 * and its program process, a copy of this one, runs it the way `racket
 * FILE` does (warm_run.rkt's `run`), with a fresh random seed, the
 * SIGCHLD disposition Racket had here before zyrun took it, and fresh
 * copies of the descriptors Racket keeps for itself (renew_private_fds).
 * Racket CS runs its green threads, its collector and its I/O on this one
 * OS thread (the zygote reports its threads; the server refuses one with
 * more). The zygote itself never runs a program's code. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chezscheme.h"
#include "racketcs.h"

#include "../sandbox/warm-proto.h"
#include "../zygote/zyrun.h"

__asm__(".pushsection .rodata\n"
        ".type warm_run_rkt, @object\n"
        "warm_run_rkt:\n"
        ".incbin \"src/rktzygote/warm_run.rkt\"\n"
        ".byte 0\n"
        ".popsection\n");
extern const char warm_run_rkt[];

/* What the zygote instantiates ahead: what `#lang racket` with rackunit,
 * MultiPL-E's shape, loads. */
static const char *const preloads[] = {"racket", "rackunit", "racket/runtime-config"};

/* Expanded and run once in the zygote, so that the macros every program's
 * expansion uses are instantiated before the fork. */
static const char warm_up_source[] = "#lang racket\n"
                                     "(require rackunit)\n"
                                     "(define (candidate xs) (map add1 (filter even? xs)))\n"
                                     "(define (test-humaneval)\n"
                                     "  (let ((candidate candidate))\n"
                                     "    (check-equal? (candidate (list 2 3 4)) (list 3 5))\n"
                                     "    (check-equal? (candidate (list)) (list))))\n"
                                     "(test-humaneval)\n";

static ptr run_procedure;
static struct sigaction racket_sigchld;

/* Descriptors Racket opened for itself at boot: its scheduler's wake-up
 * pipe and its poll set (rktio). A run must not share them with the
 * zygote and every other run (zyrun closes them in the program's process),
 * so each run gets fresh ones, at the same numbers, with the same flags:
 * the poll set was empty in the zygote (checked), so a fresh one is the
 * same. */
#define MAX_PRIVATE_FDS 8
struct private_fd {
        int fd, fl, fd_flags;
        bool epoll;
        ino_t ino; /* a pipe's: its two ends share it */
};
static struct private_fd private_fds[MAX_PRIVATE_FDS];
static int nprivate;
static int above_private; /* a descriptor number above them all */

static bool poll_set_is_empty(int fd)
{
        char path[64], line[256];
        bool empty = true;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
        f = fopen(path, "re");
        if (!f)
                return false;
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, "tfd:", 4) == 0)
                        empty = false;
        (void)fclose(f);
        return empty;
}

/* Records one of Racket's own descriptors (zyrun_each_private_fd); exits
 * if it is of a kind a run could not be given a fresh copy of. */
static void record_private_fd(int fd, void *unused)
{
        struct private_fd p;
        struct stat st;
        char path[64], target[64];
        ssize_t n;

        (void)unused;
        memset(&p, 0, sizeof(p));
        p.fd = fd;
        snprintf(path, sizeof(path), "/proc/self/fd/%d", p.fd);
        n = readlink(path, target, sizeof(target) - 1);
        target[n > 0 ? n : 0] = '\0';
        if (fstat(p.fd, &st) < 0 || nprivate == MAX_PRIVATE_FDS)
                zyrun_die("Racket's descriptors");
        p.fl = fcntl(p.fd, F_GETFL);
        p.fd_flags = fcntl(p.fd, F_GETFD);
        if (S_ISFIFO(st.st_mode))
                p.ino = st.st_ino;
        else if (strcmp(target, "anon_inode:[eventpoll]") == 0 && poll_set_is_empty(p.fd))
                p.epoll = true;
        else
                zyrun_die("Racket left a descriptor a run cannot have afresh");
        private_fds[nprivate++] = p;
        if (p.fd >= above_private)
                above_private = p.fd + 1;
}

static int put_fd(int from, const struct private_fd *p)
{
        if (dup2(from, p->fd) < 0 || fcntl(p->fd, F_SETFL, p->fl) < 0 ||
            fcntl(p->fd, F_SETFD, p->fd_flags) < 0)
                return -1;
        return 0;
}

/* In the run's program process, whose descriptors above 2 zyrun closed
 * (but the status socket, out of their way): fresh copies of Racket's own.
 * New ones are made above every number to fill (as low as that, for the
 * run's open-files limit), then moved. 0, or -1 with e set. */
static int renew_private_fds(struct err *e)
{
        for (int i = 0; i < nprivate; i++) {
                const struct private_fd *p = &private_fds[i];
                int fds[2], high[2] = {-1, -1}, rc = 0;

                if (fcntl(p->fd, F_GETFD) >= 0)
                        continue; /* made with its pipe's other end */
                if (p->epoll) {
                        fds[0] = epoll_create1(0);
                        fds[1] = -1;
                } else if (pipe(fds) < 0) {
                        fds[0] = fds[1] = -1;
                }
                for (int k = 0; k < 2; k++)
                        if (fds[k] >= 0) {
                                high[k] = fcntl(fds[k], F_DUPFD, above_private);
                                close(fds[k]);
                        }
                if (high[0] < 0 || (!p->epoll && high[1] < 0))
                        rc = -1;
                for (int j = 0; rc == 0 && j < nprivate; j++) {
                        const struct private_fd *q = &private_fds[j];
                        if (q->fd == p->fd || (!p->epoll && !q->epoll && q->ino == p->ino))
                                rc = put_fd((q->fl & O_ACCMODE) == O_WRONLY ? high[1] : high[0], q);
                }
                for (int k = 0; k < 2; k++)
                        if (high[k] >= 0)
                                close(high[k]);
                if (rc < 0)
                        return err_set(e, errno, "Racket's own descriptors for the run");
        }
        return 0;
}

static ptr list1(ptr a)
{
        return Scons(a, Snil);
}

static ptr list2(ptr a, ptr b)
{
        return Scons(a, Scons(b, Snil));
}

static ptr kernel_module(void)
{
        return list2(Sstring_to_symbol("quote"), Sstring_to_symbol("#%kernel"));
}

/* Applies what '#%kernel exports as `name` (Racket's own `read`, `eval`,
 * not Chez Scheme's of the same names) to args; its first result.
 *
 * The collector moves objects whenever Racket code runs, so a ptr kept in
 * C across a call into Racket must be locked (Slock_object), as args are
 * here while `name` is looked up; allocating from C never collects. */
static ptr call(const char *name, ptr args)
{
        ptr f;

        Slock_object(args);
        f = Scar(racket_dynamic_require(kernel_module(), Sstring_to_symbol(name)));
        Sunlock_object(args);
        return Scar(racket_apply(f, args));
}

/* Racket as `racket` would start for `argv0 run_file`, minus the loading. */
static void boot_racket(const char *argv0, const char *run_file)
{
        static char no_lib[] = "-n";
        static char *args[] = {no_lib, NULL};
        racket_boot_arguments_t ba;

        memset(&ba, 0, sizeof(ba));
        ba.boot1_path = "/usr/lib/racket/petite.boot";
        ba.boot2_path = "/usr/lib/racket/scheme.boot";
        ba.boot3_path = "/usr/lib/racket/racket.boot";
        ba.exec_file = argv0;
        ba.run_file = run_file;
        ba.collects_dir = "/usr/share/racket/collects";
        ba.config_dir = "/etc/racket";
        ba.argc = 1;
        ba.argv = args;
        ba.exit_after = 0;
        racket_boot(&ba);
}

/* Reads one datum of text. */
static ptr read_datum(const char *text)
{
        return call("read", list1(call("open-input-string", list1(Sstring(text)))));
}

/* Declares warm_run.rkt in a namespace of its own and returns its `run`,
 * after its `prepare`. */
static ptr load_warm_run(void)
{
        ptr make_base_namespace = Scar(racket_dynamic_require(
            Sstring_to_symbol("racket/base"), Sstring_to_symbol("make-base-namespace")));
        ptr ns = Scar(racket_apply(make_base_namespace, Snil));
        ptr mods = Snil;
        ptr form, prepare, run;

        Slock_object(ns);
        form = read_datum(warm_run_rkt);
        call("eval", list2(form, ns));
        form = read_datum("(dynamic-require ''codeexec-warm-run 'prepare)");
        prepare = call("eval", list2(form, ns));
        for (size_t i = sizeof(preloads) / sizeof(preloads[0]); i-- > 0;)
                mods = Scons(Sstring_to_symbol(preloads[i]), mods);
        racket_apply(prepare, list2(mods, Sstring(warm_up_source)));
        form = read_datum("(dynamic-require ''codeexec-warm-run 'run)");
        run = call("eval", list2(form, ns));
        Sunlock_object(ns);
        return run;
}

/* The program's process, its box ready (zyrun.c): the file, run as
 * `racket FILE` runs it; warm_run.rkt's `run` ends with (exit status). */
static _Noreturn void run_racket(const struct warm_request *rq, int status_fd)
{
        struct err e = {0, ""};
        uint32_t seed = 0;
        char path[80];
        int report = fcntl(status_fd, F_DUPFD_CLOEXEC, above_private);

        /* The status socket, kept to report a failure here, out of the
         * way of Racket's descriptors, and closed before the program. */
        close(status_fd);
        if (report < 0)
                _exit(127);
        if (renew_private_fds(&e) < 0)
                zyrun_run_error(report, &e);
        close(report);
        sigaction(SIGCHLD, &racket_sigchld, NULL);
        if (getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
                seed = (uint32_t)getpid() ^ (uint32_t)time(NULL);
        snprintf(path, sizeof(path), "/tmp/%s", rq->file_name);
        racket_apply(run_procedure, list2(Sstring(path), Sinteger((iptr)(seed & 0x7fffffffu))));
        _exit(1); /* run exits */
}

int main(int argc, char **argv)
{
        static const struct zyrun_hooks hooks = {
            .fill_tmp = zyrun_write_program,
            .run_program = run_racket,
            .keep_status_fd = true,
        };
        struct warm_config cfg;
        struct warm_ready ready;

        zyrun_start("codeexec-rktzygote");
        if (argc != 2)
                zyrun_die("usage: codeexec-rktzygote FILE (argv[0]: racket's path)");
        zyrun_configure(&cfg);
        /* A run's directory, where a cold racket starts (and its
         * (find-system-path 'orig-dir)); the zygote's box has no /tmp
         * mount of its own, only the directory. */
        if (chdir("/tmp") < 0)
                zyrun_die("chdir /tmp");
        boot_racket(argv[0], argv[1]);
        run_procedure = load_warm_run();
        Slock_object(run_procedure);
        sigaction(SIGCHLD, NULL, &racket_sigchld);
        zyrun_each_private_fd(record_private_fd, NULL);
        memset(&ready, 0, sizeof(ready));
        zyrun_send_ready(&ready);
        zyrun_serve(&hooks);
}
