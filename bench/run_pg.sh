#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2317 # node programs in single quotes; functions called indirectly
# The benchmark of issue 3 (see docs/benchmarks.md, "PostgreSQL and two instances"). In one run,
# every server with the same thread count, driven by the same wrk (keep-alive, 64 connections):
#   hello GET /
#   wenming on SQLite              GET requests.json?status=open&page_size=50 · POST requests.json
#   wenming on PostgreSQL, 1 instance                     the same two
#   wenming on PostgreSQL, 2 instances behind nginx       the same two
# The SQLite and the PostgreSQL database hold the same N generated cases (gen_cases through the
# store API on each). PostgreSQL is a throwaway cluster (scripts/pg-test-server.sh: fsync and
# synchronous_commit on), nginx is Debian's, run in the foreground with bench/nginx.conf.in.
# Prints req/s, ratio to hello, p50/p99, errors and server CPU µs/req; checks that every
# acknowledged POST is in the database; PASS/FAIL against POST >= 3,000 req/s with 2 instances.
#
# Settings (environment): BENCH_N=100000 cases · BENCH_THREADS=2 threads per instance ·
# BENCH_CONNS=64 · BENCH_WRK_THREADS=2 · BENCH_SECONDS=10 per test · BENCH_WARMUP=2 ·
# BENCH_BUILD=0 (no make: measure build/ as it is) · BENCH_PERF=1 (perf profile of one PostgreSQL instance's POST run, and of the postgres
# processes) · BENCH_STRICT=1 (exit 1 when the target is missed).
# Nothing is pinned: PostgreSQL, nginx, the servers and wrk share the machine's CPUs.
# Output: the table on stdout; logs, wrk reports and results.md in bench/out/last-pg/.
set -euo pipefail
# One client posting as fast as it can from one address with one key: no abuse limits.
export WENMING_POST_RATE_IP=0 WENMING_POST_RATE_KEY=0
cd "$(dirname "$0")/.."
. bench/lib.sh

N=${BENCH_N:-100000}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNS:-64}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
SECS=${BENCH_SECONDS:-10}
WARMUP=${BENCH_WARMUP:-2}
PERF=${BENCH_PERF:-0}
for v in N THREADS CONNS WRK_THREADS SECS WARMUP; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "BENCH_$v must be a positive whole number, not '${!v}'"
done
POST_RPS_MIN=3000 # issue 3: POST with two instances

command -v wrk >/dev/null || die "wrk is missing: run scripts/deps.sh --bench"
command -v nginx >/dev/null || die "nginx is missing: run scripts/deps.sh --bench"
command -v psql >/dev/null || die "psql is missing: run scripts/deps.sh"
command -v node >/dev/null || die "node is missing: run scripts/deps.sh"

OUT=bench/out
mkdir -p "$OUT" build/bench
exec 9>"$OUT/.lock"
flock -n 9 || die "another benchmark is running (lock $OUT/.lock)"

