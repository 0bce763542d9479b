/* Unit tests: finding the server's own cgroup in /proc/self/cgroup text
 * (cg_parse_own_path). The v2 case once never matched, so cgroup v2 was
 * never used on any host: these inputs are what real hosts show. */
#include <criterion/criterion.h>

#include "sandbox/cgroup.h"

static const char v1_only[] = "12:pids:/user.slice/user-1000.slice\n"
                              "11:cpu,cpuacct:/user.slice\n"
                              "10:memory:/user.slice/user-1000.slice/session-2.scope\n"
                              "1:name=systemd:/user.slice/user-1000.slice/session-2.scope\n";

/* This development machine: v1 controllers plus an empty v2 ("unified"). */
static const char hybrid[] = "9:name=systemd:/\n"
                             "8:pids:/\n"
                             "4:memory:/process_api/e096189807a329af46e2f4349e25485e\n"
                             "2:cpuacct:/\n"
                             "1:cpu:/\n"
                             "0::/\n";

static void expect(const char *text, const char *controller, const char *want)
{
        char out[256] = "unchanged";
        int rc = cg_parse_own_path(text, controller, out, sizeof(out));

        if (!want) {
                cr_assert_eq(rc, -1, "controller %s: found '%s', want none",
                             controller ? controller : "(v2)", out);
                return;
        }
        cr_assert_eq(rc, 0, "controller %s: not found, want '%s'", controller ? controller : "(v2)",
                     want);
        cr_assert_str_eq(out, want);
}

Test(cgroup_path, v2_only_root)
{
        expect("0::/\n", NULL, "/");
        expect("0::/", NULL, "/"); /* no final newline */
        expect("0::/\n", "memory", NULL);
}

Test(cgroup_path, v2_only_delegated_service)
{
        expect("0::/system.slice/codeexec.service\n", NULL, "/system.slice/codeexec.service");
        expect("0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-ab.scope\n", NULL,
               "/kubepods.slice/kubepods-pod1.slice/cri-containerd-ab.scope");
}

Test(cgroup_path, v2_path_may_hold_colons)
{
        expect("0::/a:b/c::d\n", NULL, "/a:b/c::d");
}

Test(cgroup_path, v1_only)
{
        expect(v1_only, NULL, NULL);
        expect(v1_only, "memory", "/user.slice/user-1000.slice/session-2.scope");
        expect(v1_only, "pids", "/user.slice/user-1000.slice");
        expect(v1_only, "cpuacct", "/user.slice"); /* in a comma-separated list */
        expect(v1_only, "cpu", "/user.slice");
        expect(v1_only, "systemd", NULL); /* "name=systemd" is not a controller */
        expect(v1_only, "cpuset", NULL);
}

Test(cgroup_path, hybrid)
{
        expect(hybrid, NULL, "/");
        expect(hybrid, "memory", "/process_api/e096189807a329af46e2f4349e25485e");
        expect(hybrid, "pids", "/");
}

Test(cgroup_path, controller_names_match_whole)
{
        expect("3:cpuacct:/x\n", "cpu", NULL);
        expect("3:cpu:/x\n", "cpuacct", NULL);
        expect("5:memory:/x\n", "mem", NULL);
}

Test(cgroup_path, malformed_and_too_long)
{
        char small[4];

        expect("", NULL, NULL);
        expect("garbage\n", NULL, NULL);
        expect("0:/\n", NULL, NULL);    /* one colon only */
        expect("00::/x\n", NULL, NULL); /* hierarchy id is not 0 */
        expect("1::/x\n", NULL, NULL);  /* not the v2 line */
        expect("0::\n", NULL, NULL);    /* empty path */
        expect("0::relative\n", NULL, NULL);
        cr_assert_eq(cg_parse_own_path("0::/abcd\n", NULL, small, sizeof(small)), -1);
        cr_assert_eq(cg_parse_own_path("0::/ab\n", NULL, small, sizeof(small)), 0);
        cr_assert_str_eq(small, "/ab");
}

static void expect_in_mount(const char *own, const char *root, const char *want)
{
        char out[256] = "unchanged";
        int rc = cg_path_in_mount(own, root, out, sizeof(out));

        if (!want) {
                cr_assert_eq(rc, -1, "'%s' under mount of '%s': got '%s', want none", own, root,
                             out);
                return;
        }
        cr_assert_eq(rc, 0, "'%s' under mount of '%s': none, want '%s'", own, root, want);
        cr_assert_str_eq(out, want);
}

/* The mount's own top (mountinfo's root field) is "/" on a host and in a
 * container with its own cgroup namespace, a subtree when the runtime
 * bind-mounts one (LXC, systemd-nspawn, Docker on cgroup v1). */
Test(cgroup_path, relative_to_the_mount)
{
        expect_in_mount("/", "/", "/");
        expect_in_mount("/system.slice/codeexec.service", "/", "/system.slice/codeexec.service");
        expect_in_mount("/docker/abc", "/docker/abc", "/");
        expect_in_mount("/docker/abc/svc", "/docker/abc", "/svc");
        expect_in_mount("/docker/abc/svc", "/docker/abc/", "/svc");
        expect_in_mount("/docker/abcd", "/docker/abc", NULL); /* a sibling, not beneath */
        expect_in_mount("/other", "/docker/abc", NULL);
        expect_in_mount("/../../user.slice", "/", NULL); /* outside its cgroup namespace */
        expect_in_mount("relative", "/", NULL);
}
