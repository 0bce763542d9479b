/* slotcpu: the one CPU a slot's boxes keep to while they are not running
 * a program (see slotcpu.c). */
#ifndef CODEEXEC_SANDBOX_SLOTCPU_H
#define CODEEXEC_SANDBOX_SLOTCPU_H

#include <sched.h>

/* Keeps the calling process to its slot's CPU: slot i on the i-th CPU of
 * its affinity, modulo their number. *all gets the affinity it had, which
 * a program started from it is given back (slot_cpu_leave). Only system
 * calls: a box's PID 1 calls it. With one CPU or on failure it stays as
 * it was. */
void slot_cpu_keep(unsigned slot, cpu_set_t *all);
/* Gives the calling process back the CPUs in *all (from slot_cpu_keep);
 * -1 with errno on failure (none of them is allowed any more), 0 (doing
 * nothing) if *all is empty. */
int slot_cpu_leave(const cpu_set_t *all);

#endif
