/* cg2vm-xstate: an LD_PRELOAD shim for linux.uml (User-mode Linux 6.1) on
 * hosts whose XSAVE area is larger than UML's (AVX-512, AMX: about 11 KB
 * instead of UML's 832 bytes).
 *
 * UML saves and restores a guest thread's FPU state with
 * ptrace(PTRACE_{GET,SET}REGSET, NT_X86_XSTATE) on an 832-byte buffer
 * (legacy area, XSAVE header, AVX upper halves). GETREGSET of a short
 * buffer works, but the host kernel accepts SETREGSET only with exactly its
 * own XSAVE size and answers EFAULT otherwise, so the guest's init dies on
 * its first context switch ("ptrace set fp regs failed, errno = 14").
 *
 * This shim turns such a SETREGSET into: read the host's whole XSAVE area
 * of that process, lay UML's bytes over its start, keep the host's
 * components beyond UML's size (their xstate_bv bits too), and write the
 * whole area back. Everything else goes to glibc's ptrace() unchanged.
 *
 * What it does not give: the components beyond UML's buffer (AVX-512's
 * upper registers and mask registers) are not switched between threads of
 * one guest process, as UML does not know them. The guest runs glibc
 * without AVX-512 for that reason (scripts/cg2vm sets GLIBC_TUNABLES). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>

#define XSAVE_HDR_OFF 512 /* xstate_bv, then xcomp_bv (0: standard format) */
#define YMM_END 832       /* legacy 512 + header 64 + AVX upper halves 256 */

typedef long (*ptrace_fn)(enum __ptrace_request, ...);

/* UML's kernel runs on small stacks: the whole area is static (UML calls
 * ptrace from one host thread per process). */
static unsigned char full[65536] __attribute__((aligned(64)));

static long set_xstate(ptrace_fn real, pid_t pid, struct iovec *iov)
{
        struct iovec whole = {full, sizeof(full)};
        uint64_t host_bv, uml_bv, low;

        if (!iov || iov->iov_len < XSAVE_HDR_OFF + 16 ||
            real(PTRACE_GETREGSET, pid, (void *)NT_X86_XSTATE, &whole) < 0 ||
            whole.iov_len <= iov->iov_len)
                return real(PTRACE_SETREGSET, pid, (void *)NT_X86_XSTATE, iov);
        memcpy(&host_bv, full + XSAVE_HDR_OFF, sizeof(host_bv));
        memcpy(full, iov->iov_base, iov->iov_len);
        memcpy(&uml_bv, full + XSAVE_HDR_OFF, sizeof(uml_bv));
        /* x87, SSE and (if UML's buffer holds them) AVX are UML's; the rest
         * stays the host's. */
        low = iov->iov_len >= YMM_END ? 0x7 : 0x3;
        uml_bv = (uml_bv & low) | (host_bv & ~low);
        memcpy(full + XSAVE_HDR_OFF, &uml_bv, sizeof(uml_bv));
        memset(full + XSAVE_HDR_OFF + 8, 0, 8);
        return real(PTRACE_SETREGSET, pid, (void *)NT_X86_XSTATE, &whole);
}

long ptrace(enum __ptrace_request req, ...)
{
        static ptrace_fn real;
        va_list ap;
        pid_t pid;
        void *addr, *data;

        va_start(ap, req);
        pid = va_arg(ap, pid_t);
        addr = va_arg(ap, void *);
        data = va_arg(ap, void *);
        va_end(ap);
        if (!real)
                real = (ptrace_fn)dlsym(RTLD_NEXT, "ptrace");
        if (req == PTRACE_SETREGSET && (uintptr_t)addr == NT_X86_XSTATE)
                return set_xstate(real, pid, data);
        return real(req, pid, addr, data);
}
