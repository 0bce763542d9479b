#!/usr/bin/env bash
# Prepares the read-only warm caches that recipes mount as overlays
# (languages/*.json "overlays"), by running each toolchain once on a program
# of our own. Runs are then copy-on-write views of these: nothing a user
# program does can change them. Idempotent: a cache is rebuilt only when the
# toolchain's version changed. Usage: warm-caches.sh [go|cpp_pch|jvm_cds|dfy_aot]...
set -euo pipefail
CACHE_ROOT=/var/cache/codeexec

# Whether cache DIR was built with KEY (its `version` file).
cache_current() {
  [ -f "$1/version" ] && [ "$(cat "$1/version")" = "$2" ]
}

# Puts DIR.new in place of DIR with KEY as its version, readable by all:
# two renames, so that a run finds either the old cache or the new one
# (or, between them, none, and runs without it: the recipe's cached_when).
publish_cache() {
  local dir=$1
  echo "$2" >"$dir.new/version"
  chmod -R a+rX "$dir.new"
  rm -rf "$dir.old"
  if [ -e "$dir" ]; then mv "$dir" "$dir.old"; fi
  mv "$dir.new" "$dir" && rm -rf "$dir.old"
}

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
# file, so it is stored as pch/assert.h.gch; the recipe's compile step adds
# `-I <dir>/pch` only when the source starts with exactly those two lines
# (the bytes of `prefix`) and the PCH is newer than every header it was
# built from and their directories (listed in `deps`). Beside it,
# pch/assert.h marks itself a system header and includes the real one
# (#include_next): later includes of <assert.h>, or all of them when GCC
# refuses the PCH (another compiler build, other flags), get the real file.
# A second one, pch-cp/bits/stdc++.h.gch, is for sources whose first line
# is exactly `#include <bits/stdc++.h>` (`prefix-cp`), as most competitive
# programs (judge mode's C++) begin: same rules, `-I <dir>/pch-cp`.
# The key in `version` (compiler, header packages, flags, this script)
# decides a rebuild.
CPP_PCH_FLAGS=(-std=c++17) # exactly the recipe's compile flags (languages/cpp.json)

cpp_pch_fresh() {
  local dir=$1 f g
  [ -f "$dir/deps" ] || return 1
  for g in "$dir/pch/assert.h.gch" "$dir/pch-cp/bits/stdc++.h.gch"; do
    [ -f "$g" ] || return 1
    while IFS= read -r f; do [ -e "$f" ] && [ "$g" -nt "$f" ] || return 1; done <"$dir/deps"
  done
}

warm_cpp_pch() {
  [ -x /usr/bin/g++ ] || return 0
  local dir=$CACHE_ROOT/cpp-pch key
  key="$(/usr/bin/g++ --version | head -n1); flags ${CPP_PCH_FLAGS[*]}; $(dpkg-query -W \
      -f '${Package}=${Version} ' libc6-dev 'libstdc++-*-dev' 2>/dev/null || true); script $(sha256sum <"$0" | cut -c1-16)"
  if cache_current "$dir" "$key" && cpp_pch_fresh "$dir"; then
    return 0
  fi
  echo "setup: building the C++ precompiled header ($(/usr/bin/g++ --version | head -n1))"
  rm -rf "$dir.new" && mkdir -p "$dir.new/pch" "$dir.new/pch-cp/bits"
  printf '#pragma GCC system_header\n#include_next <assert.h>\n' >"$dir.new/pch/assert.h"
  printf '#include<assert.h>\n#include<bits/stdc++.h>\n' >"$dir.new/prefix"
  # The second header serves the first line of most competitive programs
  # (judge mode's C++ submissions), in the same way
  printf '#pragma GCC system_header\n#include_next <bits/stdc++.h>\n' >"$dir.new/pch-cp/bits/stdc++.h"
  printf '#include <bits/stdc++.h>\n' >"$dir.new/prefix-cp"
  # The PCH keeps the name of the file it was built from, and diagnostics
  # show it in include chains ("from /tmp/main.cpp:2:"): so it is built from
  # /tmp/main.cpp, the recipe's {src}, in a private /tmp of its own.
  # (unshare needs CAP_SYS_ADMIN, which a `docker build` step lacks: then
  # there is no PCH, and C++ compiles as without one)
  if ! unshare -m --propagation private sh -c '
    set -e
    mount -t tmpfs -o size=512m codeexec-pch /tmp
    cp "$1/prefix" /tmp/main.cpp
    shift
    /usr/bin/g++ "$@" -x c++-header -M /tmp/main.cpp >/tmp/deps.mk
    /usr/bin/g++ "$@" -x c++-header /tmp/main.cpp -o /tmp/assert.h.gch
    cp "$0/prefix-cp" /tmp/main.cpp
    /usr/bin/g++ "$@" -x c++-header -M /tmp/main.cpp >>/tmp/deps.mk
    /usr/bin/g++ "$@" -x c++-header /tmp/main.cpp -o /tmp/stdc++.h.gch
    cp /tmp/deps.mk /tmp/assert.h.gch /tmp/stdc++.h.gch "$0/"' "$dir.new" "$dir.new" "${CPP_PCH_FLAGS[@]}"; then
    echo "setup: no C++ precompiled header (could not build it in a private /tmp)"
    rm -rf "$dir.new" "$dir"
    return 0
  fi
  mv "$dir.new/assert.h.gch" "$dir.new/pch/assert.h.gch"
  mv "$dir.new/stdc++.h.gch" "$dir.new/pch-cp/bits/stdc++.h.gch"
  tr -s ' \\' '\n\n' <"$dir.new/deps.mk" | grep '^/' | grep -v '^/tmp/' | sort -u >"$dir.new/files"
  { cat "$dir.new/files"; xargs -r -n1 dirname <"$dir.new/files" | sort -u; } >"$dir.new/deps"
  rm "$dir.new/files" "$dir.new/deps.mk"
  echo "$key" >"$dir.new/version"
  chmod -R a+rX "$dir.new"
  rm -rf "$dir" && mv "$dir.new" "$dir"
}

