#!/usr/bin/env bash
# Installs the real third-party API clients the end-to-end tests run against
# the server (today: npm's piston-client, for tests/e2e/test_piston.py),
# pinned by tests/clients/<name>/package-lock.json, into
# tests/clients/<name>/node_modules. They run outside the sandbox, as the
# tests do, so the work tree is their place.
#
# Idempotent and quiet: the SHA-256 of package.json + package-lock.json is
# stamped in node_modules; when it matches, nothing is run. Without npm it
# says so and succeeds: the tests that need a client skip with the reason.
# Called by `scripts/setup.sh all` (so by `make test`).
set -euo pipefail
cd "$(dirname "$0")/.."

for dir in tests/clients/*/; do
  dir=${dir%/}
  [ -f "$dir/package-lock.json" ] || continue
  want=$(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -d' ' -f1)
  stamp=$dir/node_modules/.codeexec-lock-sha256
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    continue
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "setup: npm missing; skipping the test client in $dir" >&2
    continue
  fi
  echo "setup: installing the test client in $dir"
  # npm ci installs exactly the lockfile (and removes a stale node_modules
  # first); no lifecycle scripts, and a private cache so ~/.npm is untouched.
  cache=$(mktemp -d)
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
     --cache "$cache" >/dev/null) || { rm -rf "$cache"; exit 1; }
  rm -rf "$cache"
  echo "$want" > "$stamp"
done
