/* mounts: the box's file system, built by PID 1 in its own mount namespace.
 *
 * Theory of operation. Mount propagation to the host is cut first (/ made
 * recursively private). A small tmpfs at SBX_STAGE_DIR becomes the new root:
 * it receives read-only bind mounts of /usr and /etc (with secrets hidden
 * under empty mounts), the merged-usr links /bin /sbin /lib*, a minimal /dev
 * (host null, zero, full, random, urandom bound onto empty files, a private
 * /dev/shm tmpfs), /proc of the box's PID namespace, a fresh size-limited
 * tmpfs at /tmp owned by the box user (both sized by harden.c, which
 * mounts a warm run's too), and the recipe's extra read-only
 * binds. Then pivot_root(".", ".") swaps roots and the old root is detached,
 * so no path leads back to the host. Nothing of the server's directories,
 * /root, /home or other boxes is ever mounted. A warm Python zygote's box
 * gets no /tmp and /dev/shm mounts, only their directories: each run mounts
 * its own there, and with nothing to unmount first it never waits for the
 * RCU grace period an unmount costs (zygote/zyrun.c run_box). A judge
 * zygote's box gets /tmp like a cold box's (its template, which it
 * unmounts itself once archived, zygote/execzygote.c). */
#define _GNU_SOURCE
#include "sandbox-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../util/cleanup.h"

/* Host paths under /etc that a box must never read. */
static const char *const hidden_files[] = {"etc/shadow",   "etc/gshadow", "etc/shadow-",
                                           "etc/gshadow-", "etc/sudoers", NULL};
static const char *const hidden_dirs[] = {"etc/ssh", "etc/ssl/private", "etc/sudoers.d", NULL};
static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom", NULL};
static const char *const top_links[] = {"bin", "sbin", "lib", "lib32", "lib64", "libx32", NULL};

static const char passwd_text[] = "root:x:0:0:root:/root:/usr/sbin/nologin\n"
                                  "runner:x:1000:1000:runner:/tmp:/bin/sh\n"
                                  "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
static const char group_text[] = "root:x:0:\nrunner:x:1000:\nnogroup:x:65534:\n";

/* Flags a remount inside a user namespace must keep (they are locked). */
static unsigned long locked_flags(const char *path)
{
        struct statvfs sv;
        unsigned long f = 0;

        if (statvfs(path, &sv) < 0)
                return 0;
        if (sv.f_flag & ST_NOSUID)
                f |= MS_NOSUID;
        if (sv.f_flag & ST_NODEV)
                f |= MS_NODEV;
        if (sv.f_flag & ST_NOEXEC)
                f |= MS_NOEXEC;
        if (sv.f_flag & ST_NOATIME)
                f |= MS_NOATIME;
        if (sv.f_flag & ST_NODIRATIME)
                f |= MS_NODIRATIME;
        if (sv.f_flag & ST_RELATIME)
                f |= MS_RELATIME;
        return f;
}

static int bind_ro(const char *src, const char *dst, struct err *e)
{
        if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0)
                return err_set(e, errno, "bind %s", src);
        if (mount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | locked_flags(dst),
                  NULL) < 0)
                return err_set(e, errno, "read-only %s", src);
        return 0;
}

static int make_file(const char *path, const char *text, mode_t mode)
{
        _cleanup_close_ int fd =
            open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        size_t n = text ? strlen(text) : 0;

        if (fd < 0)
                return -1;
        if (n && write(fd, text, n) != (ssize_t)n)
                return -1;
        return 0;
}

