#!/bin/sh
# Container entrypoint: make the container's cgroup writable, then exec the
# server as PID 1 (so it is the only process in the container's cgroup and
# gets SIGTERM from `docker stop` for a graceful drain). See docs/operations.md.
#
# Arguments are passed to build/codeexec after the defaults below; a later
# flag overrides an earlier one (e.g. `docker run ... codeexec --port 9000`).
set -eu

BIN=/opt/codeexec/build/codeexec
CG=/sys/fs/cgroup

log() { echo "codeexec-entrypoint: $*" >&2; }

# Docker and most Kubernetes runtimes mount the cgroup file system read-only
# in unprivileged containers. With CAP_SYS_ADMIN (and no AppArmor profile
# denying mount) we may remount it read-write in our own mount namespace;
# with a private cgroup namespace this exposes only the container's subtree.
cg_writable() { [ -w "$1" ]; }
if [ -f "$CG/cgroup.controllers" ]; then
    mounts="$CG"                                   # cgroup v2 (unified)
else
    mounts="$CG/memory $CG/pids $CG/cpuacct"       # cgroup v1: the hierarchies the server uses
fi
for m in $mounts; do
    [ -d "$m" ] || continue
    if ! cg_writable "$m"; then
        if mount -o remount,rw "$m" 2>/dev/null; then
            log "remounted $m read-write"
        else
            log "warning: $m is read-only and cannot be remounted (needs CAP_SYS_ADMIN," \
                "AppArmor unconfined): run limits fall back to rlimits"
        fi
    fi
done

# Without a private cgroup namespace (--cgroupns=private) the mount shows the
# host's whole tree, and remounting it read-write would let this container
# write to all of it: use a private cgroup namespace.

case "${1:-}" in
    ""|-*) exec "$BIN" --ip 0.0.0.0 --port 8000 "$@" ;;
    *) exec "$@" ;;   # any other command (a shell for debugging, the test suite, ...)
esac
