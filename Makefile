# codeexec — build, run and test.
#
#   make            build build/codeexec
#   make run        install what is missing (Debian 12, apt), build, serve on 127.0.0.1:8000
#   make test       install, build, run the unit and end-to-end tests, then the
#                   cgroup v2 suite in a User-mode Linux guest (test-cgroup2)
#   make test-cgroup2  only the cgroup v2 suite (tests/cgroup2, scripts/cg2vm)
#   make asan       the end-to-end tests against an ASan+UBSan build
#   make asan-ci    the unit tests and an end-to-end subset with ASan+UBSan (part of make test)
#   make fuzz       the libFuzzer targets, longer runs
#   make bench      benchmarks (bench/), printing ratios; installs gnuplot for the plots
#   make soak       the long mixed-load soak
#   make format     clang-format the sources; make lint checks format, banned calls,
#                   the layers' include directions and the generated flag table, and
#                   runs clang-tidy (.clang-tidy; `make tidy` alone)

CC      ?= cc
PKGS    := libevent jansson libseccomp zlib
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
           -Wformat-nonliteral -Wvla -Wno-format-truncation
HARDEN  := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 $(WARN) $(HARDEN) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDFLAGS += -pie -Wl,-z,relro,-z,now
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -levent -ljansson -lseccomp -lz)

