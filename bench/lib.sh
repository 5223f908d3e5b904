# shellcheck shell=bash disable=SC2016,SC2034
# Shared helpers for bench/run.sh and bench/kill9.sh (sourced, not run).
# Servers listen on 127.0.0.1 only; every process started here is recorded in BENCH_PIDS and
# stopped by bench_cleanup, which the scripts install as their EXIT trap.

BENCH_PIDS=()   # servers and helpers to stop at exit
BENCH_TMP=()    # directories to remove at exit

log() { printf '%s\n' "bench: $*" >&2; }
die() { log "error: $*"; exit 1; }

# A TCP port nobody listens on now (there is a small race until our server binds it; the
# servers are started with retries).
free_port() {
	local p i
	for i in $(seq 1 200); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# bg_wait CMD...: runs CMD in the background and waits for it, so a signal to the script is
# handled at once (bash runs traps only between foreground commands); returns CMD's status.
bg_wait() {
	"$@" &
	local pid=$! rc=0
	BENCH_PIDS+=("$pid")
	wait "$pid" || rc=$?
	forget_pid "$pid"
	return "$rc"
}

# forget_pid PID: a reaped process leaves BENCH_PIDS (its number may be reused by someone else).
forget_pid() {
	local p keep=()
	for p in "${BENCH_PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	BENCH_PIDS=("${keep[@]}")
}

# stop_pid PID: SIGTERM, up to 10 s for a graceful exit, then SIGKILL.
stop_pid() {
	local pid=$1 i
	if ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid" 2>/dev/null || true
		forget_pid "$pid"
		return 0
	fi
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "pid $pid did not stop within 10 s of SIGTERM: killing it"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
	forget_pid "$pid"
}

bench_cleanup() {
	local rc=$? i
	set +e
	for ((i = ${#BENCH_PIDS[@]} - 1; i >= 0; i--)); do
		stop_pid "${BENCH_PIDS[$i]}"
	done
	for i in "${BENCH_TMP[@]}"; do rm -rf -- "$i"; done
	exit "$rc"
}

# start_server NAME LOGFILE TIMEOUT_S CMD... (CMD contains the literal word PORT, replaced by a
# free port). Waits for "listening on http://127.0.0.1:N" on stderr. Sets SERVER_PID and
# SERVER_PORT. Retries with another port if the server dies before it is ready.
start_server() {
	local name=$1 logf=$2 timeout=$3 attempt port pid deadline
	shift 3
	for attempt in 1 2 3; do
		port=$(free_port) || die "no free port"
		local cmd=() a
		for a in "$@"; do [ "$a" = PORT ] && cmd+=("$port") || cmd+=("$a"); done
		"${cmd[@]}" >"$logf.out" 2>"$logf" 9>&- & # fd 9: run.sh's lock, not the server's
		pid=$!
		BENCH_PIDS+=("$pid")
		deadline=$((SECONDS + timeout))
		while ! grep -q 'listening on http://127\.0\.0\.1:' "$logf" 2>/dev/null; do
			if ! kill -0 "$pid" 2>/dev/null; then
				wait "$pid" 2>/dev/null || true
				forget_pid "$pid"
				log "$name exited before it was ready (attempt $attempt):"
				sed 's/^/    /' "$logf" >&2
				pid=""
				break
			fi
			if ((SECONDS >= deadline)); then
				die "$name not ready after ${timeout} s (log: $logf)"
			fi
			sleep 0.05
		done
		if [ -n "$pid" ]; then
			SERVER_PID=$pid
			SERVER_PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$logf" | head -n 1)
			return 0
		fi
	done
	die "$name could not start"
}

# http_get URL: prints the body; non-zero exit on a non-2xx status or a network error.
# (node is a project dependency; curl is not.)
http_get() {
	node -e '
		fetch(process.argv[1]).then(async (r) => {
			process.stdout.write(await r.text());
			if (!r.ok) { console.error(`HTTP ${r.status}`); process.exit(1); }
		}).catch((e) => { console.error(e.message); process.exit(2); });' "$1"
}

# service_codes BASE_URL: up to 8 active service codes without required attributes
# (metadata=false), comma-separated, from GET /open311/v2/services.json.
service_codes() {
	http_get "$1/open311/v2/services.json" | node -e '
		let s = "";
		process.stdin.on("data", (d) => (s += d)).on("end", () => {
			const all = JSON.parse(s);
			let ok = all.filter((x) => x.metadata === false || x.metadata === "false");
			if (ok.length === 0) ok = all;
			const codes = ok.map((x) => x.service_code).filter(Boolean).slice(0, 8);
			if (codes.length === 0) process.exit(1);
			console.log(codes.join(","));
		});'
}

# pin_prefix CPUS: "taskset -c CPUS" when CPUS is set and taskset exists.
pin_prefix() {
	if [ -n "${1:-}" ] && command -v taskset >/dev/null 2>&1; then
		echo "taskset -c $1"
	fi
}

# The flags the project compiles with, and the libraries build/wenming links (read from the
# Makefile, so bench tools that link build/libwenming.a follow it when it changes).
BENCH_CFLAGS=(-std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla)
make_var() {
	printf 'bench-print-var:\n\t@echo $(%s)\n' "$1" |
		make --no-print-directory -s -f Makefile -f - bench-print-var
}

# build_gen_cases: build/bench/gen_cases, linked with the project's store (build/libwenming.a).
build_gen_cases() {
	make --no-print-directory build/libwenming.a >&2
	local out=build/bench/gen_cases
	if [ ! -x "$out" ] || [ bench/gen_cases.c -nt "$out" ] || [ build/libwenming.a -nt "$out" ]; then
		local libs
		read -r -a libs <<<"$(make_var DEPLIBS)"
		mkdir -p build/bench
		cc "${BENCH_CFLAGS[@]}" -Isrc -Ibuild/gen bench/gen_cases.c build/libwenming.a \
			"${libs[@]}" -o "$out"
	fi
}