# JVM languages: class-data-sharing archives (JDK application CDS) of the
# classes that javac, scalac, scala and clojure load for a MultiPL-E-
# shaped program of our own: a run maps them instead of parsing and
# verifying them again. Each archive is dumped with the class path or boot
# class path its tool runs with, and without the program's own directory, so
# only the JDK's and the tool's jars are in it. The JVM checks an archive
# before it uses one (its JVM build, the size and time of the module image
# and of every jar) and otherwise runs without it, silently; the recipes add
# -XX:+VerifySharedSpaces, so a damaged archive is refused too (checksums).
# The key in `version` (JVM, jars, this script) decides a rebuild.

jvm_cds_key() {
  local jar
  /usr/bin/java -Xinternalversion 2>&1
  for jar in /usr/share/java/javatuples.jar /usr/share/java/clojure.jar \
    /usr/share/scala-2.11/lib/*.jar; do
    [ -e "$jar" ] && stat -L -c '%n %s %Y' "$jar"
  done
  echo "script $(sha256sum <"$0" | cut -c1-16)"
}

# scala's and scalac's class path, built as their launcher builds it (Debian's
# launcher passes it as -classpath, with -Dscala.usejavacp=true)
scala_cp() {
  local ext cp=""
  for ext in /usr/share/scala-2.11/lib/*; do
    if [[ -d "$ext" || ${ext##*.} == jar ]]; then cp=${cp:+$cp:}$ext; fi
  done
  echo "$cp"
}

# cds_dump NAME JAVA_ARGS...: an archive of the classes in $work/NAME.list
cds_dump() {
  local name=$1
  shift
  [ -s "$work/$name.list" ] || return 0
  (cd "$work/empty" && env -i PATH=/usr/bin:/bin /usr/bin/java -Xshare:dump \
    -XX:SharedClassListFile="$work/$name.list" -XX:SharedArchiveFile="$dir.new/$name.jsa" "$@" \
    >"$work/$name.log" 2>&1) || { echo "setup: no CDS archive for $name (see the JVM's log):"; tail -n 5 "$work/$name.log"; rm -f "$dir.new/$name.jsa"; }
}

warm_jvm_cds() {
  [ -x /usr/bin/java ] || return 0
  local dir=$CACHE_ROOT/jvm-cds key work run
  key=$(jvm_cds_key)
  if cache_current "$dir" "$key"; then return 0; fi
  echo "setup: building the JVM class-data-sharing archives"
  work=$(mktemp -d)
  rm -rf "$dir.new" && mkdir -p "$dir.new" "$work/empty" "$work/classes"
  run=(env -i PATH=/usr/bin:/bin HOME="$work" LANG=C.UTF-8 LC_ALL=C.UTF-8)
  if [ -x /usr/bin/javac ] && [ -f /usr/share/java/javatuples.jar ]; then
    cat >"$work/Problem.java" <<'JAVA'
import java.util.*;
import java.util.stream.*;
import org.javatuples.*;
class Problem {
    public static Pair<Long, Long> minMax(ArrayList<Long> l) {
        return Pair.with(Collections.min(l), Collections.max(l));
    }
    public static String join(List<String> s) {
        return s.stream().map(String::toUpperCase).collect(Collectors.joining(","));
    }
    public static void main(String[] args) {
        HashMap<String, Long> m = new HashMap<>();
        m.put("a", 1l);
        assert(minMax(new ArrayList<Long>(Arrays.asList(3l, -1l, 7l))).equals(Pair.with(-1l, 7l)));
        assert(join(Arrays.asList("a", "b")).equals("A,B") && m.get("a") == 1l);
        assert(String.format("%d-%s", 1, Optional.of(2).get()).equals("1-2"));
    }
}
JAVA
    (cd "$work" && "${run[@]}" CLASSPATH=/usr/share/java/javatuples.jar /usr/bin/javac \
      -J-XX:DumpLoadedClassList="$work/javac.list" -J-XX:TieredStopAtLevel=1 -J-XX:+UseSerialGC \
      -encoding UTF8 -d "$work/classes" Problem.java &&
      "${run[@]}" CLASSPATH=/usr/share/java/javatuples.jar /usr/bin/java -ea \
        -cp "$work/classes:/usr/share/java/javatuples.jar" Problem) >/dev/null ||
      echo "setup: the javac warm-up program failed; its archive may be partial"
    cds_dump javac
  fi
  if [ -x /usr/bin/scalac ] && [ -x /usr/bin/scala ]; then
    cat >"$work/Problem.scala" <<'SCALA'
import scala.math._
import scala.collection.mutable._
object Problem {
    def f(xs : List[Long], s : String) : Map[String, Long] = {
        val m = HashMap[String, Long]()
        for (x <- xs.sorted) m(s + x) = max(x, 0l)
        m
    }
    def main(args: Array[String]) = {
    assert(f(List(3l, -1l), "k").size == (2l))
    assert(("aAb".toLowerCase.toSet.size) == (2l))
    assert(ArrayBuffer(1, 2).map(_ * 2).sum == 6)
    }
}
SCALA
    (cd "$work" && "${run[@]}" /usr/bin/scalac -J-XX:DumpLoadedClassList="$work/scalac.list" \
      -J-XX:TieredStopAtLevel=1 -J-XX:+UseSerialGC -d "$work" Problem.scala &&
      "${run[@]}" /usr/bin/scala -J-XX:DumpLoadedClassList="$work/scala.list" -cp "$work" \
        Problem) >/dev/null || echo "setup: the Scala warm-up program failed; its archives may be partial"
    cds_dump scalac -Xmx256M -Xms32M -classpath "$(scala_cp)"
    cds_dump scala -Xmx256M -Xms32M -classpath "$(scala_cp)"
  fi
  if [ -f /usr/share/java/clojure.jar ]; then
    cat >"$work/main.clj" <<'CLJ'
(defn f [xs] (vec (filter pos? (map inc xs))))
(require '[clojure.test :refer [deftest is run-test]])
(deftest test-humaneval
  (is (= (f [-2 1 2]) [2 3]))
  (is (= (reduce + (range 1 11)) 55))
  (is (= (clojure.string/upper-case "ab") "AB")))
(run-test test-humaneval)
CLJ
    (cd "$work" && "${run[@]}" /usr/bin/java -XX:DumpLoadedClassList="$work/clj.list" \
      -Dclojure.main.report=stderr -cp /usr/share/java/clojure.jar clojure.main main.clj) >/dev/null ||
      echo "setup: the Clojure warm-up program failed; its archive may be partial"
    cds_dump clj -cp /usr/share/java/clojure.jar
  fi
  echo "$key" >"$dir.new/version"
  chmod -R a+rX "$dir.new"
  rm -rf "$dir" "$work" && mv "$dir.new" "$dir"
}

# Dafny: ahead-of-time compiled images (mono --aot, X.dll.so) of the
# assemblies that Dafny 2.3 runs on Mono: Dafny, its Boogie back end and the
# framework assemblies they load. Without them Mono JIT-compiles some 5,000
# methods on every run, about half of Dafny's CPU. The recipe's cached_argv
# adds `--aot-path=<dir>`; Mono maps an image only if it was compiled from
# the very same assembly (its GUID) by the same runtime, and otherwise
# JIT-compiles as without it, silently. mscorlib is not here: Debian's
# mono package already compiles it into /usr/lib/mono/aot-cache (its
# postinst), where Mono looks first, with and without the cache. The program
# itself (the C# that Dafny generates, compiled by mcs into memory) is
# JIT-compiled as always. The key in `version` (Mono, the assemblies'
# checksums, this script) decides a rebuild.

# The version key of AOT images of the files given: Mono's version, their
# checksums, this script.
mono_aot_key() {
  local f
  echo "$(/usr/bin/mono --version | head -n1); $(for f in "$@"; do sha256sum "$f"; done | sha256sum | cut -c1-16); script $(sha256sum <"$0" | cut -c1-16)"
}

# Compiles each assembly given after OUT and WORK ahead of time into
# OUT/<name>.so (mono --aot, in WORK); one that fails is left out.
mono_aot_images() {
  local out=$1 work=$2 asm
  shift 2
  for asm in "$@"; do
    (cd "$work" && env -i PATH=/usr/bin:/bin HOME="$work" TMPDIR="$work" /usr/bin/mono \
      --aot=outfile="$out/${asm##*/}.so" "$asm" >"$work/aot.log" 2>&1) ||
      { echo "setup: no AOT image for $asm"; rm -f "$out/${asm##*/}.so"; }
  done
}

