/* reaper: how a box's PID 1 waits for one step (see reaper.c). Shared by the
 * cold box's PID 1 (init.c) and a warm Python run's PID 1 (pyzygote/). */
#ifndef CODEEXEC_REAPER_H
#define CODEEXEC_REAPER_H

#include <stdint.h>
#include <sys/types.h>

#include "sandbox.h"

/* Monotonic microseconds. */
uint64_t sbx_now_us(void);

/* Blocks SIGCHLD so that sbx_wait_step can wait for it; call once in PID 1
 * before forking steps. */
void sbx_reaper_init(void);

/* Waits until `pid` (started at start_us) ends or timeout_s passes, then
 * kills every other process of the PID namespace and reaps them all. Fills
 * m->wstatus, m->timed_out, m->wall_us and m->cpu_us (user+sys of everything
 * reaped since `before_cpu_us`, see sbx_children_cpu_us). Only PID 1 of a
 * PID namespace may call this: it uses kill(-1). */
void sbx_wait_step(pid_t pid, uint64_t start_us, double timeout_s, uint64_t before_cpu_us,
                   struct sbx_msg *m);

/* User+sys time of this process's reaped children, in microseconds. */
uint64_t sbx_children_cpu_us(void);

/* Kills everything in the PID namespace but the caller (PID 1), reaps it. */
void sbx_kill_and_reap_all(void);

#endif