SRC     := $(wildcard src/util/*.c src/lang/*.c src/sandbox/*.c src/exec/*.c src/api/*.c src/bank/*.c src/judge/*.c src/http/*.c src/server/*.c)
LIB_SRC := $(filter-out src/server/main.c,$(SRC))
BUILD   ?= build
# The web console (web/, docs/console.md): built by scripts/build-web into a
# generated C table that is linked like any other object.
WEB_OBJ := $(BUILD)/obj/web/assets.o
OBJ     := $(SRC:src/%.c=$(BUILD)/obj/%.o) $(WEB_OBJ)
LIB_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o) $(WEB_OBJ)
PYTEST  := /usr/bin/python3 -m pytest

.PHONY: all setup setup-core setup-browser run test test-lanes unit e2e test-cgroup2 asan asan-ci fuzz bench soak format lint \
	compdb tidy clean

# The warm Racket zygote needs Racket CS's embedding library (Debian's
# racket package) and liblz4-dev, both installed by `make setup`; without
# them the server runs Racket cold.
RACKET_EMBED := $(and $(wildcard /usr/lib/libracketcs.a),$(wildcard /usr/include/lz4.h))
# The warm R zygote links Debian's libR.so and its headers (r-base-core);
# without them the server runs R cold.
R_EMBED := $(and $(wildcard /usr/lib/R/lib/libR.so),$(wildcard /usr/share/R/include/Rembedded.h))
# The warm OCaml zygote links the OCaml runtime's library and its headers
# (ocaml-nox); without them the server runs OCaml cold.
ML_EMBED := $(and $(wildcard /usr/lib/ocaml/libcamlrun_pic.a),$(wildcard /usr/lib/ocaml/caml/callback.h),$(wildcard /usr/bin/ocamlrun))
# The warm PHP zygote is a library preloaded into the CLI (php-cli);
# without it PHP runs cold.
PHP_EMBED := $(wildcard /usr/bin/php)
# The warm Coq zygote is a library preloaded into coqc (coq); without it
# Coq runs cold.
COQ_EMBED := $(wildcard /usr/bin/coqc)
# The warm Octave zygote is a library preloaded into octave-cli
# (octave); without it Octave runs cold.
OCT_EMBED := $(wildcard /usr/bin/octave-cli)
all: $(BUILD)/codeexec $(BUILD)/codeexec-pyzygote $(BUILD)/codeexec-pyreaper \
	$(BUILD)/codeexec-execzygote $(if $(RACKET_EMBED),$(BUILD)/codeexec-rktzygote) \
	$(if $(R_EMBED),$(BUILD)/codeexec-rzygote) $(if $(ML_EMBED),$(BUILD)/codeexec-mlzygote) \
	$(if $(PHP_EMBED),$(BUILD)/codeexec-phpzygote.so) $(if $(COQ_EMBED),$(BUILD)/codeexec-coqzygote.so) \
	$(if $(OCT_EMBED),$(BUILD)/codeexec-octzygote.so)

$(BUILD)/codeexec: $(OBJ)
	@echo "  LD  $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The warm Python zygote embeds libpython; never built with sanitizers (the
# interpreter and numpy are not ours to instrument, and a run's exit status
# must not depend on a leak report).
ZYGOTE_COMMON := src/zygote/zyrun.c src/sandbox/harden.c src/sandbox/reaper.c \
	src/sandbox/slotcpu.c src/util/err.c src/util/scm.c
ZYGOTE_SRC := src/pyzygote/zygote.c $(ZYGOTE_COMMON)
ZYGOTE_CFLAGS = -O2 -g -std=gnu11 $(WARN) $(HARDEN) $(shell pkg-config --cflags python3-embed)
# (zygote.c embeds src/pyzygote/warm_imports.py with .incbin: built from here)
$(BUILD)/codeexec-pyzygote: $(ZYGOTE_SRC) src/pyzygote/warm_imports.py $(wildcard src/sandbox/*.h) \
		src/zygote/zyrun.h src/util/scm.h src/util/err.h
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	@cc $(ZYGOTE_CFLAGS) -pie \
		-Wl,-z,relro,-z,now -o $@ $(ZYGOTE_SRC) $$(pkg-config --libs python3-embed)

# The warm Racket zygote (src/rktzygote/zygote.c) embeds Racket CS and,
# with .incbin, src/rktzygote/warm_run.rkt. Racket's headers are not ours:
# -isystem keeps our warnings off them.
RKTZYGOTE_SRC := src/rktzygote/zygote.c $(ZYGOTE_COMMON)
$(BUILD)/codeexec-rktzygote: $(RKTZYGOTE_SRC) src/rktzygote/warm_run.rkt \
		$(wildcard src/sandbox/*.h) src/zygote/zyrun.h src/util/scm.h src/util/err.h
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	@cc -O2 -g -std=gnu11 $(WARN) $(HARDEN) -isystem /usr/include/racket -pie \
		-Wl,-z,relro,-z,now -o $@ $(RKTZYGOTE_SRC) /usr/lib/libracketcs.a \
		-lm -ldl -lpthread -lz -llz4

# The warm R zygote (src/rzygote/zygote.c) is R's own main, linked with
# libR.so (found through its run path, as R's launcher finds it through
# LD_LIBRARY_PATH); it interposes fopen, which the executable exports to
# libR because libR uses it.
RZYGOTE_SRC := src/rzygote/zygote.c src/zygote/zyresume.c $(ZYGOTE_COMMON)
RZYGOTE_CFLAGS := -O2 -g -std=gnu11 $(WARN) $(HARDEN) -isystem /usr/share/R/include
$(BUILD)/codeexec-rzygote: $(RZYGOTE_SRC) $(wildcard src/sandbox/*.h) src/zygote/zyrun.h \
		src/zygote/zyresume.h \
		src/util/scm.h src/util/err.h
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	@cc $(RZYGOTE_CFLAGS) -pie -Wl,-z,relro,-z,now -o $@ $(RZYGOTE_SRC) \
		-L/usr/lib/R/lib -Wl,-rpath,/usr/lib/R/lib -lR -ldl

# The warm OCaml zygote (src/mlzygote/zygote.c) is ocamlrun rebuilt: the
# whole runtime library (its position-independent build, its own main
# included), the table of built-in primitives ocamlrun has (generated from
# `ocamlrun -p`) and our file, which sets the zygote up in a constructor
# and defines open64 and readlink, which the runtime's calls then reach
# instead of the C library's. Like ocamlrun it exports the runtime's
# symbols (-E), which libraries' C stubs (dllunix.so) link to.
MLZYGOTE_SRC := src/mlzygote/zygote.c src/zygote/zyresume.c $(ZYGOTE_COMMON)
MLZYGOTE_CFLAGS := -O2 -g -std=gnu11 $(WARN) $(HARDEN) -isystem /usr/lib/ocaml
$(BUILD)/mlzygote-prims.c: scripts/ocaml-prims /usr/lib/ocaml/libcamlrun_pic.a
	@mkdir -p $(dir $@)
	@scripts/ocaml-prims > $@.tmp && mv $@.tmp $@
$(BUILD)/codeexec-mlzygote: $(MLZYGOTE_SRC) $(BUILD)/mlzygote-prims.c $(wildcard src/sandbox/*.h) \
		src/zygote/zyrun.h src/zygote/zyresume.h src/util/scm.h src/util/err.h
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	@cc $(MLZYGOTE_CFLAGS) -pie -Wl,-z,relro,-z,now -o $@ $(MLZYGOTE_SRC) \
		-x c -w $(BUILD)/mlzygote-prims.c -x none \
		-Wl,--whole-archive /usr/lib/ocaml/libcamlrun_pic.a -Wl,--no-whole-archive -lm -ldl -Wl,-E

# The warm PHP zygote (src/phpzygote/zygote.c) is a shared library that
# the dynamic loader preloads into /usr/bin/php itself (Debian ships no
# library of the CLI to link our own main with); its fopen is what php's
# calls reach instead of the C library's. Position-independent code, no
# sanitizers (a library preloaded into php cannot bring their runtime).
PHPZYGOTE_SRC := src/phpzygote/zygote.c src/zygote/zyresume.c src/zygote/zypreload.c $(ZYGOTE_COMMON)
PHPZYGOTE_CFLAGS := -O2 -g -std=gnu11 $(WARN) -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIC
$(BUILD)/codeexec-phpzygote.so: $(PHPZYGOTE_SRC) $(wildcard src/sandbox/*.h) src/zygote/zyrun.h \
		src/zygote/zyresume.h src/zygote/zypreload.h src/util/scm.h src/util/err.h
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	@cc $(PHPZYGOTE_CFLAGS) -shared -Wl,-z,relro,-z,now -Wl,-z,defs -o $@ $(PHPZYGOTE_SRC) -ldl

# The warm Coq zygote (src/coqzygote/zygote.c): a library preloaded into
# /usr/bin/coqc, as PHP's is into php; its open64, read and write are what
# coqc's calls reach.
COQZYGOTE_SRC := src/coqzygote/zygote.c src/zygote/zyresume.c src/zygote/zypreload.c \
	src/util/md5.c $(ZYGOTE_COMMON)
$(BUILD)/codeexec-coqzygote.so: $(COQZYGOTE_SRC) $(wildcard src/sandbox/*.h) src/zygote/zyrun.h \
		src/zygote/zyresume.h src/zygote/zypreload.h src/util/md5.h src/util/err.h
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	@cc $(PHPZYGOTE_CFLAGS) -shared -Wl,-z,relro,-z,now -Wl,-z,defs -o $@ $(COQZYGOTE_SRC) -ldl

# The warm Octave zygote (src/octzygote/zygote.c): a library preloaded into
# /usr/bin/octave-cli, as PHP's is into php; its fopen and Octave's
# octave_create_interrupt_watcher_thread are what octave-cli's calls reach.
OCTZYGOTE_SRC := src/octzygote/zygote.c src/zygote/zyresume.c src/zygote/zypreload.c $(ZYGOTE_COMMON)
$(BUILD)/codeexec-octzygote.so: $(OCTZYGOTE_SRC) $(wildcard src/sandbox/*.h) src/zygote/zyrun.h \
		src/zygote/zyresume.h src/zygote/zypreload.h src/util/err.h
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	@cc $(PHPZYGOTE_CFLAGS) -shared -Wl,-z,relro,-z,now -Wl,-z,defs -o $@ $(OCTZYGOTE_SRC) -ldl

# Judge mode's exec zygote (src/zygote/execzygote.c): one per judged
# program and slot, forking a box per test.
EXECZYGOTE_SRC := src/zygote/execzygote.c src/sandbox/archive.c $(ZYGOTE_COMMON)
$(BUILD)/codeexec-execzygote: $(EXECZYGOTE_SRC) $(wildcard src/sandbox/*.h) src/zygote/zyrun.h \
		src/util/scm.h src/util/err.h
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	@cc -O2 -g -std=gnu11 $(WARN) $(HARDEN) -pie -Wl,-z,relro,-z,now -o $@ $(EXECZYGOTE_SRC)

# PID 1 of a warm run after its set-up: static, so that its exec costs little;
# on x86-64 without a C library at all (src/pyzygote/nolibc.c: glibc's start-up
# alone costs about 0.5 ms of CPU per exec on a virtual machine). No stack
# protector or fortify there: both need the C library.
REAPER_SRC := src/pyzygote/reaper_main.c src/sandbox/reaper.c
ifeq ($(shell uname -m),x86_64)
REAPER_SRC += src/pyzygote/nolibc.c
REAPER_CFLAGS := -O2 -g -std=gnu11 $(WARN) -fPIE -fno-stack-protector -U_FORTIFY_SOURCE \
	-fno-builtin -fno-asynchronous-unwind-tables
REAPER_LDFLAGS := -nostdlib -static-pie -Wl,-z,relro,-z,now -lgcc
else
REAPER_CFLAGS := -O2 -g -std=gnu11 $(WARN) $(HARDEN)
REAPER_LDFLAGS := -static-pie
endif
$(BUILD)/codeexec-pyreaper: $(REAPER_SRC) $(wildcard src/sandbox/*.h)
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	@cc $(REAPER_CFLAGS) -o $@ $(REAPER_SRC) $(REAPER_LDFLAGS)

$(BUILD)/obj/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC  $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

# Runs every time (FORCE); the script rewrites assets.c only when the
# built console changed, so make relinks only then. scripts/test-lanes sets
# WEB_FORCE empty: the console is built before its lanes start, and two
# lanes must not rebuild it (and relink the server) under each other.
WEB_FORCE ?= FORCE
$(BUILD)/web/assets.c: $(WEB_FORCE)
	@scripts/build-web $(BUILD)/web

$(WEB_OBJ): $(BUILD)/web/assets.c src/api/console.h
	@mkdir -p $(dir $@)
	@echo "  CC  $<"
	@$(CC) $(CFLAGS) -Isrc -c -o $@ $<

.PHONY: FORCE
FORCE:

setup:
	@scripts/setup.sh all

# Debian's chromium, for the console's browser tests (tests/e2e/test_console.py).
setup-browser:
	@scripts/setup.sh browser

setup-core:
	@scripts/setup.sh core

run: setup
	@$(MAKE) --no-print-directory all
	$(BUILD)/codeexec --ip 127.0.0.1 --port 8000

# Unit tests: Criterion, one binary per tests/unit/test_*.c.
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)

$(BUILD)/unit/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  CC  $@"
	@$(CC) $(CFLAGS) -Isrc $(LDFLAGS) -o $@ $< $(LIB_OBJ) $(LDLIBS) -lcriterion

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t --jobs 2; done

# --durations: the slowest tests, where `make test`'s time goes.
e2e: all
	$(PYTEST) -q -ra --durations=25 tests/e2e $(PYTEST_ARGS)

# The cgroup v2 suite runs inside a pure cgroup v2 kernel: Debian's
# User-mode Linux, booted by scripts/cg2vm with this machine's filesystem
# (docs/operations.md, "cgroup v2"). When UML cannot run here (package
# missing, no ptrace) it says SKIP and fails: a skip is not a pass. Set
# CG2VM_SKIP_OK=1 to let a machine without UML pass over it.
CG2VM_TIMEOUT ?= 600
test-cgroup2: all
	@rc=0; scripts/cg2vm -t $(CG2VM_TIMEOUT) -m 1G -- \
		$(PYTEST) -q -ra -p no:cacheprovider tests/cgroup2 $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc = 77 ]; then \
		echo "test-cgroup2: SKIPPED, not passed: no cgroup v2 guest could run here (see above)"; \
		if [ -n "$(CG2VM_SKIP_OK)" ]; then rc=0; fi; \
	fi; exit $$rc

test: setup setup-browser
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory e2e
	@$(MAKE) --no-print-directory asan-ci
	@$(MAKE) --no-print-directory test-cgroup2
	@$(MAKE) --no-print-directory fuzz-smoke

# The same jobs, e2e beside the others (scripts/test-lanes says why): about
# 23 minutes here instead of 28-30, under more load (README, "Tests").
test-lanes: setup setup-browser
	@$(MAKE) --no-print-directory all
	@scripts/test-lanes

ASAN_MAKE := $(MAKE) --no-print-directory BUILD=build-asan \
	CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	LDFLAGS="-fsanitize=address,undefined"
ASAN_BIN  := build-asan/codeexec build-asan/codeexec-pyzygote build-asan/codeexec-pyreaper \
	build-asan/codeexec-execzygote $(if $(RACKET_EMBED),build-asan/codeexec-rktzygote) \
	$(if $(R_EMBED),build-asan/codeexec-rzygote) $(if $(ML_EMBED),build-asan/codeexec-mlzygote) \
	$(if $(PHP_EMBED),build-asan/codeexec-phpzygote.so) $(if $(COQ_EMBED),build-asan/codeexec-coqzygote.so) \
	$(if $(OCT_EMBED),build-asan/codeexec-octzygote.so)

asan:
	@$(ASAN_MAKE) $(ASAN_BIN)
	CODEEXEC_BINARY=build-asan/codeexec ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		$(PYTEST) -q -ra tests/e2e $(PYTEST_ARGS)

# The sanitizer job of make test: the unit tests built with ASan+UBSan, then
# an end-to-end subset against the ASan+UBSan server (3-7 minutes in all;
# `make asan` runs every file). The subset is the files that reach the most
# of the server's C code per second, in that order (gcov, per file: test_v1
# alone reaches 2950 lines in 5 s, with test_testbanks 4250; the seven reach
# 4790, test_client would add 4 lines in 27 s). test_hostile_replies adds
# few lines but the reply streams' interleavings, ASan's best hunting ground;
# test_judge and test_problems drive the judge engine and the problem store.
# Each report, from a unit test, the server or a process it forks, goes to a
# file in build-asan/san/ (log_path), and any file there fails the job: the
# tests stop servers with SIGTERM without looking at how they exit, so a
# leak found at exit would otherwise pass unseen. ASan's quarantine of freed
# memory is cut from 256 to 64 MiB: test_hostile_replies bounds the server's
# peak memory, and a judge frees each input's output buffers as it goes.
ASAN_E2E := test_v1.py test_testbanks.py test_hostile_clients.py test_coverage.py test_server.py \
	test_compat.py test_hostile_replies.py test_judge.py test_problems.py test_piston.py \
	test_judge0.py test_standby.py test_warm_ocaml.py test_warm_php.py
asan-ci:
	@$(ASAN_MAKE) $(ASAN_BIN)
	@rm -rf build-asan/san && mkdir -p build-asan/san
	@export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:quarantine_size_mb=64:log_path=$(CURDIR)/build-asan/san/asan \
		UBSAN_OPTIONS=print_stacktrace=1:log_path=$(CURDIR)/build-asan/san/ubsan; \
	rc=0; $(ASAN_MAKE) unit || rc=$$?; \
	if [ $$rc = 0 ]; then CODEEXEC_BINARY=build-asan/codeexec \
		$(PYTEST) -q -ra $(ASAN_E2E:%=tests/e2e/%) $(PYTEST_ARGS) || rc=$$?; fi; \
	if [ -n "$$(ls build-asan/san)" ]; then \
		head -n 60 build-asan/san/*; echo "asan-ci: sanitizer reports in build-asan/san"; rc=1; \
	fi; exit $$rc

# Fuzzing (libFuzzer + ASan/UBSan, clang): tests/fuzz/fuzz_<target>.c, seeds in
# tests/fuzz/corpus/<target>/; new inputs go to $(BUILD)/fuzz/corpus-<target>/,
# crashes to $(BUILD)/fuzz/<target>-crash-*. `make fuzz` runs each target
# FUZZ_TIME s; `make fuzz-smoke` (part of `make test`) FUZZ_SMOKE_TIME s each, plus
# the encoders' differential check against Python's json module.
.PHONY: fuzz-build fuzz-smoke
FUZZ_CC          ?= clang
FUZZ_FLAGS       := -g -O1 -fno-omit-frame-pointer -Isrc $(shell pkg-config --cflags jansson 2>/dev/null)
FUZZ_SAN         := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_TARGETS     := request jsontext recipe jsonl checker zip jsonfast
FUZZ_SRC_request := src/api/request.c src/util/jsonfast.c src/util/utf8.c src/util/buf.c
FUZZ_SRC_jsontext:= src/util/jsontext.c src/util/utf8.c src/util/buf.c
FUZZ_SRC_recipe  := src/lang/recipe.c src/util/buf.c src/util/err.c src/util/strv.c
FUZZ_SRC_jsonl   := src/bank/jsonl.c src/util/jsonfast.c src/util/utf8.c src/util/buf.c src/bank/bank.c src/util/bulk.c src/util/md5.c src/util/err.c
FUZZ_SRC_checker := src/judge/checker.c src/util/utf8.c src/util/buf.c
FUZZ_SRC_zip     := src/util/zip.c src/util/err.c
FUZZ_SRC_jsonfast:= src/util/jsonfast.c src/util/utf8.c src/util/buf.c
FUZZ_TIME        ?= 60
FUZZ_SMOKE_TIME  ?= 10
FUZZ_BIN         := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%) $(BUILD)/fuzz/jsontext_dump

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard src/*/*.c src/*/*.h)
	@mkdir -p $(dir $@)
	@echo "  FUZZ $@"
	@$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_SRC_$*) -ljansson -lz

$(BUILD)/fuzz/jsontext_dump: tests/fuzz/jsontext_dump.c $(FUZZ_SRC_jsontext) $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC  $@"
	@$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_SAN) -o $@ $< $(FUZZ_SRC_jsontext)

fuzz-build: $(FUZZ_BIN)

fuzz fuzz-smoke: fuzz-build
	@set -e; secs=$(if $(filter fuzz,$@),$(FUZZ_TIME),$(FUZZ_SMOKE_TIME)); \
	for t in $(FUZZ_TARGETS); do \
		echo "== fuzz_$$t ($$secs s)"; mkdir -p $(BUILD)/fuzz/corpus-$$t; \
		$(BUILD)/fuzz/fuzz_$$t -max_total_time=$$secs -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/fuzz/$$t- $(BUILD)/fuzz/corpus-$$t tests/fuzz/corpus/$$t \
			2>$(BUILD)/fuzz/$$t.log || { tail -60 $(BUILD)/fuzz/$$t.log; exit 1; }; \
		grep -E '^(Done|stat::number_of_executed_units)' $(BUILD)/fuzz/$$t.log || true; \
	done; \
	/usr/bin/python3 tests/fuzz/jsontext_vs_python.py $(BUILD)/fuzz/jsontext_dump \
		$(if $(filter fuzz,$@),300000,30000) tests/fuzz/corpus/jsontext $(BUILD)/fuzz/corpus-jsontext

# compile_commands.json for clang-tidy and editors: the commands the rules
# above run, one per file. It holds absolute paths, so it lives in $(BUILD).
compdb:
	@mkdir -p $(BUILD)
	@{ $(foreach f,$(SRC),printf '%s\t%s\n' $(f) '$(CC) $(CFLAGS) -c -o $(f:src/%.c=$(BUILD)/obj/%.o) $(f)';) \
	   printf '%s\t%s\n' src/pyzygote/zygote.c 'cc $(ZYGOTE_CFLAGS) -c -o /dev/null src/pyzygote/zygote.c'; \
	   $(if $(RACKET_EMBED),printf '%s\t%s\n' src/rktzygote/zygote.c \
		'cc -O2 -g -std=gnu11 $(WARN) $(HARDEN) -isystem /usr/include/racket -c -o /dev/null src/rktzygote/zygote.c';) \
	   $(if $(R_EMBED),printf '%s\t%s\n' src/rzygote/zygote.c \
		'cc $(RZYGOTE_CFLAGS) -c -o /dev/null src/rzygote/zygote.c';) \
	   $(if $(ML_EMBED),printf '%s\t%s\n' src/mlzygote/zygote.c \
		'cc $(MLZYGOTE_CFLAGS) -c -o /dev/null src/mlzygote/zygote.c';) \
	   $(if $(PHP_EMBED),printf '%s\t%s\n' src/phpzygote/zygote.c \
		'cc $(PHPZYGOTE_CFLAGS) -c -o /dev/null src/phpzygote/zygote.c';) \
	   $(if $(COQ_EMBED),printf '%s\t%s\n' src/coqzygote/zygote.c \
		'cc $(PHPZYGOTE_CFLAGS) -c -o /dev/null src/coqzygote/zygote.c';) \
	   $(if $(OCT_EMBED),printf '%s\t%s\n' src/octzygote/zygote.c \
		'cc $(PHPZYGOTE_CFLAGS) -c -o /dev/null src/octzygote/zygote.c';) \
	   $(foreach f,$(wildcard src/zygote/*.c),printf '%s\t%s\n' $(f) \
		'cc -O2 -g -std=gnu11 $(WARN) $(HARDEN) -c -o /dev/null $(f)';) \
	   $(foreach f,$(filter src/pyzygote/%,$(REAPER_SRC)),printf '%s\t%s\n' $(f) \
		'cc $(REAPER_CFLAGS) -c -o /dev/null $(f)';) \
	   $(foreach f,$(UNIT_SRC),printf '%s\t%s\n' $(f) '$(CC) $(CFLAGS) -Isrc -c -o /dev/null $(f)';) \
	 } | scripts/compdb $(CURDIR) $(BUILD)/compile_commands.json

# clang-tidy over every C file of src/ (checks and their reasons: .clang-tidy),
# warnings as errors, TIDY_JOBS files at a time; part of make lint (about 55 s
# of CPU). One file per clang-tidy: with several, clang-tidy 14's analyzer
# carries state from one file to the next and reports va_lists as
# uninitialised that are not.
TIDY_SRC  := $(SRC) $(wildcard src/pyzygote/*.c src/zygote/*.c) \
	$(if $(RACKET_EMBED),$(wildcard src/rktzygote/*.c)) $(if $(R_EMBED),$(wildcard src/rzygote/*.c)) \
	$(if $(ML_EMBED),$(wildcard src/mlzygote/*.c)) $(if $(PHP_EMBED),$(wildcard src/phpzygote/*.c)) \
	$(if $(COQ_EMBED),$(wildcard src/coqzygote/*.c)) $(if $(OCT_EMBED),$(wildcard src/octzygote/*.c))
TIDY_JOBS ?= 2
tidy: compdb
	@echo "  TIDY $(words $(TIDY_SRC)) files"
	@printf '%s\n' $(TIDY_SRC) | xargs -P$(TIDY_JOBS) -n1 clang-tidy -p $(BUILD) --quiet \
		2>$(BUILD)/tidy.log || { grep -v ' generated\.$$' $(BUILD)/tidy.log; false; }

format:
	clang-format -i $(SRC) $(wildcard src/pyzygote/*.c src/zygote/*.c src/rktzygote/*.c src/rzygote/*.c src/mlzygote/*.c src/phpzygote/*.c src/coqzygote/*.c src/octzygote/*.c) $(wildcard src/*/*.h) $(wildcard tests/unit/*.c)

lint: $(BUILD)/codeexec
	@scripts/options-doc --check $(BUILD)/codeexec
	@scripts/check-layers
	@/usr/bin/python3 tests/judge/make_corpus.py --check
	@clang-format --dry-run --Werror $(SRC) $(wildcard src/pyzygote/*.c src/zygote/*.c src/rktzygote/*.c src/rzygote/*.c src/mlzygote/*.c src/phpzygote/*.c src/coqzygote/*.c src/octzygote/*.c) $(wildcard src/*/*.h)
	@! grep -nE '\b(sprintf|strcpy|strcat|gets)\s*\(' $(SRC) $(wildcard src/pyzygote/*.c src/zygote/*.c src/rktzygote/*.c src/rzygote/*.c src/mlzygote/*.c src/phpzygote/*.c src/coqzygote/*.c src/octzygote/*.c) || (echo "banned call" && false)
	@$(MAKE) --no-print-directory tidy

clean:
	rm -rf build build-asan

# Benchmarks print ratios against baselines measured in the same run
# (docs/performance.md); the soak is long (tens of thousands of runs).
$(BUILD)/nscost: bench/nscost.c
	@mkdir -p $(dir $@)
	@$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

# bench/warm_python.py (about 4 minutes) measures /py_exec warm and cold
# against bare python3 and the original's recipe; it writes
# bench/results/warm_python.tsv and docs/img/warm-python.png.
# WARM_BENCH_ARGS="--runs 50 --rounds 3" shortens it.
WARM_BENCH_ARGS ?=
# bench/judge.py (a few minutes): /v1/judge against one compile + direct runs,
# per-test recompiling and cold python3; JUDGE_BENCH_ARGS="--rounds 3" shortens it.
JUDGE_BENCH_ARGS ?=

bench: all $(BUILD)/nscost
	@scripts/setup.sh bench
	@echo "== namespace costs"; $(BUILD)/nscost 300
	@echo "== /py_exec: warm Python, cold, bare python3, the original's recipe"
	cd bench && /usr/bin/python3 warm_python.py $(WARM_BENCH_ARGS)
	cd bench && /usr/bin/python3 languages.py --concurrency 1,2
	@echo "== standby boxes on against off (--no-standby)"
	cd bench && /usr/bin/python3 standby.py
	cd bench && /usr/bin/python3 testbank_load.py
	@echo "== judge mode: /v1/judge against compile + direct runs, recompiling, cold python3"
	cd bench && /usr/bin/python3 judge.py $(JUDGE_BENCH_ARGS)
	@echo "== SandboxFusion /run_code: 1000 Python calls at 32 concurrent vs python3 subprocesses"
	cd bench && /usr/bin/python3 sandboxfusion.py

soak: all
	cd bench && /usr/bin/python3 soak.py $(SOAK_ARGS)
