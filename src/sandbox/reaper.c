/* reaper: PID 1's wait for a step, with a deadline (see reaper.h).
 *
 * Theory of operation. SIGCHLD is blocked, so sigtimedwait() sleeps until a
 * child changes state or the deadline passes; every wake-up reaps what it can
 * without blocking and stops when the step's main process is among them. At
 * the deadline, and in any case when the main process has ended, kill(-1)
 * sends SIGKILL to every process of the namespace but PID 1 itself, and all
 * are reaped: a step's daemons never outlive it and its pipes reach EOF.
 * Only system calls here: PID 1 may be a raw clone of a threaded server (see
 * init.c). */
#define _GNU_SOURCE
#include "reaper.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

uint64_t sbx_now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void sbx_reaper_init(void)
{
        sigset_t chld;

        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        sigprocmask(SIG_BLOCK, &chld, NULL);
}

uint64_t sbx_children_cpu_us(void)
{
        struct rusage ru;

        getrusage(RUSAGE_CHILDREN, &ru);
        return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
               (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

void sbx_kill_and_reap_all(void)
{
        kill(-1, SIGKILL);
        while (waitpid(-1, NULL, __WALL) > 0 || errno == EINTR)
                ;
}

void sbx_wait_step(pid_t pid, uint64_t start_us, double timeout_s, uint64_t before_cpu_us,
                   struct sbx_msg *m)
{
        sigset_t chld;
        uint64_t deadline = start_us + (timeout_s > 0 ? (uint64_t)(timeout_s * 1e6) : 0);
        int status = 0;
        bool first = true;

        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        for (;;) {
                pid_t r;
                uint64_t t = sbx_now_us();
                struct timespec wait;
                bool done = false;

                /* A deadline already past at the first look (a timeout of
                 * about nothing) is a time-out even if the step got to exit
                 * before it: when it exited is not known (a warm run's
                 * program starts before its reaper first waits). */
                while (!(first && t >= deadline) &&
                       (r = waitpid(-1, &status, WNOHANG | __WALL)) > 0)
                        if (r == pid) {
                                done = true;
                                break;
                        }
                first = false;
                if (done)
                        break;
                if (t >= deadline) {
                        m->timed_out = 1;
                        kill(-1, SIGKILL);
                        while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR)
                                ;
                        break;
                }
                wait.tv_sec = (time_t)((deadline - t) / 1000000u);
                wait.tv_nsec = (long)((deadline - t) % 1000000u) * 1000;
                sigtimedwait(&chld, NULL, &wait);
        }
        m->wall_us = sbx_now_us() - start_us;
        sbx_kill_and_reap_all();
        /* Everything is reaped: take the SIGCHLDs still queued, which would
         * otherwise count in the box user's pending signals until this
         * process is gone (a warm run's next program could see them). */
        {
                const struct timespec none = {0, 0};
                while (sigtimedwait(&chld, NULL, &none) > 0)
                        ;
        }
        m->cpu_us = sbx_children_cpu_us() - before_cpu_us;
        m->wstatus = status;
}