dfy_assemblies() {
  # what Dafny loads for a program of our own (Mono logs on stdout), plus
  # every assembly of Dafny's and Boogie's (some are loaded only by some
  # programs or options); not DafnyRuntime.dll, which runs only with
  # /useRuntimeLib (the recipe compiles the runtime's source into the program)
  (cd "$1" && env -i PATH=/usr/bin:/bin HOME="$1" MONO_LOG_LEVEL=info MONO_LOG_MASK=asm \
    /usr/bin/mono /usr/lib/dafny/Dafny.exe /compile:3 main.dfy 2>/dev/null || true) |
    sed -n 's/^Mono: Image addref .* -> \(\/[^[]*\.\(dll\|exe\)\)\[.*/\1/p'
  readlink -f /usr/lib/dafny/*.dll /usr/lib/dafny/Dafny.exe /usr/lib/boogie/*.dll | grep -v '/DafnyRuntime\.dll$'
}

warm_dfy_aot() {
  [ -x /usr/bin/mono ] && [ -f /usr/lib/dafny/Dafny.exe ] || return 0
  local dir=$CACHE_ROOT/dfy-aot key work list
  work=$(mktemp -d)
  cat >"$work/main.dfy" <<'DFY'
function method Sum(s: seq<int>): int { if |s| == 0 then 0 else s[0] + Sum(s[1..]) }
method Count(s: string, c: char) returns (n: nat)
  ensures n <= |s|
{
  n := 0;
  var i := 0;
  while i < |s|
    invariant 0 <= i <= |s| && n <= i
  {
    if s[i] == c { n := n + 1; }
    i := i + 1;
  }
}
method Main() {
  var m := map[1 := "a", 2 := "bb"];
  var st := {3, 1, 2};
  var n := Count("abcab", 'a');
  assert Sum([1, 2, 3]) == 6;
  print Sum([1, 2, 3]), " ", n, " ", |st|, " ", 2 in m, " ", 1.5 + 0.25, "\n";
}
DFY
  list=$(dfy_assemblies "$work" | grep -v '/mscorlib\.dll$' | sort -u || true)
  [ -n "$list" ] || { echo "setup: no Dafny assemblies found; no AOT images"; rm -rf "$work"; return 0; }
  key=$(mono_aot_key $list)
  if cache_current "$dir" "$key"; then rm -rf "$work"; return 0; fi
  echo "setup: compiling Dafny's assemblies ahead of time ($(/usr/bin/mono --version | head -n1))"
  rm -rf "$dir.new" && mkdir -p "$dir.new"
  mono_aot_images "$dir.new" "$work" $list
  # the warm-up program must print the same with the images as without them
  local plain cached
  plain=$(cd "$work" && env -i PATH=/usr/bin:/bin HOME="$work" /usr/bin/mono /usr/lib/dafny/Dafny.exe /compile:3 main.dfy 2>&1) || true
  cached=$(cd "$work" && env -i PATH=/usr/bin:/bin HOME="$work" /usr/bin/mono --aot-path="$dir.new" \
    /usr/lib/dafny/Dafny.exe /compile:3 main.dfy 2>&1) || true
  if [ "$plain" != "$cached" ] || [ -z "$plain" ]; then
    echo "setup: Dafny printed something else with its AOT images; not using them"
    rm -rf "$dir.new" "$dir" "$work"
    return 0
  fi
  echo "$key" >"$dir.new/version"
  chmod -R a+rX "$dir.new"
  rm -rf "$dir" "$work" && mv "$dir.new" "$dir"
}

# C#: ahead-of-time compiled images of the framework assemblies that mcs
# loads to compile a program (System, System.Core, System.Xml,
# Mono.Security, and those a program references, System.Numerics among
# them), the same mechanism as Dafny's above. mcs.exe and mscorlib are
# not here: Debian's mono-mcs and mono-runtime compile those into
# /usr/lib/mono/aot-cache already. The compile step's cached_argv adds
# `--aot-path=<dir>` to mono; the run step is unchanged (the programs load
# little beyond mscorlib: no gain measured). Before the images are put in
# place, mcs must print the same with them as without them for a program
# of our own that compiles with a warning and one that does not compile.
cs_assemblies() {
  (cd "$1" && env -i PATH=/usr/bin:/bin HOME="$1" MONO_LOG_LEVEL=info MONO_LOG_MASK=asm \
    /usr/bin/mono /usr/lib/mono/4.5/mcs.exe -d:DEBUG -r:System.Numerics.dll ok.cs -out:ok.exe 2>/dev/null || true) |
    sed -n 's/^Mono: Image addref .* -> \(\/[^[]*\.dll\)\[.*/\1/p' | grep -v '/mscorlib\.dll$' | sort -u
}

