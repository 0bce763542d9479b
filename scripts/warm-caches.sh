#!/usr/bin/env bash
# Prepares the read-only warm caches that recipes mount as overlays
# (languages/*.json "overlays"), by running each toolchain once on a program
# of our own. Runs are then copy-on-write views of these: nothing a user
# program does can change them. Idempotent: a cache is rebuilt only when the
# toolchain's version changed.
set -euo pipefail
CACHE_ROOT=/var/cache/codeexec

warm_go() {
  command -v /usr/bin/go >/dev/null || return 0
  local dir=$CACHE_ROOT/go-build stamp=$CACHE_ROOT/go-build.version version
  version=$(/usr/bin/go version)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ]; then return 0; fi
  echo "setup: warming the Go build cache ($version)"
  rm -rf "$dir" && mkdir -p "$dir"
  local work; work=$(mktemp -d)
  cat > "$work/main_test.go" <<'GO'
package main_test

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
)

func TestWarm(t *testing.T) {
	s := []int{3, 1, 2}
	sort.Ints(s)
	if !reflect.DeepEqual(s, []int{1, 2, 3}) || math.Abs(-1) != 1 {
		t.Fatal("warm-up")
	}
	_ = fmt.Sprint(strings.ToUpper("a"), strconv.Itoa(1))
}
GO
  (cd "$work" && env -i PATH=/usr/bin:/bin HOME="$work" GOCACHE="$dir" GOPATH="$work/go" \
      GOPROXY=off GOTOOLCHAIN=local GOFLAGS=-count=1 /usr/bin/go test main_test.go >/dev/null)
  rm -rf "$work"
  chmod -R a+rX "$dir"
  echo "$version" > "$stamp"
}

# C++: a precompiled header of what every MultiPL-E C++ program starts with,
# `#include<assert.h>` then `#include<bits/stdc++.h>` (docs/languages.md,
# "Install-time caches"). GCC uses a PCH only for the first include of a
# file, so it is stored as include/assert.h.gch, beside a link to the real
# assert.h, and the recipe's compile step adds `-isystem <dir>/include` only
# when the source starts with exactly those two lines (the bytes of
# `prefix`) and the PCH is newer than every header it was built from and
# their directories (listed in `deps`). GCC itself refuses a PCH made by
# another compiler build or with other flags and then reads the headers. The
# key in `version` (compiler, header packages, flags) decides a rebuild.
CPP_PCH_FLAGS=(-std=c++17) # exactly the recipe's compile flags (languages/cpp.json)

cpp_pch_fresh() {
  local dir=$1 f
  [ -f "$dir/deps" ] || return 1
  while IFS= read -r f; do [ "$dir/include/assert.h.gch" -nt "$f" ] || return 1; done <"$dir/deps"
}

warm_cpp_pch() {
  [ -x /usr/bin/g++ ] || return 0
  local dir=$CACHE_ROOT/cpp-pch src=$CACHE_ROOT/cpp-pch-src key assert_h
  key="$(/usr/bin/g++ --version | head -n1); flags ${CPP_PCH_FLAGS[*]}; $(dpkg-query -W \
      -f '${Package}=${Version} ' libc6-dev 'libstdc++-*-dev' 2>/dev/null || true)"
  if [ -f "$dir/version" ] && [ "$(cat "$dir/version")" = "$key" ] && cpp_pch_fresh "$dir"; then
    return 0
  fi
  echo "setup: building the C++ precompiled header ($(/usr/bin/g++ --version | head -n1))"
  # The PCH records the path of the header it was built from (it shows in
  # include chains of diagnostics), so that file stays at a fixed path.
  mkdir -p "$src"
  printf '#include<assert.h>\n#include<bits/stdc++.h>\n' >"$src/multiple.h"
  assert_h=$(echo '#include <assert.h>' | /usr/bin/g++ "${CPP_PCH_FLAGS[@]}" -x c++ -M - |
    tr -s ' \\' '\n\n' | grep '/assert\.h$' | head -n1)
  rm -rf "$dir.new" && mkdir -p "$dir.new/include"
  ln -s "$assert_h" "$dir.new/include/assert.h"
  cp "$src/multiple.h" "$dir.new/prefix"
  /usr/bin/g++ "${CPP_PCH_FLAGS[@]}" -x c++-header -M "$src/multiple.h" | tr -s ' \\' '\n\n' |
    grep '^/' | grep -v "^$src/" | sort -u >"$dir.new/files"
  { cat "$dir.new/files"; xargs -r -n1 dirname <"$dir.new/files" | sort -u; } >"$dir.new/deps"
  rm "$dir.new/files"
  /usr/bin/g++ "${CPP_PCH_FLAGS[@]}" -x c++-header "$src/multiple.h" \
    -o "$dir.new/include/assert.h.gch"
  echo "$key" >"$dir.new/version"
  chmod -R a+rX "$dir.new"
  rm -rf "$dir" && mv "$dir.new" "$dir"
}

mkdir -p "$CACHE_ROOT"
warm_go
warm_cpp_pch
