/* slotcpu: a slot's box PID 1s (cold boxes, standbys, warm zygotes and the
 * runs' PID 1s forked from them) keep to one CPU, the slot's.
 *
 * Theory of operation. A run is a chain of hand-offs: the server wakes a
 * box's PID 1, which forks the program, whose end wakes PID 1 (or a warm
 * run's reaper), which wakes the server. Left to the scheduler, the
 * wake-ups of the two slots of a two-CPU machine often queued on one CPU
 * while the other sat idle (12-13% of the machine idle under warm
 * SandboxFusion load, most of it with a program alive). Each slot's PID 1s
 * now keep to a CPU of their own, slot i to the i-th CPU of the server's
 * affinity (modulo their number, so slots beyond the CPUs share them), and
 * every program gets the server's whole affinity back before its first
 * instruction: it sees what it would without this, and its threads use
 * every CPU. Measured: docs/performance.md. */
#define _GNU_SOURCE
#include "slotcpu.h"

void slot_cpu_keep(unsigned slot, cpu_set_t *all)
{
        cpu_set_t one;
        int n, k = 0;

        CPU_ZERO(all);
        if (sched_getaffinity(0, sizeof(*all), all) < 0) {
                CPU_ZERO(all);
                return;
        }
        n = CPU_COUNT(all);
        if (n < 2)
                return;
        CPU_ZERO(&one);
        for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
                if (CPU_ISSET(cpu, all) && k++ == (int)(slot % (unsigned)n)) {
                        CPU_SET(cpu, &one);
                        break;
                }
        }
        (void)sched_setaffinity(0, sizeof(one), &one);
}

int slot_cpu_leave(const cpu_set_t *all)
{
        if (CPU_COUNT(all) == 0)
                return 0;
        return sched_setaffinity(0, sizeof(*all), all);
}
