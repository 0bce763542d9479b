/* codeexec-pyreaper: PID 1 of a run forked from a zygote (warm Python or judge),
 * after its set-up.
 *
 * Theory of operation. A warm run's PID 1 starts as a vfork-style child of
 * the zygote (zygote/zyrun.c), sharing its memory; once it has built the
 * run's box and forked the program, it executes this small static binary so
 * that the zygote gets its memory back and the run's PID 1 no longer holds
 * a copy of the interpreter. Here it only waits for the program with the
 * deadline, kills and reaps everything left, and reports the step's end on
 * the status socket (SBX_REAPER_FD_STATUS, harden.h) — the same code as a cold box's PID 1
 * (sandbox/reaper.c). Every signal was blocked across the exec; here all
 * but SIGCHLD are unblocked again, and the program remains this process's
 * child.
 *
 * The program waits, before it runs anything of its own, until this process
 * has taken its name (a cold box's PID 1 is "codeexec") and made itself
 * non-dumpable (as a cold box's PID 1 is: its /proc files are then root's,
 * not the program's): the reaper closes SBX_REAPER_FD_READY, the write end of a pipe the
 * program reads. It has no capability and runs under the box's seccomp
 * filter (the run's PID 1 set both up before the exec).
 *
 * On x86-64 it is linked without a C library (nolibc.c): its start-up is on
 * every warm run's path.
 *
 * argv: codeexec <program pid> <timeout us> <start us> <children cpu us> */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../sandbox/harden.h" /* SBX_REAPER_FD_STATUS, SBX_REAPER_FD_READY */
#include "../sandbox/reaper.h"

/* A decimal number; false when s is not one (or it overflows). */
static bool parse_u64(const char *s, uint64_t *out)
{
        uint64_t v = 0;

        if (!*s)
                return false;
        for (; *s; s++) {
                if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
                        return false;
                v = v * 10 + (uint64_t)(*s - '0');
        }
        *out = v;
        return true;
}

int main(int argc, char **argv)
{
        uint64_t nums[4];
        struct sbx_msg m;
        pid_t pid;
        sigset_t chld;

        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        sigprocmask(SIG_SETMASK, &chld, NULL);
        prctl(PR_SET_NAME, "codeexec", 0, 0, 0);
        /* The exec made this process dumpable again: its /proc files
         * (oom_score_adj among them) would be the program's to write.
         * Before the program may start. */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return 127;
        close(SBX_REAPER_FD_READY); /* named and non-dumpable: the program may start */
        if (argc != 5)
                return 127;
        for (int i = 0; i < 4; i++)
                if (!parse_u64(argv[i + 1], &nums[i]))
                        return 127;
        pid = (pid_t)nums[0];
        memset(&m, 0, sizeof(m));
        sbx_wait_step(pid, nums[2], (double)nums[1] / 1e6, nums[3], &m);
        m.type = SBX_MSG_STEP_END;
        (void)send(SBX_REAPER_FD_STATUS, &m, sizeof(m), MSG_NOSIGNAL);
        return 0;
}