warm_cs_aot() {
  [ -x /usr/bin/mono ] && [ -f /usr/lib/mono/4.5/mcs.exe ] || return 0
  local dir=$CACHE_ROOT/cs-aot key work list f plain cached
  work=$(mktemp -d)
  cat >"$work/ok.cs" <<'CS'
using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Diagnostics;
class Problem {
    static long SumTo(long n) { return Enumerable.Range(1, (int)n).Select(x => (long)x).Sum(); }
    static void Main(string[] args) {
        int unused = 3;
        var d = new Dictionary<string, List<int>> { { "a", new List<int> { 1, 2 } } };
        Debug.Assert(SumTo(30) == 465);
        Console.WriteLine(BigInteger.Pow(2, 100) + " " + d["a"].Count + " " + Tuple.Create(1, "x"));
    }
}
CS
  printf 'class Problem {\n    static void Main() { int x = "no"; Undefined(); }\n}\n' >"$work/bad.cs"
  list=$(cs_assemblies "$work")
  [ -n "$list" ] || { echo "setup: no assemblies seen for mcs; no AOT images"; rm -rf "$work"; return 0; }
  key=$(mono_aot_key /usr/lib/mono/4.5/mcs.exe $list)
  if cache_current "$dir" "$key"; then rm -rf "$work"; return 0; fi
  echo "setup: compiling the assemblies mcs loads ahead of time ($(/usr/bin/mono --version | head -n1))"
  rm -rf "$dir.new" && mkdir -p "$dir.new"
  mono_aot_images "$dir.new" "$work" $list
  for f in ok bad; do
    plain=$(cd "$work" && env -i PATH=/usr/bin:/bin HOME="$work" /usr/bin/mono /usr/lib/mono/4.5/mcs.exe \
      -d:DEBUG -r:System.Numerics.dll $f.cs -out:$f.exe 2>&1; echo "rc $?")
    cached=$(cd "$work" && env -i PATH=/usr/bin:/bin HOME="$work" /usr/bin/mono --aot-path="$dir.new" \
      /usr/lib/mono/4.5/mcs.exe -d:DEBUG -r:System.Numerics.dll $f.cs -out:$f.exe 2>&1; echo "rc $?")
    if [ "$plain" != "$cached" ] || [ "$plain" = "rc 0" ]; then
      echo "setup: mcs printed something else with AOT images (or nothing at all); not using them"
      rm -rf "$dir.new" "$dir" "$work"
      return 0
    fi
  done
  echo "$key" >"$dir.new/version"
  chmod -R a+rX "$dir.new"
  rm -rf "$dir" "$work" && mv "$dir.new" "$dir"
}

# TypeScript: a start-up snapshot of tsc (node --build-snapshot, Node >= 18.20)
# made by scripts/tsc-snapshot.js: TypeScript's compiler already compiled and
# evaluated, and its bundled lib .d.ts files already parsed and bound for the
# recipe's flags. The recipe's cached_argv starts node from it only when
# `stat` of node and of TypeScript's _tsc.js gives the same inode, size and
# times as when it was built (`stat`); the snapshot itself checks _tsc.js
# again and checks tsc's arguments (see scripts/tsc-snapshot.js). Before it
# is put in place, it must compile a few programs of our own exactly as the
# plain tsc does. The key in `version` (node, the stat line, the flags, the
# snapshot script) decides a rebuild.
TS_TSC=/usr/local/lib/codeexec/npm/node_modules/typescript/bin/tsc
TS_FLAGS="--target esnext --skipLibCheck" # exactly the recipe's flags before {src} (languages/ts.json)

