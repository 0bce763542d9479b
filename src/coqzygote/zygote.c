/* codeexec-coqzygote.so: a warm coqc, stopped after the libraries every
 * MultiPL-E Coq program requires, forked per run.
 *
 * Theory of operation. A cold Coq run (`coqc -noglob /tmp/main.v`,
 * languages/v.json) spends almost all of a MultiPL-E test's time in its
 * first four lines (WARM_COQ_PREFIX: `Require Import ZArith.`, `Reals.`,
 * `Coq.Strings.String.`, `Open Scope string_scope.`): registering every
 * constant, notation and hint of about 150 libraries takes ~420 ms of the
 * ~470, and Coq 8.16 cannot save that state. It can be kept in a process,
 * though: coqc reads its source through an OCaml channel and executes each
 * sentence as soon as it is parsed, so a coqc whose source is exactly the
 * prefix has done the Requires when it asks for the bytes after them.
 *
 * This zygote is a library the dynamic loader preloads into /usr/bin/coqc
 * (as PHP's is into php: zygote/zypreload.h), started with a cold run's
 * command line and environment. Its constructor writes the prefix as
 * /tmp/main.v in the zygote's own /tmp. coqc opens that file twice: first
 * for the digest it records in /tmp/.main.aux, then to parse it. The
 * zygote stops in the parse's first read past the prefix (after the
 * Requires, which read no byte more): there it serves runs
 * (zygote/zyresume.c). In each run's program process, a copy of it with
 * every descriptor of the zygote's closed, the hook opens the run's
 * /tmp/main.v at the prefix's end on the parse's descriptor number and
 * creates the run's /tmp/.main.aux on the aux file's, as coqc had, and the
 * read goes on: coqc parses, checks and writes main.vo exactly as a cold
 * one would from that byte on. A run is sent here only when its program
 * starts with the prefix (exec/warmpool.c); the hook checks it again.
 *
 * One thing coqc computed before the stop differs by run: the digest of
 * the source it writes as the aux file's first line (buffered until coqc
 * exits, so a run never reads it). The zygote's is the prefix's; the
 * interposed write replaces it with the run's own in that first write.
 *
 * coqc runs one thread and keeps no other descriptor at the stop (checked:
 * the zygote exits otherwise, and the server starts another); it has no
 * random state, and a Coq program can read neither its environment nor
 * its process ids. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../sandbox/warm-proto.h"
#include "../util/md5.h"
#include "../zygote/zypreload.h"
#include "../zygote/zyresume.h"
#include "../zygote/zyrun.h"

#define COQC "/usr/bin/coqc"
#define PREFIX_LEN (sizeof(WARM_COQ_PREFIX) - 1)
#define AUX_MAGIC "COQAUX1 "

static const char *script_path; /* coqc's source: the run's program */
static unsigned script_opens;   /* opens of it so far: the digest's, the parse's */
static int parse_fd = -1;       /* the parse's descriptor */
static int parse_flags;
static int aux_fd = -1; /* /tmp/.main.aux, as coqc created it */
static char aux_path[PATH_MAX];
static int aux_flags;
static mode_t aux_mode;
static bool stopped; /* the zygote has stopped in the parse's read */
/* The digests of the prefix (what the zygote's coqc computed) and, in a
 * run, of its program, in hex; the aux file's first write still to mend. */
static char prefix_digest[MD5_HEX_LEN + 1], run_digest[MD5_HEX_LEN + 1];
static bool aux_unmended;

