#!/usr/bin/env bash
# Installs what codeexec needs on Debian 12, idempotently and quietly.
#
#   scripts/setup.sh core        build + test dependencies of the server itself
#                                (clang-tidy: `make lint`; user-mode-linux:
#                                the cgroup v2 kernel of `make test-cgroup2`)
#   scripts/setup.sh languages   the language toolchains Debian packages (24 of 29)
#   scripts/setup.sh all         both, and the real API clients the tests
#                                run (scripts/setup-test-clients.sh)
#   scripts/setup.sh browser     Debian's chromium, which the web console's
#                                browser tests drive (`make test`)
#   scripts/setup.sh bench       what `make bench` needs besides the server
#                                (gnuplot for the plots, numpy and pandas for
#                                the bare-python3 baselines)
#
# Packages already present are skipped without touching apt, so a second run
# costs a few dpkg-query calls. Nothing is downloaded from outside Debian's
# archive and the npm registry (TypeScript, pinned by languages/npm/package-lock.json;
# the test clients, pinned by tests/clients/*/package-lock.json; the web
# console's build, pinned by web/package-lock.json and installed by
# scripts/build-web when make runs).
set -euo pipefail
cd "$(dirname "$0")/.."

CORE_PKGS=(
  build-essential pkg-config clang libclang-rt-14-dev clang-tidy
  libevent-dev libjansson-dev libseccomp-dev libcriterion-dev zlib1g-dev
  python3 python3-dev python3-pytest python3-requests python3-numpy python3-pandas
  python3-coverage python3-tqdm haproxy
  user-mode-linux
)

BENCH_PKGS=(python3 python3-numpy python3-pandas gnuplot-nox)

LANG_PKGS=(
  clojure g++ mono-mcs mono-runtime libmono-system-numerics4.0-cil
  dafny ldc elixir golang-go ghc default-jdk-headless libjavatuples-java
  lua5.4 lua-unit octave ocaml-nox php-cli perl libtest-deep-perl racket liblz4-dev
  r-base-core ruby ruby-test-unit rustc lld scala coq nodejs
)

missing() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
  done
}

apt_install() {
  local todo
  mapfile -t todo < <(missing "$@")
  [ ${#todo[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing packages: ${todo[*]} (run as root, or install them)" >&2
    exit 1
  fi
  echo "setup: installing ${todo[*]}"
  # The package lists may be absent on a fresh machine; refresh once per run.
  if [ -z "${CODEEXEC_APT_UPDATED:-}" ]; then
    apt-get update -qq
    export CODEEXEC_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=1200 --no-install-recommends "${todo[@]}" >/dev/null
}

# Debian's OpenBLAS (pthreads), for the warm-zygote thread test only
# (tests/e2e/test_warm_zygotes.py points one server at it through
# LD_LIBRARY_PATH). Installing it would also make it the system's
# libblas.so.3 and liblapack.so.3 (alternatives, priority 100 against the
# reference BLAS's 10): the choice that was there before stays.
BLAS_ALTS=(libblas.so.3-x86_64-linux-gnu liblapack.so.3-x86_64-linux-gnu)

setup_openblas() {
  [ -z "$(missing libopenblas0-pthread)" ] && return 0
  local alt before=()
  for alt in "${BLAS_ALTS[@]}"; do
    before+=("$(update-alternatives --query "$alt" 2>/dev/null | sed -n 's/^Value: //p')")
  done
  apt_install libopenblas0-pthread
  for i in "${!BLAS_ALTS[@]}"; do
    [ -n "${before[$i]}" ] && update-alternatives --quiet --set "${BLAS_ALTS[$i]}" "${before[$i]}"
  done
  return 0
}

setup_core() { apt_install "${CORE_PKGS[@]}"; setup_openblas; }

setup_languages() {
  apt_install "${LANG_PKGS[@]}"
  # npm: Debian's package, unless the installed nodejs already bundles one
  # (NodeSource's does, and conflicts with Debian's npm).
  command -v npm >/dev/null || apt_install npm
  if [ -x scripts/setup-languages-extra.sh ]; then scripts/setup-languages-extra.sh; fi
  scripts/warm-caches.sh
}

case "${1:-all}" in
  core) setup_core ;;
  languages) setup_languages ;;
  all) setup_core; setup_languages; scripts/setup-test-clients.sh ;;
  bench) apt_install "${BENCH_PKGS[@]}" ;;
  browser) apt_install chromium ;;
  *) echo "usage: $0 [core|languages|all|browser|bench]" >&2; exit 2 ;;
esac