ts_stat() {
  stat -L -c '%i %s %Y %Z %n' /usr/bin/node "$(dirname "$(dirname "$TS_TSC")")/lib/_tsc.js"
}

# ts_same BLOB DIR: the snapshot compiles each probe program in DIR as tsc does
ts_same() {
  local blob=$1 work=$2 f out
  local run=(env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/tmp TMPDIR=/tmp LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=Etc/UTC)
  for f in "$work"/probe-*.ts; do
    mkdir -p "$work/plain" "$work/snap"
    cp "$f" "$work/plain/main.ts" && cp "$f" "$work/snap/main.ts"
    # shellcheck disable=SC2086 # TS_FLAGS is a list of flags
    (cd "$work/plain" && "${run[@]}" /usr/bin/node "$TS_TSC" $TS_FLAGS main.ts >out 2>&1; echo "rc $?" >>out)
    # shellcheck disable=SC2086
    (cd "$work/snap" && "${run[@]}" /usr/bin/node --snapshot-blob "$blob" "$TS_TSC" $TS_FLAGS main.ts >out 2>&1; echo "rc $?" >>out)
    for out in out main.js; do
      cmp -s "$work/plain/$out" "$work/snap/$out" || return 1
    done
    rm -rf "$work/plain" "$work/snap"
  done
}

warm_ts_snapshot() {
  [ -x /usr/bin/node ] && [ -f "$TS_TSC" ] || return 0
  local dir=$CACHE_ROOT/ts-snapshot entry key work
  entry=$(cd "$(dirname "$0")" && pwd)/tsc-snapshot.js
  key="$(/usr/bin/node --version); $(ts_stat | tr '\n' ';') flags $TS_FLAGS; script $(sha256sum <"$entry" | cut -c1-16)"
  if cache_current "$dir" "$key"; then return 0; fi
  echo "setup: building the TypeScript compiler's start-up snapshot"
  work=$(mktemp -d)
  rm -rf "$dir.new" && mkdir -p "$dir.new"
  cat >"$work/probe-pass.ts" <<'TS'
function sum_it(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
declare var require: any;
const assert = require('node:assert');
assert.deepEqual([...new Set([1, 1, 2])].map((x) => x * 2), [2, 4]);
assert.equal(sum_it([1, 2, 3]), 6);
TS
  cat >"$work/probe-errors.ts" <<'TS'
const name = 1;
let u: string | number = true;
let y = Math.random() > 0.5 ? "a" : 1;
y.foo;
consol.log(new Map<string, number>().get(1));
TS
  printf '/// <reference lib="webworker" />\nexport {};\nconst v = await Promise.resolve(self);\n' >"$work/probe-module.ts"
  if ! (cd "$work" && env -i PATH=/usr/bin:/bin HOME=/tmp TMPDIR=/tmp LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=Etc/UTC \
      CODEEXEC_TSC="$TS_TSC" CODEEXEC_TSC_FLAGS="$TS_FLAGS" \
      /usr/bin/node --snapshot-blob "$dir.new/tsc.blob" --build-snapshot "$entry" >"$work/build.log" 2>&1); then
    echo "setup: no TypeScript snapshot (node could not build it):"; tail -n 5 "$work/build.log"
    rm -rf "$dir.new" "$dir" "$work"
    return 0
  fi
  if ! ts_same "$dir.new/tsc.blob" "$work"; then
    echo "setup: no TypeScript snapshot (it does not compile like the plain tsc)"
    rm -rf "$dir.new" "$dir" "$work"
    return 0
  fi
  ts_stat >"$dir.new/stat"
  echo "$key" >"$dir.new/version"
  chmod -R a+rX "$dir.new"
  rm -rf "$dir" "$work" && mv "$dir.new" "$dir"
}

# Ruby: the compiled form of every library file (Ruby's own binary
# instruction sequences), which the recipe's `ruby -r <dir>/start.rb` hands
# to Ruby instead of parsing and compiling the file again on every require
# (rubygems and the rest of Ruby's gem prelude, which start.rb loads, and
# MultiPL-E's test/unit: about 90 files). scripts/warm-ruby-iseq.rb builds
# it and says what keeps it exact; each entry is used only while its source
# file has the same inode, size and modification time. The key in `version`
# (Ruby, its packages, these scripts) decides a rebuild.
warm_ruby_iseq() {
  [ -x /usr/bin/ruby ] || return 0
  local dir=$CACHE_ROOT/ruby-iseq key gen probe recipe
  gen="$(dirname "$0")/warm-ruby-iseq.rb"
  probe="$(dirname "$0")/ruby-start-probe.rb"
  recipe="$(dirname "$0")/../languages/ruby.json"
  [ -f "$gen" ] && [ -f "$probe" ] && [ -f "$recipe" ] || return 0
  # the generator takes the cached command's flags from the recipe, and
  # checks start.rb with the probe: both are part of the key
  key="$(/usr/bin/ruby --version); $(dpkg-query -W -f '${Package}=${Version}\n' 'ruby*' 'libruby*' 2>/dev/null |
    grep -v '=$' | tr '\n' ' ' || true); script $(cat "$0" "$gen" "$probe" "$recipe" | sha256sum | cut -c1-16)"
  if cache_current "$dir" "$key" && [ -f "$dir/start.rb" ]; then
    return 0
  fi
  echo "setup: compiling Ruby's library files ($(/usr/bin/ruby --version))"
  rm -rf "$dir.new" && mkdir -p "$dir.new"
  # env -i: no RUBYOPT or RUBYLIB from the caller (they could change the
  # compile options); the roots are where Debian's Ruby and its gems live
  if ! env -i PATH=/usr/bin:/bin LANG=C.UTF-8 /usr/bin/ruby --disable-gems "$gen" "$dir.new" "$dir" \
    "$(/usr/bin/ruby --disable-gems -rrbconfig -e 'print RbConfig::CONFIG["rubylibprefix"]')" \
    "$(/usr/bin/ruby --disable-gems -rrbconfig -e 'print RbConfig::CONFIG["rubyarchprefix"]')" \
    /usr/share/rubygems-integration; then
    echo "setup: no Ruby compile cache (scripts/warm-ruby-iseq.rb failed)"
    rm -rf "$dir.new"
    return 0
  fi
  publish_cache "$dir" "$key"
}

