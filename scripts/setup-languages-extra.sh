#!/usr/bin/env bash
# Installs the toolchains that come from the npm registry rather than Debian
# (today: the TypeScript compiler used by languages/ts.json), pinned by
# languages/npm/package-lock.json, into /usr/local/lib/codeexec/npm — under
# /usr because the sandbox sees /usr but not /root, /opt or the work tree.
#
# Idempotent and quiet: the SHA-256 of package.json + package-lock.json is
# stamped next to the install; when it matches, nothing is run. Called by
# `scripts/setup.sh languages`; CODEEXEC_NPM_PREFIX overrides the target (tests).
set -euo pipefail
cd "$(dirname "$0")/.."

src=languages/npm
dest=${CODEEXEC_NPM_PREFIX:-/usr/local/lib/codeexec/npm}
stamp=$dest/.codeexec-lock-sha256

want=$(cat "$src/package.json" "$src/package-lock.json" | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$dest/node_modules" ]; then
  exit 0
fi

if ! command -v npm >/dev/null 2>&1 || [ ! -x /usr/bin/node ]; then
  # Not fatal: the recipes that need these tools report "not installed".
  echo "setup: npm or /usr/bin/node missing; skipping npm toolchains (TypeScript)" >&2
  exit 0
fi

echo "setup: installing npm toolchains into $dest"
umask 022
parent=$(dirname "$dest")
mkdir -p "$parent"
stage=$(mktemp -d "$parent/.npm-stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
cp "$src/package.json" "$src/package-lock.json" "$stage/"
# npm ci installs exactly the lockfile; no lifecycle scripts, no audit/fund
# chatter, and a private cache so root's ~/.npm is not touched.
(cd "$stage" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
   --cache "$stage/.npm-cache" >/dev/null)
rm -rf "$stage/.npm-cache"
echo "$want" > "$stage/.codeexec-lock-sha256"
chmod -R a+rX "$stage"
# Swap the finished tree in, so a half-done install is never in place.
if [ -e "$dest" ]; then
  old="$parent/.npm-old.$$"
  mv "$dest" "$old"
  mv "$stage" "$dest"
  rm -rf "$old"
else
  mv "$stage" "$dest"
fi
trap - EXIT