/* mkdir -p of a relative path inside the stage. */
static int mkdirs(const char *rel)
{
        char p[PATH_MAX];

        snprintf(p, sizeof(p), "%s", rel);
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = '\0';
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        return -1;
                *s = '/';
        }
        return mkdir(p, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

static int mount_etc(struct err *e)
{
        if (mkdir("etc", 0755) < 0)
                return err_set(e, errno, "mkdir etc");
        if (bind_ro("/etc", "etc", e) < 0)
                return -1;
        for (int i = 0; hidden_files[i]; i++) {
                struct stat st;
                if (lstat(hidden_files[i], &st) == 0 && S_ISREG(st.st_mode) &&
                    mount("/dev/null", hidden_files[i], NULL, MS_BIND, NULL) < 0)
                        return err_set(e, errno, "hide %s", hidden_files[i]);
        }
        for (int i = 0; hidden_dirs[i]; i++) {
                struct stat st;
                if (lstat(hidden_dirs[i], &st) == 0 && S_ISDIR(st.st_mode) &&
                    mount("tmpfs", hidden_dirs[i], "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV,
                          "size=4k,mode=0755") < 0)
                        return err_set(e, errno, "hide %s", hidden_dirs[i]);
        }
        /* The box user's own passwd and group. */
        if (mkdir(".codeexec", 0755) < 0 || make_file(".codeexec/passwd", passwd_text, 0644) < 0 ||
            make_file(".codeexec/group", group_text, 0644) < 0)
                return err_set(e, errno, "passwd");
        /* Read-only: the files belong to the box user, who must not edit them. */
        if (bind_ro(".codeexec/passwd", "etc/passwd", e) < 0 ||
            bind_ro(".codeexec/group", "etc/group", e) < 0)
                return err_wrap(e, "passwd");
        return 0;
}

static int mount_dev(const struct sbx_spec *spec, struct err *e)
{
        if (mkdir("dev", 0755) < 0 || mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_NOEXEC,
                                            "size=64k,nr_inodes=64,mode=0755") < 0)
                return err_set(e, errno, "dev tmpfs");
        for (int i = 0; dev_nodes[i]; i++) {
                char src[64], dst[64];
                snprintf(src, sizeof(src), "/dev/%s", dev_nodes[i]);
                snprintf(dst, sizeof(dst), "dev/%s", dev_nodes[i]);
                if (make_file(dst, NULL, 0666) < 0 || mount(src, dst, NULL, MS_BIND, NULL) < 0)
                        return err_set(e, errno, "bind %s", src);
        }
        if (symlink("/proc/self/fd", "dev/fd") < 0 || symlink("/proc/self/fd/0", "dev/stdin") < 0 ||
            symlink("/proc/self/fd/1", "dev/stdout") < 0 ||
            symlink("/proc/self/fd/2", "dev/stderr") < 0)
                return err_set(e, errno, "dev links");
        if (mkdir("dev/shm", 01777) < 0)
                return err_set(e, errno, "dev/shm");
        if (!spec->zygote && harden_mount_shm("dev/shm", spec->limits.tmpfs_bytes, e) < 0)
                return -1;
        return 0;
}

/* Overlays on /tmp: lower = the host's warm cache (read-only), upper and
 * work = directories on the box's own /tmp, so writes never leave the box.
 * userxattr lets overlayfs keep its whiteouts in user.* xattrs, which is
 * what it may do inside a user namespace. */
static int mount_overlays(const struct sbx_spec *spec, struct err *e)
{
        for (size_t i = 0; i < spec->noverlays; i++) {
                const struct sbx_overlay *o = &spec->overlays[i];
                char upper[64], work[64], opts[PATH_MAX + 160];
                struct stat st;

                if (stat(o->lower, &st) < 0 || !S_ISDIR(st.st_mode))
                        continue; /* no warm cache: the target starts empty */
                if (strncmp(o->target, "/tmp/", 5) != 0 || strstr(o->target, ".."))
                        return err_set(e, EINVAL, "overlay target %s is not under /tmp", o->target);
                snprintf(upper, sizeof(upper), "tmp/" SBX_OVERLAY_DIR "/%zu/upper", i);
                snprintf(work, sizeof(work), "tmp/" SBX_OVERLAY_DIR "/%zu/work", i);
                if (mkdirs(upper) < 0 || mkdirs(work) < 0 || mkdirs(o->target + 1) < 0)
                        return err_set(e, errno, "overlay dirs for %s", o->target);
                snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s/%s,workdir=%s/%s,userxattr",
                         o->lower, SBX_STAGE_DIR, upper, SBX_STAGE_DIR, work);
                if (mount("overlay", o->target + 1, "overlay", MS_NOSUID | MS_NODEV, opts) < 0)
                        return err_set(e, errno, "overlay %s on %s", o->lower, o->target);
        }
        return 0;
}