# Elixir: /usr/bin/elixir is a shell script that forks six helpers
# (dirname, basename, readlink) to find itself before it execs `erl` (itself
# a script) with a command line that, for `elixir FILE`, never changes. The
# recipe's run step sources <dir>/run, which execs that `erl` command line
# directly, but only while: the script is the very file the line was taken
# from (a hard link to it here, compared with -ef: an upgrade installs a new
# inode), PATH is the one it was taken with, none of the variables the
# script reads is set, not both of stdout and stderr are terminals, and there
# is one argument, a path; else the step runs /usr/bin/elixir as always.
# The -pa list is globbed at run time exactly as the script globs it.
warm_elixir_launch() {
  [ -x /usr/bin/elixir ] || return 0
  local dir=$CACHE_ROOT/elixir-launch key self libs line want
  local path=/usr/local/bin:/usr/bin:/bin # the box's PATH (src/exec/env.c)
  self=$(readlink -f /usr/bin/elixir)
  key="$(sha256sum <"$self" | cut -c1-16) $(stat -c '%i %s %Y' "$self"); script $(sha256sum <"$0" | cut -c1-16)"
  if cache_current "$dir" "$key" && [ /usr/bin/elixir -ef "$dir/elixir" ]; then
    return 0
  fi
  echo "setup: recording the Elixir launcher's erl command line"
  rm -rf "$dir.new" && mkdir -p "$dir.new"
  libs=$(dirname "$self")/../lib
  line=$(cd / && env -i PATH=$path HOME=/tmp LANG=C.UTF-8 ELIXIR_CLI_DRY_RUN=1 /usr/bin/elixir /tmp/main.exs </dev/null 2>&1 || true)
  want="erl -pa $(echo "$libs"/*/ebin) -noshell -s elixir start_cli -extra /tmp/main.exs"
  if [ "$line" != "$want" ] || ! ln "$self" "$dir.new/elixir" 2>/dev/null; then
    echo "setup: no Elixir launcher cache (the launcher's command line is not the expected one, or no hard link)"
    rm -rf "$dir.new" "$dir"
    return 0
  fi
  cat >"$dir.new/run" <<SH
# Sourced by the Elixir recipe's run step (scripts/warm-caches.sh wrote it
# from $self): exec what that script execs for \`elixir FILE\`.
if [ /usr/bin/elixir -ef $dir/elixir ] && [ "\$PATH" = "$path" ] && [ \$# -eq 1 ] &&
  [ -z "\${ELIXIR_ERL_OPTIONS+x}\${ELIXIR_CLI_DRY_RUN+x}\${RUN_ERL_PIPE+x}\${NO_COLOR+x}\${OS+x}\${OSTYPE+x}\${ERTS_BIN+x}" ] &&
  ! { [ -t 1 ] && [ -t 2 ]; }; then
  case \$1 in
  /*)
    codeexec_file=\$1
    set -- $libs/*/ebin
    exec erl -pa "\$@" -noshell -s elixir start_cli -extra "\$codeexec_file"
    ;;
  esac
fi
SH
  publish_cache "$dir" "$key"
}

# R: Rscript execs the `R` shell script, which forks uname and sed (twice)
# and sources etc/ldpaths only to export a handful of variables and exec
# bin/exec/R. The set-up script runs Rscript once in the box's environment
# on a probe that prints its own /proc/self/environ and cmdline, and writes
# `run`, which the recipe's run step sources in /bin/bash (the R script's
# own shell, so that the environment comes out in the same order and with
# the same PWD and SHLVL): it exports the variables the script added and
# execs bin/exec/R with the
# arguments Rscript gave, while Rscript, the R script and ldpaths are the
# very files recorded (hard links here, compared with -ef), PATH is the
# box's, none of the variables they read is set, and the one argument is a
# plain absolute path; else the step runs /usr/bin/Rscript as always.
warm_r_launch() {
  [ -x /usr/bin/Rscript ] && [ -f /usr/lib/R/bin/R ] && [ -f /usr/lib/R/etc/ldpaths ] || return 0
  local dir=$CACHE_ROOT/r-launch key work out f name reads
  local path=/usr/local/bin:/usr/bin:/bin # the box's base environment (src/exec/env.c)
  local box=("PATH=$path" HOME=/tmp TMPDIR=/tmp LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=Etc/UTC USER=runner LOGNAME=runner)
  key="$(cat /usr/bin/Rscript /usr/lib/R/bin/R /usr/lib/R/etc/ldpaths | sha256sum | cut -c1-16); script $(sha256sum <"$0" | cut -c1-16)"
  if cache_current "$dir" "$key" && [ /usr/bin/Rscript -ef "$dir/Rscript" ] &&
    [ /usr/lib/R/bin/R -ef "$dir/R" ] && [ /usr/lib/R/etc/ldpaths -ef "$dir/ldpaths" ]; then
    return 0
  fi
  echo "setup: recording what the R launcher execs"
  rm -rf "$dir.new" && mkdir -p "$dir.new"
  work=$(mktemp -d)
  chmod 755 "$work"
  printf '%s\n' 'writeBin(readBin("/proc/self/environ", "raw", 1e6), "env")' \
    'writeBin(readBin("/proc/self/cmdline", "raw", 1e6), "cmdline")' >"$work/main.r"
  # names the launchers could read: every variable the R script and
  # ldpaths expand, and the R* names in Rscript's strings
  reads=$({ grep -ohE '\$\{?[A-Za-z_][A-Za-z0-9_]*' /usr/lib/R/bin/R /usr/lib/R/etc/ldpaths | tr -d '${'
    grep -aoE '\bR[A-Z_]{2,}\b' /usr/bin/Rscript; echo LD_LIBRARY_PATH; } | sort -u | grep -vxE 'PATH|PWD|[0-9]+')
  if ! (cd "$work" && env -i "${box[@]}" /usr/bin/Rscript "$work/main.r" >/dev/null 2>&1) ||
    [ "$(tr '\0' '\n' <"$work/cmdline")" != "$(printf '%s\n' /usr/lib/R/bin/exec/R --no-echo --no-restore "--file=$work/main.r")" ] ||
    ! ln /usr/bin/Rscript "$dir.new/Rscript" 2>/dev/null || ! ln /usr/lib/R/bin/R "$dir.new/R" ||
    ! ln /usr/lib/R/etc/ldpaths "$dir.new/ldpaths"; then
    echo "setup: no R launcher cache (the launcher did not exec what was expected, or no hard link)"
    rm -rf "$dir.new" "$dir" "$work"
    return 0
  fi
  out=$dir.new/run
  {
    echo "# Sourced by the R recipe's run step (scripts/warm-caches.sh wrote it): exec"
    echo "# what /usr/bin/Rscript FILE execs, with the variables the R script exports."
    printf 'if [ /usr/bin/Rscript -ef %s/Rscript ] && [ /usr/lib/R/bin/R -ef %s/R ] &&\n' "$dir" "$dir"
    printf '  [ /usr/lib/R/etc/ldpaths -ef %s/ldpaths ] && [ "$PATH" = "%s" ] && [ $# -eq 1 ] &&\n' "$dir" "$path"
    printf '  [ -z "'
    for name in $reads; do printf '${%s+x}' "$name"; done
    printf '" ]; then\n  case $1 in\n  /*[!A-Za-z0-9_./-]*) ;;\n  /*)\n'
    tr '\0' '\n' <"$work/env" | while IFS= read -r f; do
      name=${f%%=*}
      case " ${box[*]} " in *" $f "*) continue ;; esac
      case $name in PWD | SHLVL) continue ;; esac # bash's own, in both ways
      case $f in *[!A-Za-z0-9_./:=-]*) echo "unexpected variable $f" >&2; exit 1 ;; esac
      printf '    %s\n    export %s\n' "$f" "$name"
    done
    printf '    exec /usr/lib/R/bin/exec/R --no-echo --no-restore "--file=$1"\n    ;;\n  esac\nfi\n'
  } >"$out" || { echo "setup: no R launcher cache"; rm -rf "$dir.new" "$dir" "$work"; return 0; }
  rm -rf "$work"
  publish_cache "$dir" "$key"
}


