# wenming — build, run, test. See README.md.
CC      ?= cc
PKGS    := libmicrohttpd sqlite3 libpq jansson libxml-2.0 libsodium zlib yaml-0.1 libcrypto
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla
DEPCFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
DEPLIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
ALLCFLAGS = $(WARN) $(CFLAGS) -Isrc -Ibuild/gen $(DEPCFLAGS) -DWM_DATA_DIR='"$(CURDIR)/data"' -DWM_WEB_DIR='"$(CURDIR)/web"' -MMD -MP
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

SRC      := $(shell find src -name '*.c' ! -name main.c | sort)
SCHEMA   := $(sort $(wildcard src/store/schema/*.sql))
DOCS     := docs/openapi.yaml
GEN      := build/gen/embedded_schema.c build/gen/embedded_docs.c
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))

OBJ      := $(SRC:%.c=build/obj/%.o) build/obj/gen/embedded_schema.o build/obj/gen/embedded_docs.o
ASAN_OBJ := $(SRC:%.c=build/asan/%.o) build/asan/gen/embedded_schema.o build/asan/gen/embedded_docs.o
# Every unit test file in one Criterion binary: one link instead of one per file, and its
# workers (--jobs) spread all the tests over the cores instead of one file's at a time.
UNIT_OBJ := $(UNIT_SRC:tests/unit/%.c=build/asan/tests/%.o)
UNIT_BIN := build/asan/tests/unit

PORT ?= 8080
DB   ?= var/wenming.db

.PHONY: bench-portal bench-search bench-console browser-test bench-inspection all run test asan unit http-test bench bench-pg bench-auth bench-workflow clean deps fmt lint
all: build/wenming

deps:
	@scripts/deps.sh

build/tools/embed: tools/embed.c
	@mkdir -p $(@D)
	$(CC) -O1 -o $@ $<

build/gen/embedded_schema.c: build/tools/embed $(SCHEMA)
	@mkdir -p $(@D)
	build/tools/embed embedded_schema $(SCHEMA) > $@
build/gen/embedded_docs.c: build/tools/embed $(DOCS)
	@mkdir -p $(@D)
	build/tools/embed embedded_docs $(DOCS) > $@

build/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(ALLCFLAGS) -c -o $@ $<
build/asan/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(ALLCFLAGS) $(SAN) -c -o $@ $<

build/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALLCFLAGS) -c -o $@ $<
build/asan/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALLCFLAGS) $(SAN) -O1 -c -o $@ $<

build/libwenming.a: $(OBJ)
	ar rcs $@ $^
build/asan/libwenming.a: $(ASAN_OBJ)
	ar rcs $@ $^

build/wenming: build/obj/src/main.o build/libwenming.a
	$(CC) $(CFLAGS) -o $@ $^ $(DEPLIBS)
build/asan/wenming: build/asan/src/main.o build/asan/libwenming.a
	$(CC) $(SAN) -o $@ $^ $(DEPLIBS)

build/asan/tests/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(ALLCFLAGS) $(SAN) -O1 -c -o $@ $<
$(UNIT_BIN): $(UNIT_OBJ) build/asan/libwenming.a
	$(CC) $(SAN) -o $@ $(UNIT_OBJ) build/asan/libwenming.a $(DEPLIBS) -lcriterion

# `make run`: install what is missing, build, create the demo database once, serve.
run: deps build/wenming
	@mkdir -p var
	@test -f $(DB) || build/wenming init --demo --demo-users --db $(DB)
	build/wenming serve --db $(DB) --port $(PORT)

# Every test, under AddressSanitizer + UBSan: unit tests, HTTP tests against the real server
# (on both stores), then the console in a real browser.
# The optimised binary is built first: -O2 runs warnings (-Werror) that -O1 does not, and
# `make run` must build on a fresh machine.
test: deps
	@$(MAKE) --no-print-directory -j2 build/wenming
	@$(MAKE) --no-print-directory -j2 asan

# Both stores: a throwaway PostgreSQL cluster (scripts/pg-test-server.sh) serves the PostgreSQL
# unit tests and the second HTTP run, and is stopped however the tests end.
asan: build/asan/wenming $(UNIT_BIN)
	@pgdir=$$(mktemp -d /tmp/wm-pg-XXXXXX) && \
	export WENMING_TEST_CACHE=$$(mktemp -d /tmp/wm-templates-XXXXXX) && \
	trap 'scripts/pg-test-server.sh stop "$$pgdir"; rm -rf "$$WENMING_TEST_CACHE"' EXIT INT TERM && \
	export WENMING_TEST_PG=$$(scripts/pg-test-server.sh start "$$pgdir") && \
	scripts/run-unit.sh $(UNIT_BIN) && \
	echo "== HTTP tests on SQLite" && \
	WENMING_TEST_PG= WENMING_BIN=build/asan/wenming node --test --test-reporter=spec --test-concurrency=3 tests/http/ && \
	echo "== HTTP tests on PostgreSQL ($$WENMING_TEST_PG)" && \
	WENMING_BIN=build/asan/wenming node --test --test-reporter=spec --test-concurrency=3 tests/http/ && \
	echo "== Browser tests (chromium; the optimised server: the C is covered above)" && \
	WENMING_TEST_PG= WENMING_BIN=build/wenming node --test --test-reporter=spec --test-concurrency=2 tests/browser/

# The console in chromium alone (tests/browser/, docs/console.md).
browser-test: build/wenming
	@WENMING_BIN=build/wenming node --test --test-reporter=spec --test-concurrency=2 tests/browser/

# `make unit`, or one suite: `make unit UNIT_FILTER='seed/*'` (Criterion's --filter).
unit: $(UNIT_BIN)
	@scripts/run-unit.sh $(UNIT_BIN) $(if $(UNIT_FILTER),--filter '$(UNIT_FILTER)')

bench: build/wenming
	@scripts/deps.sh --bench
	bench/run.sh
	@$(MAKE) --no-print-directory bench-auth

# Logins (argon2id), area lookups and the cost of auth + audit on a write (issue 4).
build/bench/auth_bench: bench/auth_bench.c build/libwenming.a
	@mkdir -p $(@D)
	$(CC) $(ALLCFLAGS) -o $@ $< build/libwenming.a $(DEPLIBS)

bench-auth: build/bench/auth_bench
	build/bench/auth_bench $(BENCH_AUTH_ARGS)

# A year of generated history (wenming demo generate): figures, the dispatcher's inbox and the
# escalation pass (docs/benchmarks.md, "Workflow at city scale"). BENCH_N=200000 for a quick run.
build/bench/workflow_bench: bench/workflow_bench.c build/libwenming.a
	@mkdir -p $(@D)
	$(CC) $(ALLCFLAGS) -o $@ $< build/libwenming.a $(DEPLIBS)

bench-portal: build/wenming
	@scripts/deps.sh --bench
	bench/portal_bench.sh

bench-search: build/wenming
	bench/search_bench.sh

bench-workflow: build/wenming build/bench/workflow_bench
	@scripts/deps.sh --bench
	bench/workflow_bench.sh

# Inspection rounds at evaluation scale: 5,000 sites × 40 items (issue 6; docs/benchmarks.md).
build/bench/inspection_bench: bench/inspection_bench.c build/libwenming.a
	@mkdir -p $(@D)
	$(CC) $(ALLCFLAGS) -o $@ $< build/libwenming.a $(DEPLIBS)

bench-inspection: build/bench/inspection_bench
	build/bench/inspection_bench $(BENCH_INSPECTION_ARGS)

# The console's page weights and the inbox's time to interactive with 10,000 open cases.
bench-console: build/wenming
	@scripts/deps.sh
	WENMING_BIN=build/wenming node bench/console_bench.mjs $(BENCH_CONSOLE_ARGS)

# PostgreSQL, one instance and two behind nginx, beside SQLite (issue 3; docs/benchmarks.md).
bench-pg: build/wenming
	@scripts/deps.sh --bench
	bench/run_pg.sh

fmt:
	clang-format -i $$(find src tests/unit tools bench -name '*.[ch]')

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
		--suppress=missingIncludeSystem -Isrc src

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
