/* procmaps: whether a process still runs code that is gone from disk.
 *
 * A package upgrade replaces an executable or a library by renaming a new
 * file over it; a process that mapped the old one keeps it, and the
 * kernel marks its line of /proc/<pid>/maps " (deleted)". A warm zygote in
 * that state would give its runs the old toolchain while cold runs get the
 * new one (exec/warmpool.c restarts it). */
#ifndef CODEEXEC_PROCMAPS_H
#define CODEEXEC_PROCMAPS_H

#include <stddef.h>
#include <sys/types.h>

/* The first file mapped in `maps` (the text of a /proc/<pid>/maps) that
 * was deleted or replaced since it was mapped, other than the file
 * (own_dev, own_ino) and other than what is not an installed file
 * (memfds, shared anonymous memory, System V and POSIX shared memory,
 * files in /tmp): 1 with its path in what (cut to n bytes), else 0. */
int procmaps_replaced_text(const char *maps, dev_t own_dev, ino_t own_ino, char *what, size_t n);

/* The same for process pid, reading its maps: 1, 0, or -1 with errno
 * (the process is gone, or the maps are not readable). */
int procmaps_replaced(pid_t pid, dev_t own_dev, ino_t own_ino, char *what, size_t n);

#endif