# Haskell: /usr/bin/runghc is a shell script that execs runghc, a Haskell
# program (about 12 ms of its own start-up: its runtime and 18 shared
# libraries), whose only work for `runghc FILE` is to exec the ghc script
# with a command line that never changes; that script execs ghc with -B.
# The recipe's run step sources <dir>/run, which execs ghc with that command
# line itself, while: the four files are the very ones it was recorded from
# (hard links here, compared with -ef), PATH is the box's, GHCRTS (which
# runghc's own runtime would read) is unset, and the one argument is a plain
# absolute path. The run file also gives ghc's runtime a larger allocation
# area and old generation (-A8m -O32m): runghc interprets the program inside
# ghc, whose start-up (reading interface files) otherwise spends most of its
# time in 40 garbage collections. Before writing the run file, a probe
# program runs both ways in the box's environment and must see the same
# environment bytes and the same command line but for those flags.
GHC_RTS_FLAGS="+RTS -A8m -O32m -RTS"
warm_ghc_launch() {
  [ -x /usr/bin/runghc ] || return 0
  local dir=$CACHE_ROOT/ghc-launch key work script bin ghcscript ghc topdir f out
  local path=/usr/local/bin:/usr/bin:/bin # the box's base environment (src/exec/env.c)
  local box=("PATH=$path" HOME=/tmp TMPDIR=/tmp LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=Etc/UTC USER=runner LOGNAME=runner)
  local -a line
  script=$(readlink -f /usr/bin/runghc)
  # the runghc script's own variables (exedir, bindir, ghcprog)
  bin=$(sed -n 's/^exedir="\([^"$`]*\)"$/\1/p' "$script")/runghc
  ghcscript=$(sed -n 's/^bindir="\([^"$`]*\)"$/\1/p' "$script")/$(sed -n 's/^ghcprog="\([^"$`]*\)"$/\1/p' "$script")
  if ! [ -x "$bin" ] || ! [ -f "$ghcscript" ]; then
    echo "setup: no GHC launcher cache (the runghc script is not the expected one)"
    rm -rf "$dir"
    return 0
  fi
  key="$(cat "$script" "$ghcscript" | sha256sum | cut -c1-16) $(stat -c '%i %s %Y' "$bin" | tr '\n' ' ')script $(sha256sum <"$0" | cut -c1-16)"
  if cache_current "$dir" "$key" && [ "$script" -ef "$dir/runghc-script" ] &&
    [ "$bin" -ef "$dir/runghc" ] && [ "$ghcscript" -ef "$dir/ghc-script" ] && [ -f "$dir/ghc-path" ] &&
    [ "$(cat "$dir/ghc-path")" -ef "$dir/ghc" ]; then
    return 0
  fi
  echo "setup: recording what runghc execs"
  rm -rf "$dir.new" && mkdir -p "$dir.new"
  work=$(mktemp -d)
  chmod 755 "$work"
  # the probe: what the program sees of its process, written to files
  cat >"$work/Main.hs" <<'HS'
import qualified Data.ByteString as B
import System.Environment
main :: IO ()
main = do
  B.readFile "/proc/self/cmdline" >>= B.writeFile "cmdline"
  B.readFile "/proc/self/environ" >>= B.writeFile "environ"
  n <- getProgName
  a <- getArgs
  e <- getEnvironment
  writeFile "seen" (show (n, a, e))
HS
  for f in plain cached; do
    mkdir "$work/$f" && chmod 755 "$work/$f" && cp "$work/Main.hs" "$work/$f/"
  done
  if (cd "$work/plain" && env -i "${box[@]}" /usr/bin/runghc "$work/plain/Main.hs" </dev/null >/dev/null 2>&1); then
    mapfile -d '' line <"$work/plain/cmdline"
  fi
  ghc=${line[0]:-} topdir=${line[1]#-B}
  if [ "${#line[@]}" -ne 10 ] || [ "${line[*]:2}" != "-ignore-dot-ghci -x hs -e :set prog \"$work/plain/Main.hs\" -e :main [] $work/plain/Main.hs" ] ||
    [ "${line[1]}" != "-B$topdir" ] || ! ln "$script" "$dir.new/runghc-script" 2>/dev/null || ! ln "$bin" "$dir.new/runghc" ||
    ! ln "$ghcscript" "$dir.new/ghc-script" || ! ln "$ghc" "$dir.new/ghc"; then
    echo "setup: no GHC launcher cache (runghc did not exec what was expected, or no hard link)"
    rm -rf "$dir.new" "$dir" "$work"
    return 0
  fi
  out=$dir.new/run
  {
    echo "# Sourced by the Haskell recipe's run step (scripts/warm-caches.sh wrote it):"
    echo "# exec the ghc command line that /usr/bin/runghc FILE execs, with $GHC_RTS_FLAGS."
    printf 'if [ /usr/bin/runghc -ef %s/runghc-script ] && [ %s -ef %s/runghc ] &&\n' "$dir" "$bin" "$dir"
    printf '  [ %s -ef %s/ghc-script ] && [ %s -ef %s/ghc ] &&\n' "$ghcscript" "$dir" "$ghc" "$dir"
    printf '  [ "$PATH" = "%s" ] && [ $# -eq 1 ] && [ -z "${GHCRTS+x}" ]; then\n' "$path"
    printf '  case $1 in\n  /*[!A-Za-z0-9_./-]*) ;;\n  /*)\n'
    printf '    exec %s -B%s -ignore-dot-ghci -x hs %s -e ":set prog \\"$1\\"" -e ":main []" "$1"\n' \
      "$ghc" "$topdir" "$GHC_RTS_FLAGS"
    printf '    ;;\n  esac\nfi\n'
  } >"$out"
  # the same probe through the run file (its paths pointed at the new
  # directory) must see what it saw through runghc
  if ! (cd "$work/cached" && env -i "${box[@]}" /bin/sh -c "sed 's|$dir/|$dir.new/|g' $out >run.sh && . ./run.sh; exit 9" \
    runghc "$work/cached/Main.hs" </dev/null >/dev/null 2>&1) ||
    [ "$(tr '\0' '\n' <"$work/cached/environ" | sed "s|/cached|/plain|g")" != "$(tr '\0' '\n' <"$work/plain/environ")" ] ||
    [ "$(sed "s|/cached|/plain|g" "$work/cached/seen")" != "$(cat "$work/plain/seen")" ] ||
    [ "$(tr '\0' ' ' <"$work/cached/cmdline" | sed "s| $GHC_RTS_FLAGS||; s|/cached/|/plain/|g")" != "$(tr '\0' ' ' <"$work/plain/cmdline")" ]; then
    echo "setup: no GHC launcher cache (ghc run from the recorded line saw another process than from runghc)"
    rm -rf "$dir.new" "$dir" "$work"
    return 0
  fi
  rm -rf "$work"
  echo "$ghc" >"$dir.new/ghc-path"
  publish_cache "$dir" "$key"
}

# With arguments, only the named caches are warmed; without, all of them.
mkdir -p "$CACHE_ROOT"
caches=("$@")
[ $# -gt 0 ] || caches=(go cpp_pch jvm_cds dfy_aot ts_snapshot ruby_iseq elixir_launch r_launch ghc_launch cs_aot)
for c in "${caches[@]}"; do
  case $c in
  go | cpp_pch | jvm_cds | dfy_aot | ts_snapshot | ruby_iseq | elixir_launch | r_launch | ghc_launch | cs_aot) "warm_$c" ;;
  *) echo "warm-caches.sh: unknown cache $c (go, cpp_pch, jvm_cds, dfy_aot, ts_snapshot, ruby_iseq, elixir_launch, r_launch, ghc_launch, cs_aot)" >&2 && exit 2 ;;
  esac
done
