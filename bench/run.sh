#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2317 # node programs in single quotes; a function called indirectly
# The benchmark of issue 2 (`make bench`; see docs/benchmarks.md). In one run: a bare
# libmicrohttpd "hello" server and wenming on a 1,000,000-case database, both with the same
# thread count, driven by wrk (keep-alive, 64 connections, 2 threads):
#   hello GET /  ·  wenming GET requests.json?status=open (50 newest)  ·  wenming POST requests.json
# Prints req/s with the ratio to hello's req/s, p50/p99 latency, errors and wenming's peak RSS,
# with PASS/FAIL against the targets; checks that every acknowledged POST is in the database.
#
# Settings (environment): BENCH_N=1000000 cases · BENCH_THREADS=2 server threads ·
# BENCH_CONNS=64 · BENCH_WRK_THREADS=2 · BENCH_SECONDS=15 per test · BENCH_WARMUP=3 ·
# BENCH_PIN=split (servers on the first half of the CPUs, wrk on the second) or shared ·
# BENCH_PERF=1 (perf profile of wenming during the GET and POST runs) · BENCH_REGEN=1 (rebuild
# the cached database) · BENCH_STRICT=1 (exit 1 when a target is missed).
# Output: the table on stdout; logs, wrk reports and results.md in bench/out/last/.
set -euo pipefail
# One client posting as fast as it can from one address with one key: no abuse limits.
export WENMING_POST_RATE_IP=0 WENMING_POST_RATE_KEY=0
cd "$(dirname "$0")/.."
. bench/lib.sh

N=${BENCH_N:-1000000}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNS:-64}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
SECS=${BENCH_SECONDS:-15}
WARMUP=${BENCH_WARMUP:-3}
PIN=${BENCH_PIN:-split}
PERF=${BENCH_PERF:-0}
for v in N THREADS CONNS WRK_THREADS SECS WARMUP; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "BENCH_$v must be a positive whole number, not '${!v}'"
done
[[ $PIN == split || $PIN == shared ]] || die "BENCH_PIN must be split or shared"

# Targets of issue 2.
GET_RATIO_MIN=0.40
GET_P99_MAX_MS=20
POST_RPS_MIN=3000
RSS_MAX_MIB=64

command -v wrk >/dev/null || die "wrk is missing: run scripts/deps.sh --bench"
command -v node >/dev/null || die "node is missing: run scripts/deps.sh"

OUT=bench/out
mkdir -p "$OUT" build/bench
exec 9>"$OUT/.lock"
flock -n 9 || die "another benchmark is running (lock $OUT/.lock)"
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

RUN=$OUT/last
rm -rf "$RUN"
mkdir -p "$RUN/db"
BENCH_TMP+=("$RUN/db") # the 1M-case copy: hundreds of MiB, not worth keeping

# ---- CPUs: servers on the first half, wrk on the second (the RSS sampler is not pinned: it
# wakes 5 times a second).
NCPU=$(nproc)
SERVER_CPUS=""
WRK_CPUS=""
if [ "$PIN" = split ] && [ "$NCPU" -ge 2 ] && command -v taskset >/dev/null; then
	half=$((NCPU / 2))
	SERVER_CPUS=0
	[ "$half" -gt 1 ] && SERVER_CPUS="0-$((half - 1))"
	WRK_CPUS=$half
	[ $((NCPU - half)) -gt 1 ] && WRK_CPUS="$half-$((NCPU - 1))"
else
	PIN=shared
fi
read -r -a SRV_PIN <<<"$(pin_prefix "$SERVER_CPUS")"
read -r -a WRK_PIN <<<"$(pin_prefix "$WRK_CPUS")"

# ---- build
log "building build/wenming"
make --no-print-directory build/wenming >&2
build_tool() { # NAME SOURCE LIBS...
	local name=$1 src=$2
	shift 2
	if [ ! -x "build/bench/$name" ] || [ "$src" -nt "build/bench/$name" ]; then
		cc "${BENCH_CFLAGS[@]}" "$src" "$@" -o "build/bench/$name"
	fi
}
build_tool hello bench/hello.c -lmicrohttpd
build_gen_cases

