/* nolibc: the few C library functions codeexec-pyreaper uses, as bare
 * system calls, and its entry point, so that the reaper is linked without
 * any C library (x86-64 only; elsewhere it is linked with glibc).
 *
 * Theory of operation. The reaper is executed once per warm Python run,
 * and the program waits for it to start (reaper_main.c). A static glibc
 * binary spends about half a millisecond of CPU before main() on a virtual
 * machine like ours: its start-up asks the CPU for its features and cache
 * sizes with dozens of CPUID instructions, each of which traps to the
 * hypervisor (measured: 520 us per exec against 30-40 us for a binary
 * without a C library, docs/performance.md "The reaper without a C
 * library"). The reaper needs none of what that start-up prepares: no
 * stdio, no allocation, no threads, no locale, no TLS (so it is built
 * without stack protector and fortify, which need them).
 *
 * The functions keep glibc's names and prototypes (its headers declare
 * them), so reaper.c compiles unchanged for both the reaper and a cold
 * box's PID 1. Failing calls set errno, read through __errno_location as
 * glibc's headers expect. Signal sets are the kernel's 8 bytes inside
 * glibc's larger sigset_t. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KERNEL_SIGSET_BYTES 8

int main(int argc, char **argv);
int *__errno_location(void);
void reaper_start(long *stack) __attribute__((noreturn, used));

static int error_number;

int *__errno_location(void)
{
        return &error_number;
}

static long raw_syscall(long n, long a, long b, long c, long d, long e, long f)
{
        register long r10 __asm__("r10") = d;
        register long r8 __asm__("r8") = e;
        register long r9 __asm__("r9") = f;
        long ret;

        __asm__ volatile("syscall"
                         : "=a"(ret)
                         : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                         : "rcx", "r11", "memory");
        return ret;
}

/* The result, or -1 with errno set (the kernel returns -errno). */
static long sys(long n, long a, long b, long c, long d, long e, long f)
{
        long ret = raw_syscall(n, a, b, c, d, e, f);

        if (ret < 0 && ret > -4096) {
                error_number = (int)-ret;
                return -1;
        }
        return ret;
}

void *memset(void *dst, int c, size_t n)
{
        volatile unsigned char *p = dst; /* volatile: not turned into a call to memset */

        while (n--)
                *p++ = (unsigned char)c;
        return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
        volatile unsigned char *d = dst;
        const unsigned char *s = src;

        while (n--)
                *d++ = *s++;
        return dst;
}

int sigemptyset(sigset_t *set)
{
        memset(set, 0, sizeof(*set));
        return 0;
}

int sigaddset(sigset_t *set, int sig)
{
        if (sig <= 0 || sig > 64) {
                error_number = EINVAL;
                return -1;
        }
        set->__val[0] |= 1UL << (sig - 1);
        return 0;
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
        return (int)sys(SYS_rt_sigprocmask, how, (long)set, (long)old, KERNEL_SIGSET_BYTES, 0, 0);
}

int sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *timeout)
{
        return (int)sys(SYS_rt_sigtimedwait, (long)set, (long)info, (long)timeout,
                        KERNEL_SIGSET_BYTES, 0, 0);
}

int prctl(int option, ...)
{
        va_list ap;
        unsigned long a[4];

        va_start(ap, option);
        for (int i = 0; i < 4; i++)
                a[i] = va_arg(ap, unsigned long);
        va_end(ap);
        return (int)sys(SYS_prctl, option, (long)a[0], (long)a[1], (long)a[2], (long)a[3], 0);
}

int close(int fd)
{
        return (int)sys(SYS_close, fd, 0, 0, 0, 0, 0);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
        return sys(SYS_sendto, fd, (long)buf, (long)len, flags, 0, 0);
}

int clock_gettime(clockid_t clock, struct timespec *ts)
{
        return (int)sys(SYS_clock_gettime, clock, (long)ts, 0, 0, 0, 0);
}

int getrusage(int who, struct rusage *ru)
{
        return (int)sys(SYS_getrusage, who, (long)ru, 0, 0, 0, 0);
}

int kill(pid_t pid, int sig)
{
        return (int)sys(SYS_kill, pid, sig, 0, 0, 0, 0);
}

pid_t waitpid(pid_t pid, int *status, int options)
{
        return (pid_t)sys(SYS_wait4, pid, (long)status, options, 0, 0, 0);
}

/* From _start: the stack holds argc, then argv's pointers. */
void reaper_start(long *stack)
{
        int rc = main((int)stack[0], (char **)(stack + 1));

        for (;;)
                raw_syscall(SYS_exit_group, rc, 0, 0, 0, 0, 0);
}

/* The entry point: the ABI wants a 16-byte aligned stack at calls. */
__asm__(".text\n"
        ".global _start\n"
        ".type _start, @function\n"
        "_start:\n"
        "        xor %ebp, %ebp\n"
        "        mov %rsp, %rdi\n"
        "        and $-16, %rsp\n"
        "        call reaper_start\n"
        "        hlt\n");
