/* scm: records with file descriptors attached (see scm.h). */
#define _GNU_SOURCE
#include "scm.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

union scm_control {
        char buf[CMSG_SPACE(sizeof(int) * SCM_MAX_FDS)];
        struct cmsghdr align;
};

ssize_t scm_send(int sock, const void *buf, size_t len, const int *fds, size_t nfds, int flags)
{
        struct iovec iov = {(void *)buf, len};
        union scm_control u;
        struct msghdr mh;

        memset(&mh, 0, sizeof(mh));
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        if (nfds > 0 && nfds <= SCM_MAX_FDS) {
                struct cmsghdr *c;
                memset(&u, 0, sizeof(u));
                mh.msg_control = u.buf;
                mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
                c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
                memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
        }
        return sendmsg(sock, &mh, flags);
}

ssize_t scm_recv(int sock, void *buf, size_t len, int *fds, size_t maxfds, size_t *nfds,
                 int *msg_flags)
{
        struct iovec iov = {buf, len};
        union scm_control u;
        struct msghdr mh;
        ssize_t n;

        *nfds = 0;
        memset(&mh, 0, sizeof(mh));
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = u.buf;
        mh.msg_controllen = sizeof(u.buf);
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        *msg_flags = n >= 0 ? mh.msg_flags : 0;
        for (struct cmsghdr *c = n >= 0 ? CMSG_FIRSTHDR(&mh) : NULL; c; c = CMSG_NXTHDR(&mh, c)) {
                size_t got;
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                got = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < got; i++) {
                        int fd;
                        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                        if (*nfds < maxfds)
                                fds[(*nfds)++] = fd;
                        else
                                close(fd);
                }
        }
        return n;
}