static int raw_open(const char *path, int flags, mode_t mode)
{
        return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

static void digest_hex(const void *data, size_t len, char hex[MD5_HEX_LEN + 1])
{
        unsigned char d[MD5_DIGEST_LEN];

        md5(data, len, d);
        md5_hex(d, hex);
}

/* Puts the file at `path` (opened with flags and mode) on descriptor
 * number `fd`, close-on-exec as coqc's own are; -1 with errno. */
static int reopen_at(int fd, const char *path, int flags, mode_t mode)
{
        int got = raw_open(path, flags, mode);

        if (got < 0)
                return -1;
        if (got != fd && (dup3(got, fd, O_CLOEXEC) < 0 || close(got) < 0))
                return -1;
        return 0;
}

/* In the program's process, its box ready (zyrun.c), every descriptor of
 * the zygote closed: the run's source on the parse's descriptor, at the
 * prefix's end, and a fresh aux file on the aux file's. */
static void open_run_files(const struct warm_request *rq, int status_fd)
{
        struct err e = {0, ""};
        struct md5_ctx c;
        unsigned char head[PREFIX_LEN], d[MD5_DIGEST_LEN], block[16384];
        size_t have = 0;
        ssize_t n;
        int fd;

        (void)rq;
        fd = raw_open(script_path, parse_flags, 0);
        if (fd < 0) {
                err_set(&e, errno, "open %s", script_path);
                zyrun_run_error(status_fd, &e);
        }
        md5_init(&c);
        while ((n = syscall(SYS_read, fd, block, sizeof(block))) > 0) {
                if (have < PREFIX_LEN) {
                        size_t take = (size_t)n < PREFIX_LEN - have ? (size_t)n : PREFIX_LEN - have;
                        memcpy(head + have, block, take);
                        have += take;
                }
                md5_update(&c, block, (size_t)n);
        }
        md5_final(&c, d);
        md5_hex(d, run_digest);
        if (n < 0 || have < PREFIX_LEN || memcmp(head, WARM_COQ_PREFIX, PREFIX_LEN) != 0) {
                err_set(&e, n < 0 ? errno : EINVAL, "%s does not start with the zygote's prefix",
                        script_path);
                zyrun_run_error(status_fd, &e);
        }
        if (lseek(fd, (off_t)PREFIX_LEN, SEEK_SET) < 0 ||
            (fd != parse_fd && (dup3(fd, parse_fd, O_CLOEXEC) < 0 || close(fd) < 0))) {
                err_set(&e, errno, "%s on the parse's descriptor", script_path);
                zyrun_run_error(status_fd, &e);
        }
        if (reopen_at(aux_fd, aux_path, aux_flags, aux_mode) < 0) {
                err_set(&e, errno, "create %s", aux_path);
                zyrun_run_error(status_fd, &e);
        }
        aux_unmended = true;
        close(status_fd);
}

/* The zygote keeps exactly the parse's and the aux file's descriptors. */
static void check_private_fd(int fd, void *unused)
{
        (void)unused;
        if (fd != parse_fd && fd != aux_fd) {
                errno = 0;
                zyrun_die("coqc kept a descriptor open at its source");
        }
}

/* OCaml's runtime (4.13 here), whose symbols coqc exports for its
 * plugins. Loading the libraries left the major GC mid-cycle, with work
 * still owed in its ring of pending slices (about 0.9 of a whole cycle at
 * the stop): a run's first major slice would do all of it, marking and
 * sweeping the zygote's ~370 MB heap, which writes to every block and so
 * copies every page into the run (measured: 0.4 s of CPU and 205 MB per
 * run, most of a cold run's cost). So the zygote compacts its heap, which
 * finishes two whole cycles (everything that work was owed for is
 * collected), and clears the ring, as the runtime itself drops its other
 * backlog when a cycle starts afresh: a run's collector then paces itself
 * by what the run allocates. Collections are not something a Coq program
 * can observe; without these symbols (another OCaml) the zygote skips
 * this and its runs are only slower. The parse's read is called inside a
 * blocking section (caml_read_fd), which the collection must not run in. */
static void settle_heap(void)
{
        void (*leave)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "caml_leave_blocking_section");
        void (*enter)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "caml_enter_blocking_section");
        long (*compact)(long) = (long (*)(long))dlsym(RTLD_DEFAULT, "caml_gc_compaction");
        double *ring = dlsym(RTLD_DEFAULT, "caml_major_ring");
        const int *window = dlsym(RTLD_DEFAULT, "caml_major_window");

        if (!leave || !enter || !compact || !ring || !window || *window < 1 || *window > 50)
                return;
        leave();
        compact(1); /* Val_unit */
        enter();
        for (int i = 0; i < *window; i++)
                ring[i] = 0.0;
}

