# codeexec — build, run and test.
#
#   make            build build/codeexec
#   make run        install what is missing (Debian 12, apt), build, serve on 127.0.0.1:8000
#   make test       install, build, run the unit and end-to-end tests
#   make asan       the end-to-end tests against an ASan+UBSan build
#   make fuzz       the libFuzzer targets, longer runs
#   make bench      benchmarks (bench/), printing ratios
#   make soak       the long mixed-load soak
#   make format     clang-format the sources; make lint checks format and banned calls

CC      ?= cc
PKGS    := libevent jansson libseccomp
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
           -Wformat-nonliteral -Wvla -Wno-unused-result -Wno-format-truncation
HARDEN  := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 $(WARN) $(HARDEN) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDFLAGS += -pie -Wl,-z,relro,-z,now
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -levent -ljansson -lseccomp)

SRC     := $(wildcard src/util/*.c src/lang/*.c src/sandbox/*.c src/exec/*.c src/api/*.c src/bank/*.c src/server/*.c)
LIB_SRC := $(filter-out src/server/main.c,$(SRC))
BUILD   ?= build
OBJ     := $(SRC:src/%.c=$(BUILD)/obj/%.o)
LIB_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
PYTEST  := /usr/bin/python3 -m pytest

.PHONY: all setup setup-core run test unit e2e asan fuzz bench soak format lint clean

all: $(BUILD)/codeexec

$(BUILD)/codeexec: $(OBJ)
	@echo "  LD  $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC  $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

setup:
	@scripts/setup.sh all

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

e2e: all
	$(PYTEST) -q -ra tests/e2e $(PYTEST_ARGS)

test: setup
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory e2e

asan:
	@$(MAKE) --no-print-directory BUILD=build-asan \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
		LDFLAGS="-fsanitize=address,undefined" build-asan/codeexec
	CODEEXEC_BINARY=build-asan/codeexec ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		$(PYTEST) -q -ra tests/e2e $(PYTEST_ARGS)

format:
	clang-format -i $(SRC) $(wildcard src/*/*.h) $(wildcard tests/unit/*.c)

lint:
	@clang-format --dry-run --Werror $(SRC) $(wildcard src/*/*.h)
	@! grep -nE '\b(sprintf|strcpy|strcat|gets)\s*\(' $(SRC) || (echo "banned call" && false)

clean:
	rm -rf build build-asan