static int mount_binds(const struct sbx_spec *spec, struct err *e)
{
        if (!spec->binds)
                return 0;
        for (size_t i = 0; spec->binds[i]; i++) {
                const char *src = spec->binds[i];
                struct stat st;

                if (src[0] != '/' || stat(src, &st) < 0)
                        continue; /* a missing optional path */
                if (S_ISDIR(st.st_mode)) {
                        if (mkdirs(src + 1) < 0)
                                return err_set(e, errno, "mkdir for bind %s", src);
                } else {
                        char parent[PATH_MAX];
                        snprintf(parent, sizeof(parent), "%s", src + 1);
                        if (strrchr(parent, '/')) {
                                *strrchr(parent, '/') = '\0';
                                if (mkdirs(parent) < 0)
                                        return err_set(e, errno, "mkdir for bind %s", src);
                        }
                        if (make_file(src + 1, NULL, 0644) < 0 && errno != EEXIST)
                                return err_set(e, errno, "file for bind %s", src);
                }
                if (bind_ro(src, src + 1, e) < 0)
                        return -1;
        }
        return 0;
}

int sbx_mount_root(const struct sbx_spec *spec, struct err *e)
{
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return err_set(e, errno, "make / private");
        if (mount("tmpfs", SBX_STAGE_DIR, "tmpfs", MS_NOSUID | MS_NODEV,
                  "size=1m,nr_inodes=4096,mode=0755") < 0)
                return err_set(e, errno, "root tmpfs");
        if (chdir(SBX_STAGE_DIR) < 0)
                return err_set(e, errno, "chdir stage");
        if (mkdir("usr", 0755) < 0)
                return err_set(e, errno, "mkdir usr");
        if (bind_ro("/usr", "usr", e) < 0)
                return -1;
        for (int i = 0; top_links[i]; i++) {
                char host[64], target[PATH_MAX];
                struct stat st;
                ssize_t n;

                snprintf(host, sizeof(host), "/%s", top_links[i]);
                if (lstat(host, &st) < 0)
                        continue;
                if (S_ISLNK(st.st_mode)) {
                        n = readlink(host, target, sizeof(target) - 1);
                        if (n < 0)
                                return err_set(e, errno, "readlink %s", host);
                        target[n] = '\0';
                        if (symlink(target, top_links[i]) < 0)
                                return err_set(e, errno, "symlink %s", host);
                } else if (S_ISDIR(st.st_mode)) {
                        if (mkdir(top_links[i], 0755) < 0 || bind_ro(host, top_links[i], e) < 0)
                                return -1;
                }
        }
        if (mount_etc(e) < 0 || mount_dev(spec, e) < 0)
                return -1;
        if (mkdir("proc", 0555) < 0 ||
            mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                return err_set(e, errno, "proc");
        if (mkdir("tmp", 0755) < 0)
                return err_set(e, errno, "tmp");
        if ((!spec->zygote || spec->zygote_tmp) &&
            harden_mount_tmp("tmp", spec->limits.tmpfs_bytes, e) < 0)
                return -1;
        if (mkdirs("var") < 0 || symlink("/tmp", "var/tmp") < 0)
                return err_set(e, errno, "var/tmp");
        if (spec->mnt_in_tmp && symlink("/tmp/" SBX_MNT_DIR, "mnt") < 0)
                return err_set(e, errno, "mnt");
        if (mount_binds(spec, e) < 0 || mount_overlays(spec, e) < 0)
                return -1;
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return err_set(e, errno, "pivot_root");
        if (umount2(".", MNT_DETACH) < 0)
                return err_set(e, errno, "detach old root");
        if (chdir("/") < 0)
                return err_set(e, errno, "chdir /");
        return 0;
}

int sbx_seal_root(struct err *e)
{
        if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) <
            0)
                return err_set(e, errno, "read-only root");
        /* /dev too (its device binds and /dev/shm are mounts of their own and
         * stay writable): a program has no business creating files there. */
        if (mount(NULL, "/dev", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC,
                  NULL) < 0)
                return err_set(e, errno, "read-only /dev");
        return 0;
}