static void stop_here(void)
{
        stopped = true;
        settle_heap();
        if (aux_fd < 0 || lseek(aux_fd, 0, SEEK_CUR) != 0) {
                errno = 0;
                zyrun_die("coqc wrote its aux file before the end of the prefix");
        }
        zyrun_each_private_fd(check_private_fd, NULL);
        zyresume_here(script_path, open_run_files); /* returns in each run */
}

/* coqc's runtime opens every file through open64. */
int open64(const char *path, int flags, ...)
{
        mode_t mode = 0;
        int fd;

        if (flags & (O_CREAT | O_TMPFILE)) {
                va_list ap;
                va_start(ap, flags);
                mode = va_arg(ap, mode_t);
                va_end(ap);
        }
        fd = raw_open(path, flags, mode);
        if (stopped || fd < 0 || !script_path)
                return fd;
        if (strcmp(path, script_path) == 0 && (flags & O_ACCMODE) == O_RDONLY &&
            ++script_opens == 2) {
                parse_fd = fd;
                parse_flags = flags;
        } else if ((flags & O_CREAT) && strcmp(path, aux_path) == 0) {
                aux_fd = fd;
                aux_flags = flags;
                aux_mode = mode;
        }
        return fd;
}

/* The parse's read past the prefix is where the zygote stops; in a run
 * the same read goes on, from the run's source. */
ssize_t read(int fd, void *buf, size_t n)
{
        if (!stopped && fd == parse_fd && lseek(fd, 0, SEEK_CUR) == (off_t)PREFIX_LEN)
                stop_here();
        return syscall(SYS_read, fd, buf, n);
}

/* In a run, the aux file's first write starts with the digest coqc took of
 * the zygote's source: the run's own goes in its place. */
ssize_t write(int fd, const void *buf, size_t n)
{
        const size_t at = sizeof(AUX_MAGIC) - 1;

        if (aux_unmended && fd == aux_fd) {
                aux_unmended = false;
                if (n >= at + MD5_HEX_LEN && memcmp(buf, AUX_MAGIC, at) == 0 &&
                    memcmp((const char *)buf + at, prefix_digest, MD5_HEX_LEN) == 0) {
                        char *mended = malloc(n);
                        ssize_t done;
                        if (!mended) {
                                errno = ENOMEM;
                                return -1;
                        }
                        memcpy(mended, buf, n);
                        memcpy(mended + at, run_digest, MD5_HEX_LEN);
                        done = syscall(SYS_write, fd, mended, n);
                        free(mended);
                        return done;
                }
        }
        return syscall(SYS_write, fd, buf, n);
}

/* Before coqc's main: the zygote's set-up. The C library gives
 * constructors the command line. */
__attribute__((constructor)) static void zygote_setup(int argc, char **argv)
{
        struct warm_config cfg;
        const char *slash;
        int fd;

        if (argc != 3 || strcmp(argv[0], COQC) != 0 || strcmp(argv[1], "-noglob") != 0 ||
            argv[2][0] != '/' || !(slash = strrchr(argv[2], '/')) ||
            snprintf(aux_path, sizeof(aux_path), "%.*s/.%.*s.aux", (int)(slash - argv[2]), argv[2],
                     (int)strcspn(slash + 1, "."), slash + 1) >= (int)sizeof(aux_path)) {
                fprintf(stderr, "usage: " COQC " -noglob /tmp/FILE.v, with codeexec-coqzygote.so "
                                "preloaded\n");
                exit(1);
        }
        script_path = argv[2];
        zypreload_start("codeexec-coqzygote", "coqc", &cfg);
        digest_hex(WARM_COQ_PREFIX, PREFIX_LEN, prefix_digest);
        /* The source coqc starts with: the prefix alone. */
        fd = raw_open(script_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 || syscall(SYS_write, fd, WARM_COQ_PREFIX, PREFIX_LEN) != (long)PREFIX_LEN ||
            close(fd) < 0)
                zyrun_die("the prefix as the source in the zygote's /tmp");
}
