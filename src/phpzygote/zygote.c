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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sandbox/warm-proto.h"
#include "../zygote/zypreload.h"

#define PHP "/usr/bin/php"

static const char *script_path; /* the CLI's script: the run's program */

/* The CLI opens its script with fopen(path, "rb") once its modules have
 * started (cli_seek_file_begin): that is where the zygote stops. */
FILE *fopen(const char *path, const char *mode)
{
        if (zypreload_opens_script(script_path, path, mode))
                return zypreload_stop_at_script(script_path, "php", NULL); /* in each run */
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
