/* Unit tests: finding a mapped file replaced on disk in /proc/<pid>/maps. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/procmaps.h"

#define LIBZ                                                                                       \
        "7f1a2b000000-7f1a2b002000 r--p 00000000 08:01 1311 "                                      \
        "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13"
#define ANON "7f1a2c000000-7f1a2c021000 rw-p 00000000 00:00 0 "

Test(procmaps, a_clean_process_has_nothing_replaced)
{
        char what[256] = "";
        const char *maps =
            "55d0e1a00000-55d0e1a01000 r--p 00000000 08:01 977 /usr/bin/php8.2\n" LIBZ "\n" ANON
            "\n7ffd1c000000-7ffd1c021000 rw-p 00000000 00:00 0 "
            "[stack]\n";

        cr_assert_eq(procmaps_replaced_text(maps, makedev(8, 1), 1, what, sizeof(what)), 0);
        cr_assert_eq(procmaps_replaced_text("", makedev(8, 1), 1, what, sizeof(what)), 0);
}

Test(procmaps, a_replaced_library_is_found_with_its_path)
{
        char what[256] = "";
        const char *maps = ANON "\n" LIBZ " (deleted)\n" LIBZ "\n";

        cr_assert_eq(procmaps_replaced_text(maps, makedev(8, 1), 2, what, sizeof(what)), 1);
        cr_assert_str_eq(what, "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13");
}

Test(procmaps, paths_with_spaces_and_a_last_line_without_newline)
{
        char what[256] = "";
        const char *maps = ANON "\n7f00-7f01 r-xp 00001000 fd:00 42          /opt/my tool/lib x.so "
                                "(deleted)";

        cr_assert_eq(procmaps_replaced_text(maps, makedev(8, 1), 2, what, sizeof(what)), 1);
        cr_assert_str_eq(what, "/opt/my tool/lib x.so");
}

Test(procmaps, the_callers_own_file_and_nameless_memory_do_not_count)
{
        char what[256] = "";
        const char *maps = "7f00-7f01 r-xp 00000000 08:01 555 /work/build/codeexec-phpzygote.so "
                           "(deleted)\n"
                           "7f02-7f03 rw-s 00000000 00:01 7 /memfd:codeexec-spec (deleted)\n"
                           "7f04-7f05 rw-s 00000000 00:01 8 /dev/zero (deleted)\n"
                           "7f06-7f07 rw-s 00000000 00:01 9 /SYSV00000000 (deleted)\n"
                           "7f0a-7f0b rw-s 00000000 00:01 10 /dev/shm/arena (deleted)\n"
                           "7f0c-7f0d r--p 00000000 00:01 11 /tmp/scratch (deleted)\n"
                           "7f08-7f09 rw-p 00000000 00:00 0 /nothing (deleted)\n";

        cr_assert_eq(procmaps_replaced_text(maps, makedev(8, 1), 555, what, sizeof(what)), 0);
        /* another file on another device with the same inode number counts */
        cr_assert_eq(procmaps_replaced_text(maps, makedev(8, 2), 555, what, sizeof(what)), 1);
        cr_assert_str_eq(what, "/work/build/codeexec-phpzygote.so");
}

Test(procmaps, what_is_cut_to_its_size)
{
        char what[8] = "";

        cr_assert_eq(procmaps_replaced_text(LIBZ " (deleted)\n", 0, 0, what, sizeof(what)), 1);
        cr_assert_str_eq(what, "/usr/li");
}

/* This process, for real: a file it maps, then removes, reads "deleted"
 * (in /var/tmp: files in /tmp do not count, and Criterion's own arena in
 * /dev/shm is mapped and removed too). */
Test(procmaps, a_live_process_mapping_a_removed_file)
{
        char path[] = "/var/tmp/codeexec-procmaps-XXXXXX", what[256] = "";
        struct stat st;
        int fd = mkstemp(path);
        void *p;

        cr_assert(fd >= 0);
        cr_assert_eq(write(fd, "x", 1), 1);
        p = mmap(NULL, 1, PROT_READ, MAP_PRIVATE, fd, 0);
        cr_assert(p != MAP_FAILED);
        cr_assert_eq(fstat(fd, &st), 0);
        close(fd);
        cr_assert_eq(procmaps_replaced(getpid(), 0, 0, what, sizeof(what)), 0, "%s", what);
        cr_assert_eq(unlink(path), 0);
        cr_assert_eq(procmaps_replaced(getpid(), 0, 0, what, sizeof(what)), 1);
        cr_assert_str_eq(what, path);
        /* unless it is the caller's own */
        cr_assert_eq(procmaps_replaced(getpid(), st.st_dev, st.st_ino, what, sizeof(what)), 0);
        munmap(p, 1);
        cr_assert_eq(procmaps_replaced(-1, 0, 0, what, sizeof(what)), -1);
}
