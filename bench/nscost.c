/* nscost: what each namespace adds to starting a process.
 *
 * For each set of clone flags, clones a child that exits at once and reaps
 * it, N times, and prints the median cost per spawn and the difference from
 * a plain fork-like clone measured in the same run. Run as root:
 *   make bench/nscost && bench/nscost [N]
 */
#define _GNU_SOURCE
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

static double measure(uint64_t flags, int n)
{
        double *t = calloc((size_t)n, sizeof(double)), med;

        for (int i = 0; i < n; i++) {
                struct clone_args args;
                double t0 = now_us();
                long pid;

                memset(&args, 0, sizeof(args));
                args.flags = flags;
                args.exit_signal = SIGCHLD;
                pid = syscall(SYS_clone3, &args, sizeof(args));
                if (pid == 0)
                        _exit(0);
                if (pid < 0) {
                        perror("clone3");
                        exit(1);
                }
                waitpid((pid_t)pid, NULL, 0);
                t[i] = now_us() - t0;
        }
        qsort(t, (size_t)n, sizeof(double), cmp);
        med = t[n / 2];
        free(t);
        return med;
}

int main(int argc, char **argv)
{
        static const struct {
                const char *name;
                uint64_t flags;
        } sets[] = {
            {"none (fork)", 0},
            {"user", CLONE_NEWUSER},
            {"pid", CLONE_NEWPID},
            {"mount", CLONE_NEWNS},
            {"ipc", CLONE_NEWIPC},
            {"uts", CLONE_NEWUTS},
            {"net", CLONE_NEWNET},
            {"cgroup", CLONE_NEWCGROUP},
            {"all but net", CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC |
                                CLONE_NEWUTS | CLONE_NEWCGROUP},
            {"all (codeexec)", CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC |
                                   CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWCGROUP},
        };
        int n = argc > 1 ? atoi(argv[1]) : 300;
        double base = measure(0, n);

        printf("# %d spawns each, median microseconds per clone+exit+wait\n", n);
        printf("%-16s %10s %10s\n", "namespaces", "us", "+us");
        for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
                double us = measure(sets[i].flags, n);
                printf("%-16s %10.0f %+10.0f\n", sets[i].name, us, us - base);
        }
        return 0;
}