RUN=$OUT/last-pg
rm -rf "$RUN"
mkdir -p "$RUN"
# PostgreSQL's socket path must be short, and the cluster runs as nobody when we are root:
# a short world-readable temp dir for it and for nginx.
TMP=$(mktemp -d /tmp/wm-bench.XXXXXX)
chmod 755 "$TMP"
PG_STARTED=0
pg_cleanup() {
	local rc=$?
	set +e
	# servers and nginx first (bench_cleanup), then the cluster, then the temp dir
	for ((i = ${#BENCH_PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${BENCH_PIDS[$i]}"; done
	BENCH_PIDS=()
	[ "$PG_STARTED" = 1 ] && scripts/pg-test-server.sh stop "$TMP/pg" >/dev/null 2>&1
	rm -rf -- "$TMP"
	(exit "$rc")
	bench_cleanup
}
trap pg_cleanup EXIT
trap 'exit 130' INT TERM

# ---- build
if [ "${BENCH_BUILD:-1}" = 1 ]; then
	log "building build/wenming, hello, gen_cases"
	make --no-print-directory build/wenming >&2
	build_gen_cases
else # BENCH_BUILD=0: measure the binaries as they are (build/wenming, build/libwenming.a)
	[ -x build/wenming ] && [ -f build/libwenming.a ] || die "BENCH_BUILD=0 but build/ is empty"
	if [ ! -x build/bench/gen_cases ] || [ bench/gen_cases.c -nt build/bench/gen_cases ]; then
		read -r -a libs <<<"$(make_var DEPLIBS)"
		cc "${BENCH_CFLAGS[@]}" -Isrc -Ibuild/gen bench/gen_cases.c build/libwenming.a \
			"${libs[@]}" -o build/bench/gen_cases
	fi
fi
if [ ! -x build/bench/hello ] || [ bench/hello.c -nt build/bench/hello ]; then
	cc "${BENCH_CFLAGS[@]}" bench/hello.c -lmicrohttpd -o build/bench/hello
fi

# ---- the two databases with the same N cases
SQ=$TMP/wenming.db
log "SQLite: init --demo, $N cases"
build/wenming init --demo --db "$SQ" >"$RUN/init-sqlite.log" 2>&1
build/bench/gen_cases --db "$SQ" --n "$N" >"$RUN/gen-sqlite.txt" 2>&1 ||
	die "gen_cases on SQLite: $(cat "$RUN/gen-sqlite.txt")"

log "PostgreSQL: starting a throwaway cluster in $TMP/pg"
ADMIN=$(bg_wait timeout 90 scripts/pg-test-server.sh start "$TMP/pg") || die "pg-test-server.sh start failed"
PG_STARTED=1
bg_wait timeout 30 psql -q -X -v ON_ERROR_STOP=1 "$ADMIN" -c 'CREATE DATABASE wenming_bench' >&2
PG=${ADMIN/\/postgres\?/\/wenming_bench?}
bg_wait timeout 60 build/wenming init --demo --db "$PG" >"$RUN/init-pg.log" 2>&1 ||
	die "wenming init on PostgreSQL: $(cat "$RUN/init-pg.log")"
log "PostgreSQL: $N cases (gen_cases through the store's libpq driver, one round trip per row)"
bg_wait timeout 1800 build/bench/gen_cases --db "$PG" --n "$N" >"$RUN/gen-pg.txt" 2>&1 ||
	die "gen_cases on PostgreSQL: $(cat "$RUN/gen-pg.txt")"
count() { build/bench/gen_cases --db "$1" --sql "SELECT count(*) FROM cases"; }
log "cases: SQLite $(count "$SQ"), PostgreSQL $(count "$PG")"

KEY_SQ=$(build/wenming apikey create bench --db "$SQ" | tail -n 1 | tr -d '[:space:]')
KEY_PG=$(build/wenming apikey create bench --db "$PG" | tail -n 1 | tr -d '[:space:]')
[ -n "$KEY_SQ" ] && [ -n "$KEY_PG" ] || die "wenming apikey create printed no key"

# ---- servers
start_server hello "$RUN/hello.log" 10 build/bench/hello PORT "$THREADS"
HELLO_PID=$SERVER_PID HELLO=http://127.0.0.1:$SERVER_PORT
start_server sqlite "$RUN/sqlite.log" 60 build/wenming serve --db "$SQ" --port PORT \
	--threads "$THREADS" --media "$TMP/media-sq" --quiet
SQ_PID=$SERVER_PID SQ_URL=http://127.0.0.1:$SERVER_PORT
start_server pg1 "$RUN/pg1.log" 60 build/wenming serve --db "$PG" --port PORT \
	--threads "$THREADS" --media "$TMP/media-pg" --quiet
PG1_PID=$SERVER_PID PG1_PORT=$SERVER_PORT PG1_URL=http://127.0.0.1:$SERVER_PORT
start_server pg2 "$RUN/pg2.log" 60 build/wenming serve --db "$PG" --port PORT \
	--threads "$THREADS" --media "$TMP/media-pg" --quiet
PG2_PID=$SERVER_PID PG2_PORT=$SERVER_PORT

# nginx: generated config in the temp dir, foreground (daemon off), its pid in BENCH_PIDS.
NGX=$TMP/nginx
mkdir -p "$NGX"
for attempt in 1 2 3; do
	NGX_PORT=$(free_port) || die "no free port"
	sed -e "s|@DIR@|$NGX|g" -e "s|@PORT@|$NGX_PORT|g" -e "s|@PORT1@|$PG1_PORT|g" \
		-e "s|@PORT2@|$PG2_PORT|g" bench/nginx.conf.in >"$NGX/nginx.conf"
	nginx -p "$NGX" -c "$NGX/nginx.conf" -e "$NGX/error.log" -t >"$RUN/nginx-t.log" 2>&1 ||
		die "nginx -t: $(cat "$RUN/nginx-t.log")"
	nginx -p "$NGX" -c "$NGX/nginx.conf" -e "$NGX/error.log" >"$RUN/nginx.out" 2>&1 9>&- &
	NGX_PID=$!
	BENCH_PIDS+=("$NGX_PID")
	ok=0
	for _ in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$NGX_PORT") 2>/dev/null; then ok=1; break; fi
		kill -0 "$NGX_PID" 2>/dev/null || break
		sleep 0.05
	done
	[ "$ok" = 1 ] && break
	stop_pid "$NGX_PID"
	log "nginx did not start on port $NGX_PORT (attempt $attempt): $(cat "$NGX/error.log" 2>/dev/null)"
done
[ "$ok" = 1 ] || die "nginx could not start"
cp "$NGX/nginx.conf" "$RUN/nginx.conf"
NGX_URL=http://127.0.0.1:$NGX_PORT
log "hello $HELLO, SQLite $SQ_URL, PostgreSQL $PG1_URL + :$PG2_PORT, nginx $NGX_URL"

# ---- sanity: the measured requests must succeed through every front
GET_PATH="/open311/v2/requests.json?status=open&page_size=50"
POST_PATH="/open311/v2/requests.json"
SERV_SQ=$(service_codes "$SQ_URL") || die "no service codes from SQLite"
SERV_PG=$(service_codes "$NGX_URL") || die "no service codes through nginx"
post_once() { # URL KEY CODE
	node -e '
	const [url, key, code] = process.argv.slice(1);
	const body = new URLSearchParams({ api_key: key, service_code: code, lat: "38.9140",
		long: "121.6147", description: "bench: sanity check" });
	fetch(url, { method: "POST", body }).then(async (r) => {
		const t = await r.text();
		if (!r.ok) { console.error(`POST answered ${r.status}: ${t}`); process.exit(1); }
	}).catch((e) => { console.error(e.message); process.exit(2); });' "$@"
}
for u in "$SQ_URL" "$PG1_URL" "$NGX_URL"; do
	n=$(http_get "$u$GET_PATH" | node -e '
		let s = ""; process.stdin.on("data", (d) => (s += d))
			.on("end", () => console.log(JSON.parse(s).length));') || die "GET $u$GET_PATH failed"
	[ "$n" = 50 ] || die "GET $u$GET_PATH answered $n requests, not 50"
done
post_once "$SQ_URL$POST_PATH" "$KEY_SQ" "${SERV_SQ%%,*}" || die "a POST to SQLite failed"
post_once "$NGX_URL$POST_PATH" "$KEY_PG" "${SERV_PG%%,*}" || die "a POST through nginx failed"

# ---- measuring
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# pg_ticks: CPU ticks of every process of the cluster (postmaster + backends), alive now.
pg_ticks() {
	local pm t=0 p
	pm=$(head -n 1 "$TMP/pg/data/postmaster.pid")
	for p in $pm $(pgrep -P "$pm"); do t=$((t + $(cpu_ticks "$p" 2>/dev/null || echo 0))); done
	echo "$t"
}
# ngx_ticks: nginx's master and workers. cpu_busy: busy ticks of the whole machine.
ngx_ticks() {
	local t=0 p
	for p in $NGX_PID $(pgrep -P "$NGX_PID"); do t=$((t + $(cpu_ticks "$p" 2>/dev/null || echo 0))); done
	echo "$t"
}
cpu_busy() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
CLK_TCK=$(getconf CLK_TCK)
NCPU=$(nproc)
field() { sed -n "s/^BENCH .*\<$2=\([^ ]*\).*/\1/p" "$1"; }

# measure NAME URL "PIDS" SCRIPT [ARGS…]: warm-up, then the measured run; RUN/NAME.wrk and
# RUN/NAME.cpu ("server ticks" "postgres ticks"; backends that exit during the run are missed).
measure() {
	local name=$1 url=$2 pids=$3 script=$4
	shift 4
	local wrk=(wrk -c "$CONNS" -t "$WRK_THREADS" --latency --timeout 5s -s "$script")
	local args=()
	[ $# -eq 0 ] || args=(-- "$@")
	log "$name: warm-up ${WARMUP} s, then ${SECS} s"
	bg_wait timeout $((WARMUP + 30)) "${wrk[@]}" -d "${WARMUP}s" "$url" "${args[@]}" >"$RUN/$name.warmup" 2>&1 ||
		die "$name: wrk warm-up failed: $(cat "$RUN/$name.warmup")"
	if [ -n "${PRE_MEASURE:-}" ]; then "$PRE_MEASURE"; fi
	local p t0=0 t1=0 g0 g1 n0 n1 b0 b1 w0 w1 perf_pid="" perf_pg=""
	for p in $pids; do t0=$((t0 + $(cpu_ticks "$p"))); done
	g0=$(pg_ticks)
	n0=$(ngx_ticks)
	b0=$(cpu_busy)
	w0=$(date +%s%N)
	if [ "$PERF" = 1 ] && [ "$name" = post-pg1 ]; then
		perf record -F 499 --call-graph dwarf,16384 -p "$pids" -o "$RUN/perf-$name.data" \
			-- sleep "$SECS" >"$RUN/perf-$name.log" 2>&1 &
		perf_pid=$!
		BENCH_PIDS+=("$perf_pid")
		perf record -F 499 -g -a -o "$RUN/perf-$name-all.data" \
			-- sleep "$SECS" >"$RUN/perf-$name-all.log" 2>&1 &
		perf_pg=$!
		BENCH_PIDS+=("$perf_pg")
	fi
	bg_wait timeout $((SECS + 60)) "${wrk[@]}" -d "${SECS}s" "$url" "${args[@]}" >"$RUN/$name.wrk" 2>&1 ||
		die "$name: wrk failed: $(cat "$RUN/$name.wrk")"
	for p in $pids; do t1=$((t1 + $(cpu_ticks "$p"))); done
	g1=$(pg_ticks)
	n1=$(ngx_ticks)
	b1=$(cpu_busy)
	w1=$(date +%s%N)
	echo "$((t1 - t0)) $((g1 - g0)) $((n1 - n0)) $((b1 - b0)) $(((w1 - w0) / 1000))" >"$RUN/$name.cpu"
	for p in $perf_pid $perf_pg; do
		wait "$p" || true
		forget_pid "$p"
	done
	if [ -n "$perf_pid" ]; then
		perf report -i "$RUN/perf-$name.data" --no-children --stdio --percent-limit 0.5 \
			--sort dso,symbol -g none >"$RUN/perf-$name.txt" 2>/dev/null || true
		perf report -i "$RUN/perf-$name-all.data" --no-children --stdio --percent-limit 0.5 \
			--sort comm,dso -g none >"$RUN/perf-$name-all.txt" 2>/dev/null || true
		log "$name: profiles in $RUN/perf-$name.txt, perf-$name-all.txt"
	fi
	grep -q '^BENCH ' "$RUN/$name.wrk" || die "$name: no summary from wrk: $(cat "$RUN/$name.wrk")"
}
# post_measure NAME URL "PIDS" DB KEY CODES: measure, and the durability bookkeeping.
post_measure() {
	local name=$1 url=$2 pids=$3 db=$4
	shift 4
	note_before() { BEFORE=$(count "$db"); }
	PRE_MEASURE=note_before measure "$name" "$url" "$pids" bench/post.lua "$@"
	echo "$BEFORE $(count "$db")" >"$RUN/$name.count"
}

measure hello "$HELLO/" "$HELLO_PID" bench/summary.lua
measure get-sqlite "$SQ_URL$GET_PATH" "$SQ_PID" bench/summary.lua
post_measure post-sqlite "$SQ_URL$POST_PATH" "$SQ_PID" "$SQ" "$KEY_SQ" "$SERV_SQ"
measure get-pg1 "$PG1_URL$GET_PATH" "$PG1_PID" bench/summary.lua
post_measure post-pg1 "$PG1_URL$POST_PATH" "$PG1_PID" "$PG" "$KEY_PG" "$SERV_PG"
measure get-pg2 "$NGX_URL$GET_PATH" "$PG1_PID $PG2_PID" bench/summary.lua
post_measure post-pg2 "$NGX_URL$POST_PATH" "$PG1_PID $PG2_PID" "$PG" "$KEY_PG" "$SERV_PG"
# Proxy errors (an instance refusing or dropping a connection) land in nginx's error log.
NGX_ERRS=$(grep -c -E '\[(error|crit|alert|emerg)\]' "$NGX/error.log" 2>/dev/null || true)
cp "$NGX/error.log" "$RUN/nginx-error.log" 2>/dev/null || true

# ---- report
HELLO_RPS=$(field "$RUN/hello.wrk" rps)
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
row() { # NAME LABEL
	local f=$RUN/$1.wrk rps errs srv pg ngx busy wall n us pgus ngxus busypct other dur=""
	rps=$(field "$f" rps)
	n=$(field "$f" requests)
	errs=$(($(field "$f" status_errors) + $(field "$f" socket_errors)))
	if [ "$(field "$f" ok2xx)" != -1 ]; then
		errs=$((n - $(field "$f" ok2xx) + $(field "$f" socket_errors)))
	fi
	read -r srv pg ngx busy wall <"$RUN/$1.cpu"
	per_req() { awk -v t="$1" -v hz="$CLK_TCK" -v n="$n" 'BEGIN { printf "%.0f", n ? t / hz * 1e6 / n : 0 }'; }
	us=$(per_req "$srv")
	pgus=$(per_req "$pg")
	ngxus=$(per_req "$ngx")
	[[ $2 == *SQLite* || $2 == hello* ]] && pgus="–"
	[[ $2 == *nginx* ]] || ngxus="–"
	busypct=$(awk -v b="$busy" -v hz="$CLK_TCK" -v c="$NCPU" -v d="$wall" \
		'BEGIN { printf "%.0f%%", 100 * b / hz / c / (d / 1e6) }')
	# busy time of the machine spent by neither wenming, PostgreSQL nor nginx: wrk, the
	# kernel's writeback, and whatever else runs on the machine (% of one CPU).
	other=$(awk -v b="$busy" -v s="$srv" -v g="$pg" -v x="$ngx" -v hz="$CLK_TCK" -v d="$wall" \
		'BEGIN { v = 100 * (b - s - g - x) / hz / (d / 1e6); printf "%.0f%%", v < 0 ? 0 : v }')
	if [ -f "$RUN/$1.count" ]; then
		local b a
		read -r b a <"$RUN/$1.count"
		dur="$((a - b)) ≥ $(field "$f" ok2xx)"
	fi
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$2" \
		"$(awk -v r="$rps" 'BEGIN { printf "%\047.0f", r }')" \
		"$(awk -v a="$rps" -v b="$HELLO_RPS" 'BEGIN { printf "%.1f%%", 100 * a / b }')" \
		"$(ms "$(field "$f" p50_us)")" "$(ms "$(field "$f" p99_us)")" "$errs" "$us" "$pgus" "$ngxus" "$busypct" "$other" "${dur:-–}"
}
durable() { # NAME: cases grew by at least the acknowledged POSTs
	local b a
	read -r b a <"$RUN/$1.count"
	[ $((a - b)) -ge "$(field "$RUN/$1.wrk" ok2xx)" ]
}
POST2=$(field "$RUN/post-pg2.wrk" rps)
POST2_ERRS=$(($(field "$RUN/post-pg2.wrk" requests) - $(field "$RUN/post-pg2.wrk" ok2xx) + $(field "$RUN/post-pg2.wrk" socket_errors)))
fails=0
V_POST="PASS"
awk -v r="$POST2" -v m="$POST_RPS_MIN" -v e="$POST2_ERRS" 'BEGIN { exit !(r >= m && e == 0) }' || { V_POST=FAIL; fails=$((fails + 1)); }
V_DUR=PASS
for t in post-sqlite post-pg1 post-pg2; do durable "$t" || { V_DUR="FAIL ($t)"; fails=$((fails + 1)); }; done

CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
{
	echo "## wenming benchmark, PostgreSQL and two instances — $(date -u '+%Y-%m-%d %H:%M UTC'), $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo '+dirty')"
	echo
	echo "Machine: $(nproc) × ${CPU_MODEL:-unknown CPU}, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, Linux $(uname -r);" \
		"$(/usr/lib/postgresql/15/bin/postgres --version), $(nginx -v 2>&1 | sed 's/.*: //'), SQLite $(pkg-config --modversion sqlite3 2>/dev/null || echo '?'), $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)."
	echo "Setup: $N generated cases in each store; $THREADS threads per instance; wrk -c $CONNS -t $WRK_THREADS, ${SECS} s after a ${WARMUP} s warm-up; nothing pinned; load average before/after $(cut -d' ' -f1 /proc/loadavg)."
	echo
	echo "| test | req/s | vs hello | p50 ms | p99 ms | errors | wenming CPU µs/req | postgres CPU µs/req | nginx CPU µs/req | machine CPU busy | wrk + other work | cases grew ≥ acknowledged |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
	row hello "hello \`GET /\`"
	row get-sqlite "SQLite, 1 instance: GET"
	row post-sqlite "SQLite, 1 instance: POST"
	row get-pg1 "PostgreSQL, 1 instance: GET"
	row post-pg1 "PostgreSQL, 1 instance: POST"
	row get-pg2 "PostgreSQL, 2 instances + nginx: GET"
	row post-pg2 "PostgreSQL, 2 instances + nginx: POST"
	echo
	echo "- $V_POST POST, PostgreSQL, 2 instances behind nginx: $(printf '%.0f' "$POST2") req/s (target ≥ $POST_RPS_MIN), $POST2_ERRS errors"
	echo "- $V_DUR durability bookkeeping: for every POST test the cases grew by at least the acknowledged (2xx) POSTs"
	echo "- nginx error log: ${NGX_ERRS:-0} error lines"
} | tee "$RUN/results.md"
log "results in $RUN/results.md"
if [ "${BENCH_STRICT:-0}" = 1 ] && [ "$fails" -gt 0 ]; then exit 1; fi
exit 0