# ---- the database: generated once per (N, schema, reference data, generator), then copied.
key=$({
	cat src/store/schema/*.sql bench/gen_cases.c src/core/tracking.c
	[ -d data ] && find data -type f -print0 | sort -z | xargs -0 -r cat
} | sha256sum | cut -c1-12)
CACHE=$OUT/cases-$N-$key.db
if [ "${BENCH_REGEN:-0}" = 1 ] || [ ! -f "$CACHE" ]; then
	log "generating $N cases into $CACHE (once; later runs copy it)"
	tmpdb=$OUT/gen.$$.db
	BENCH_TMP+=("$tmpdb" "$tmpdb-wal" "$tmpdb-shm")
	rm -f "$tmpdb" "$tmpdb-wal" "$tmpdb-shm"
	init_args=(init --demo --db "$tmpdb")
	# No sample cases: the database holds exactly N (when this wenming can be told so).
	build/wenming init --help 2>/dev/null | grep -q -- --demo-cases && init_args+=(--demo-cases 0)
	build/wenming "${init_args[@]}" >&2
	build/bench/gen_cases --db "$tmpdb" --n "$N" | tee "$RUN/gen_cases.txt"
	find "$OUT" -maxdepth 1 -name "cases-$N-*.db" ! -name "$(basename "$CACHE")" -delete
	mv "$tmpdb" "$CACHE"
fi
DB=$RUN/db/wenming.db
cp --reflink=auto "$CACHE" "$DB"
count_cases() { build/bench/gen_cases --db "$DB" --sql "SELECT count(*) FROM cases"; }
log "database: $(count_cases) cases, $(du -m "$DB" | cut -f1) MiB ($CACHE)"

APIKEY=$(build/wenming apikey create bench --db "$DB" | tail -n 1 | tr -d '[:space:]')
[ -n "$APIKEY" ] || die "wenming apikey create printed no key"

# ---- servers
start_server hello "$RUN/hello.log" 10 "${SRV_PIN[@]}" build/bench/hello PORT "$THREADS"
HELLO_PID=$SERVER_PID
HELLO=http://127.0.0.1:$SERVER_PORT
start_server wenming "$RUN/wenming.log" 60 "${SRV_PIN[@]}" build/wenming serve --db "$DB" \
	--port PORT --threads "$THREADS" --media "$RUN/db/media" --quiet
WM_PID=$SERVER_PID
WM=http://127.0.0.1:$SERVER_PORT
log "hello $HELLO (pid $HELLO_PID), wenming $WM (pid $WM_PID), $THREADS threads each;" \
	"pinning: $PIN${SERVER_CPUS:+ (servers on CPU $SERVER_CPUS, wrk on CPU $WRK_CPUS)}"

# ---- sanity: the requests measured below must succeed, or the figures mean nothing.
GET_PATH="/open311/v2/requests.json?status=open&page_size=50"
POST_PATH="/open311/v2/requests.json"
SERVICES=$(service_codes "$WM") || die "no service codes from $WM/open311/v2/services.json"
nopen=$(http_get "$WM$GET_PATH" | node -e '
	let s = ""; process.stdin.on("data", (d) => (s += d))
		.on("end", () => console.log(JSON.parse(s).length));') || die "GET $GET_PATH failed"
[ "$nopen" = 50 ] || die "GET $GET_PATH answered $nopen requests, not 50 (BENCH_N too small?)"
node -e '
	const [url, key, code] = process.argv.slice(1);
	const body = new URLSearchParams({ api_key: key, service_code: code, lat: "38.9140",
		long: "121.6147", description: "bench: sanity check" });
	fetch(url, { method: "POST", body }).then(async (r) => {
		const t = await r.text();
		if (!r.ok) { console.error(`POST answered ${r.status}: ${t}`); process.exit(1); }
	}).catch((e) => { console.error(e.message); process.exit(2); });' \
	"$WM$POST_PATH" "$APIKEY" "${SERVICES%%,*}" || die "a single POST $POST_PATH failed"

# ---- measuring
# Other work on the machine skews every figure (the ratio to hello least): say so.
LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$LOAD_BEFORE" -v n="$NCPU" 'BEGIN { exit !(l > 0.5 * n) }'; then
	log "warning: load average $LOAD_BEFORE on $NCPU CPUs before measuring: figures will be low and noisy"
fi
# rss_watch PID FILE: the largest VmRSS seen (kB), sampled every 200 ms, kept in FILE.
rss_watch() {
	local pid=$1 out=$2 max=0 k v rest
	while [ -r "/proc/$pid/status" ]; do
		while read -r k v rest; do
			if [ "$k" = VmRSS: ]; then
				if ((v > max)); then max=$v; fi
				break
			fi
		done <"/proc/$pid/status" || break
		echo "$max" >"$out"
		sleep 0.2
	done
}
# cpu_ticks PID: user + system CPU time of the process so far, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
CLK_TCK=$(getconf CLK_TCK)
# cpu_busy CPUS / cpu_steal CPUS: busy (user+nice+system+irq+softirq) and stolen ticks so far,
# summed over a taskset-style CPU list ("0", "0-3"); all CPUs when empty.
# children_ticks VAR: CPU ticks of this shell's finished children so far (bash's `times` must
# run in this shell, not in a $(…) subshell, hence the variable).
children_ticks() {
	times >"$RUN/.times"
	printf -v "$1" '%s' "$(awk -v hz="$CLK_TCK" 'NR == 2 {
		t = 0
		for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] }
		printf "%d", t * hz }' "$RUN/.times")"
}
cpu_sum() {
	local list=$1 cols=$2
	awk -v list="$list" -v cols="$cols" '
		BEGIN {
			n = split(list, parts, ",")
			for (i = 1; i <= n; i++) {
				if (split(parts[i], r, "-") == 2) { for (c = r[1]; c <= r[2]; c++) want["cpu" c] = 1 }
				else want["cpu" parts[i]] = 1
			}
			split(cols, k, " ")
		}
		(list == "" && $1 == "cpu") || ($1 in want) { for (j in k) sum += $(k[j] + 1) }
		END { printf "%d\n", sum }' /proc/stat
}
cpu_busy() { cpu_sum "$1" "1 2 3 6 7"; }
cpu_steal() { cpu_sum "$1" "8"; }
vm_hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
field() { sed -n "s/^BENCH .*\<$2=\([^ ]*\).*/\1/p" "$1"; }

# measure NAME PID URL SCRIPT [SCRIPT ARGS…]: warm-up, then the measured run with the RSS sampler
# (and perf when asked). Leaves RUN/NAME.wrk (wrk's report + the BENCH line), RUN/NAME.rss (kB).
measure() {
	local name=$1 pid=$2 url=$3 script=$4
	shift 4
	local wrk=("${WRK_PIN[@]}" wrk -c "$CONNS" -t "$WRK_THREADS" --latency --timeout 5s -s "$script")
	local args=()
	[ $# -eq 0 ] || args=(-- "$@")
	log "$name: warm-up ${WARMUP} s"
	bg_wait timeout $((WARMUP + 30)) "${wrk[@]}" -d "${WARMUP}s" "$url" "${args[@]}" >"$RUN/$name.warmup" 2>&1 ||
		die "$name: wrk warm-up failed: $(cat "$RUN/$name.warmup")"
	echo 0 >"$RUN/$name.rss"
	rss_watch "$pid" "$RUN/$name.rss" &
	local sampler=$!
	BENCH_PIDS+=("$sampler")
	local perf_pid=""
	if [ "$PERF" = 1 ] && [ "$pid" = "$WM_PID" ]; then
		# DWARF unwinding: Debian's libraries have no frame pointers.
		perf record -F 499 --call-graph dwarf,16384 -p "$pid" -o "$RUN/perf-$name.data" \
			-- sleep "$SECS" >"$RUN/perf-$name.log" 2>&1 &
		perf_pid=$!
		BENCH_PIDS+=("$perf_pid")
	fi
	if [ -n "${PRE_MEASURE:-}" ]; then "$PRE_MEASURE"; fi
	log "$name: measuring ${SECS} s"
	local t0 b0 s0 c0 c1
	t0=$(cpu_ticks "$pid")
	b0=$(cpu_busy "")
	s0=$(cpu_steal "")
	children_ticks c0
	bg_wait timeout $((SECS + 60)) "${wrk[@]}" -d "${SECS}s" "$url" "${args[@]}" >"$RUN/$name.wrk" 2>&1 ||
		die "$name: wrk failed: $(cat "$RUN/$name.wrk")"
	children_ticks c1
	# CPU ticks during the run: server, whole machine (busy), stolen, wrk (our children).
	echo "$(($(cpu_ticks "$pid") - t0)) $(($(cpu_busy "") - b0)) $(($(cpu_steal "") - s0))" \
		"$((c1 - c0))" >"$RUN/$name.cpu"
	stop_pid "$sampler"
	if [ -n "$perf_pid" ]; then
		wait "$perf_pid" || true
		forget_pid "$perf_pid"
		# Self time per function, then inclusive time (what a function and its callees cost).
		perf report -i "$RUN/perf-$name.data" --no-children --stdio --percent-limit 0.5 \
			--sort dso,symbol -g none >"$RUN/perf-$name.txt" 2>/dev/null || true
		perf report -i "$RUN/perf-$name.data" --children --stdio --percent-limit 2 \
			--sort symbol -g none >"$RUN/perf-$name.children.txt" 2>/dev/null || true
		log "$name: profile in $RUN/perf-$name.txt and perf-$name.children.txt"
	fi
	grep -q '^BENCH ' "$RUN/$name.wrk" || die "$name: no summary from wrk: $(cat "$RUN/$name.wrk")"
}

measure hello "$HELLO_PID" "$HELLO/" bench/summary.lua
measure get "$WM_PID" "$WM$GET_PATH" bench/summary.lua
note_before() { BEFORE=$(count_cases); } # after the warm-up's POSTs
PRE_MEASURE=note_before measure post "$WM_PID" "$WM$POST_PATH" bench/post.lua "$APIKEY" "$SERVICES"
AFTER=$(count_cases)
WM_HWM=$(vm_hwm "$WM_PID")
LOAD_AFTER=$(cut -d' ' -f1 /proc/loadavg)

# ---- graceful stop of both servers (SIGTERM: in-flight requests finish, then exit 0)
stop_graceful() { # PID VAR: SIGTERM, then sets VAR to how it ended
	local pid=$1 t0=$SECONDS rc=0 i
	kill -TERM "$pid"
	for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$pid" 2>/dev/null; then
		printf -v "$2" '%s' "still running 10 s after SIGTERM"
		return 0
	fi
	wait "$pid" || rc=$?
	forget_pid "$pid"
	if [ "$rc" = 0 ]; then
		printf -v "$2" 'exit 0 within %d s' $((SECONDS - t0 + 1))
	else
		printf -v "$2" 'exit status %d' "$rc"
	fi
}
stop_graceful "$WM_PID" WM_STOP
stop_graceful "$HELLO_PID" HELLO_STOP

# ---- report
HELLO_RPS=$(field "$RUN/hello.wrk" rps)
fails=0
verdict() { # CONDITION(awk) TEXT
	if awk "BEGIN { exit !($1) }"; then echo "PASS $2"; else echo "FAIL $2"; fi
}
# cpu_pct TEST WHAT: % of one CPU over the measured run, WHAT = server, wrk, other (busy time of
# the machine spent by neither: other work that competed with the benchmark) or steal.
cpu_pct() {
	local srv busy steal wrk
	read -r srv busy steal wrk <"$RUN/$1.cpu"
	awk -v s="$srv" -v b="$busy" -v st="$steal" -v w="$wrk" -v what="$2" -v hz="$CLK_TCK" \
		-v d="$(field "$RUN/$1.wrk" duration_us)" 'BEGIN {
			v = what == "server" ? s : what == "wrk" ? w : what == "steal" ? st : b - s - w
			v = v / hz / (d / 1e6) * 100
			printf "%.0f%%", v < 0 ? 0 : v }'
}
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
mib() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }
ratio() { awk -v a="$1" -v b="$HELLO_RPS" 'BEGIN { printf "%.1f%%", 100 * a / b }'; }

row() { # NAME LABEL -> table fields
	local f=$RUN/$1.wrk
	local rps p50 p99 errs rss
	rps=$(field "$f" rps)
	p50=$(field "$f" p50_us)
	p99=$(field "$f" p99_us)
	errs=$(($(field "$f" status_errors) + $(field "$f" socket_errors)))
	if [ "$(field "$f" ok2xx)" != -1 ]; then
		errs=$(($(field "$f" requests) - $(field "$f" ok2xx) + $(field "$f" socket_errors)))
	fi
	rss=$(cat "$RUN/$1.rss")
	local srv us_req
	read -r srv _ <"$RUN/$1.cpu"
	us_req=$(awk -v t="$srv" -v hz="$CLK_TCK" -v n="$(field "$f" requests)" \
		'BEGIN { printf "%.0f", n ? t / hz * 1e6 / n : 0 }')
	printf '%s|%.0f|%s|%s|%s|%s|%s|%s|%s|%s\n' "$2" "$rps" "$(ratio "$rps")" "$(ms "$p50")" \
		"$(ms "$p99")" "$errs" "$(mib "$rss")" "$us_req" "$(cpu_pct "$1" server)" \
		"$(cpu_pct "$1" wrk)"
}

GET_RPS=$(field "$RUN/get.wrk" rps)
GET_P99=$(field "$RUN/get.wrk" p99_us)
GET_ERRS=$(($(field "$RUN/get.wrk" status_errors) + $(field "$RUN/get.wrk" socket_errors)))
POST_RPS=$(field "$RUN/post.wrk" rps)
POST_OK=$(field "$RUN/post.wrk" ok2xx)
POST_ERRS=$(($(field "$RUN/post.wrk" requests) - POST_OK + $(field "$RUN/post.wrk" socket_errors)))
RSS_GET=$(cat "$RUN/get.rss")
RSS_POST=$(cat "$RUN/post.rss")
RSS_MAX=$((RSS_GET > RSS_POST ? RSS_GET : RSS_POST))
GROWN=$((AFTER - BEFORE))

V_GET=$(verdict "$GET_RPS / $HELLO_RPS >= $GET_RATIO_MIN && $GET_P99 < $GET_P99_MAX_MS * 1000 && $GET_ERRS == 0" \
	"GET: >= 40% of hello, p99 < 20 ms, no errors")
V_POST=$(verdict "$POST_RPS >= $POST_RPS_MIN && $POST_ERRS == 0" "POST: >= 3,000 req/s, no errors")
V_RSS=$(verdict "$RSS_MAX < $RSS_MAX_MIB * 1024" "RSS: wenming < 64 MiB while measured")
V_DUR=$(verdict "$GROWN >= $POST_OK" "durability bookkeeping: cases grew by $GROWN >= $POST_OK acknowledged (2xx) POSTs (at most $CONNS more were in flight when wrk stopped)")
V_STOP=$(verdict "\"$WM_STOP\" ~ /^exit 0/" "SIGTERM: wenming $WM_STOP (hello $HELLO_STOP)")
for v in "$V_GET" "$V_POST" "$V_RSS" "$V_DUR" "$V_STOP"; do [[ $v == FAIL* ]] && fails=$((fails + 1)); done

CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
{
	echo "## wenming benchmark — $(date -u '+%Y-%m-%d %H:%M UTC'), $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo '+dirty')"
	echo
	echo "Machine: $NCPU × ${CPU_MODEL:-unknown CPU}, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, Linux $(uname -r);" \
		"libmicrohttpd $(pkg-config --modversion libmicrohttpd 2>/dev/null || echo '?'), SQLite $(pkg-config --modversion sqlite3 2>/dev/null || echo '?')," \
		"$(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)."
	echo "Setup: $(count_cases 2>/dev/null || echo "$AFTER") cases after the run ($N generated); servers $THREADS threads each;" \
		"wrk -c $CONNS -t $WRK_THREADS, ${SECS} s per test after ${WARMUP} s warm-up; pinning: $PIN${SERVER_CPUS:+ (servers CPU $SERVER_CPUS, wrk CPU $WRK_CPUS)};" \
		"load average $LOAD_BEFORE before, $LOAD_AFTER after."
	echo "Other work on the machine during hello/GET/POST (busy CPU time spent by neither the" \
		"server nor wrk, % of one CPU): $(cpu_pct hello other)/$(cpu_pct get other)/$(cpu_pct post other);" \
		"stolen by the hypervisor: $(cpu_pct hello steal)/$(cpu_pct get steal)/$(cpu_pct post steal)."
	echo
	echo "| test | req/s | vs hello | p50 ms | p99 ms | errors | peak RSS MiB | server CPU µs/req | server CPU | wrk CPU |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	{
		row hello "hello \`GET /\`"
		row get "wenming \`GET requests.json?status=open&page_size=50\`"
		row post "wenming \`POST requests.json\`"
	} | awk -F'|' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }'
	echo
	echo "- $V_GET"
	echo "- $V_POST"
	echo "- $V_RSS (GET $(mib "$RSS_GET") MiB, POST $(mib "$RSS_POST") MiB; VmHWM over the whole life incl. warm-ups $(mib "$WM_HWM") MiB)"
	echo "- $V_DUR"
	echo "- $V_STOP"
} | tee "$RUN/results.md"

log "details: $RUN/ (wrk reports *.wrk, server logs, results.md)"
if [ "$fails" -gt 0 ]; then
	log "$fails target(s) missed"
	[ "${BENCH_STRICT:-0}" = 1 ] && exit 1
fi
exit 0
