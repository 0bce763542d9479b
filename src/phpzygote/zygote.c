/* codeexec-phpzygote.so: a warm php that forks one box per run.
 *
 * Theory of operation. A cold PHP run (`php /tmp/main.php`,
 * languages/php.json) spends most of a small program's time before it
 * reads a byte of it: loading php's shared libraries and its extensions
 * (the ones php.ini's conf.d enables, each a dlopen), parsing php.ini and
 * starting every module (MINIT). Only then does the CLI open its script,
 * with fopen, and start the request (RINIT: superglobals, $argv, STDIN),
 * compile and run it. Debian ships the CLI as an executable only (no
 * library to link our own main with, as R's and OCaml's zygotes do), so
 * this zygote is a library the dynamic loader preloads into /usr/bin/php
 * itself: the server starts php with a cold run's command line and the
 * box's environment plus one last variable, LD_PRELOAD naming this library
 * through an inherited descriptor (sandbox/warm-proto.h). Its constructor
 * takes that variable out of the environment again, both the C library's
 * and what /proc/self/environ shows (the kernel's record of where the
 * environment ends, moved back with PR_SET_MM_MAP, which needs no
 * privilege), and reads the zygote's configuration. Its fopen stops php at
 * the script: there the zygote serves runs (zygote/zyresume.c), and in
 * each run's program process, a copy of it, the fopen returns the run's
 * /tmp/main.php and php goes on as a cold one would, from the request's
 * start.
 *
 * What a copy shares with the zygote is what every cold run builds the
 * same way before its script: the modules' start-up state. PHP keeps
 * nothing of the process there that a run would see differently: it holds
 * no descriptor at the script (checked: the zygote exits if it finds one)
 * and runs one thread; its random generators seed themselves at first use
 * in the request, from the time and the process id; the request time,
 * $_SERVER and $_ENV (from the environment, now exactly a cold run's) are
 * made at the request's start. The executable is /usr/bin/php's own, and
 * the process keeps php's name. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sandbox/warm-proto.h"
#include "../zygote/zypreload.h"
#include "../zygote/zyresume.h"
#include "../zygote/zyrun.h"

#define PHP "/usr/bin/php"

static const char *script_path; /* the CLI's script: the run's program */
static FILE *script;            /* in the program's process */
static int stopped;             /* the zygote has stopped at the script */

/* In the program's process, its box ready (zyrun.c), before it goes back
 * into php: the run's script, opened as the CLI asked. */
static void open_script(const struct warm_request *rq, int status_fd)
{
        struct err e = {0, ""};

        (void)rq;
        script = zypreload_libc_fopen(script_path, "rb");
        if (!script) {
                err_set(&e, errno, "open %s", script_path);
                zyrun_run_error(status_fd, &e);
        }
        close(status_fd);
}

/* The CLI opens its script with fopen(path, "rb") once its modules have
 * started (cli_seek_file_begin): that is where the zygote stops. */
FILE *fopen(const char *path, const char *mode)
{
        if (!stopped && script_path && strcmp(path, script_path) == 0 && strcmp(mode, "rb") == 0) {
                stopped = 1;
                zyresume_refuse_private_fds("php");
                zyresume_here(script_path, open_script); /* returns in each run */
                return script;
        }
        return zypreload_libc_fopen(path, mode);
}

/* Before php's main: the zygote's set-up. The C library gives
 * constructors the command line. */
__attribute__((constructor)) static void zygote_setup(int argc, char **argv)
{
        struct warm_config cfg;

        if (argc != 2 || strcmp(argv[0], PHP) != 0 || argv[1][0] != '/') {
                fprintf(stderr, "usage: " PHP " /tmp/FILE, with codeexec-phpzygote.so preloaded\n");
                exit(1);
        }
        script_path = argv[1];
        zypreload_start("codeexec-phpzygote", "php", &cfg);
}
