#!/usr/bin/env bash
# shellcheck disable=SC2016 # node programs in single quotes
# The workflow at city scale (`make bench-workflow`; docs/benchmarks.md, "Workflow at city
# scale"): a year of generated history (`wenming demo generate`, BENCH_N cases, default
# 2,000,000) in a temp SQLite database, then
#   (a) the figures: GET /api/v1/stats?from=<month start>&to=<next month start>&group=unit as
#       the civilization office (citywide), BENCH_STATS_CALLS calls one after another:
#       median and p90, target < 200 ms;
#   (b) the dispatcher's inbox: GET /api/v1/cases?queue=handle&order=due&limit=50 as a
#       中山区 (210202) dispatcher, wrk -c 64 for BENCH_SECONDS: p99, target < 20 ms
#       (falls back to status=dispatched,handling when queue/order are unknown, and says so);
#   (c) the escalation pass (store/escalate.h) timed by build/bench/workflow_bench on the
#       database with no server running: target < 1 s over the open cases.
# Prints a table with PASS/FAIL per target (BENCH_STRICT=1: exit 1 when one is missed).
#
# Settings: BENCH_N=2000000 · BENCH_SEED=1 · BENCH_THREADS=2 (server) · BENCH_CONNS=64 ·
# BENCH_WRK_THREADS=2 · BENCH_SECONDS=10 · BENCH_WARMUP=3 · BENCH_STATS_CALLS=20 ·
# BENCH_REGEN=1 (rebuild the cached database) · BENCH_PERF=1 (perf profile of the server
# during the inbox run) · BENCH_STRICT.
# The generated database is cached in bench/out/workflow-N-KEY.db (KEY: schema, data, the
# generator); each run works on a copy. Logs and results.md in bench/out/last-workflow/.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

N=${BENCH_N:-2000000}
SEED=${BENCH_SEED:-1}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNS:-64}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
SECS=${BENCH_SECONDS:-10}
WARMUP=${BENCH_WARMUP:-3}
CALLS=${BENCH_STATS_CALLS:-20}
PERF=${BENCH_PERF:-0}
for v in N SEED THREADS CONNS WRK_THREADS SECS WARMUP CALLS; do
	[[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -gt 0 ] || [ "$v" = SEED ] ||
		die "BENCH_$v must be a positive whole number, not '${!v}'"
done
STATS_MAX_MS=200
INBOX_P99_MAX_MS=20
ESC_MAX_S=1

command -v wrk >/dev/null || die "wrk is missing: run scripts/deps.sh --bench"
command -v curl >/dev/null || die "curl is missing"
command -v node >/dev/null || die "node is missing: run scripts/deps.sh"

OUT=bench/out
mkdir -p "$OUT"
exec 9>"$OUT/.lock"
flock -n 9 || die "another benchmark is running (lock $OUT/.lock)"
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
RUN=$OUT/last-workflow
rm -rf "$RUN"
mkdir -p "$RUN/db"
BENCH_TMP+=("$RUN/db")

log "building build/wenming and build/bench/workflow_bench"
make --no-print-directory build/wenming build/bench/workflow_bench >&2

# ---- the database: generated once per (N, seed, schema, data, generator), then copied.
key=$({
	cat src/store/schema/*.sql src/store/demo_generate.c src/store/case_store.c src/core/sla.c
	find data -type f -print0 | sort -z | xargs -0 -r cat
} | sha256sum | cut -c1-12)
CACHE=$OUT/workflow-$N-$SEED-$key.db
if [ "${BENCH_REGEN:-0}" = 1 ] || [ ! -f "$CACHE" ]; then
	log "generating $N cases into $CACHE (once; later runs copy it)"
	tmpdb=$OUT/wgen.$$.db
	BENCH_TMP+=("$tmpdb" "$tmpdb-wal" "$tmpdb-shm")
	rm -f "$tmpdb" "$tmpdb-wal" "$tmpdb-shm"
	build/wenming init --demo --db "$tmpdb" >"$RUN/init.log" 2>&1 || die "init failed: $(cat "$RUN/init.log")"
	build/wenming demo generate --db "$tmpdb" --cases "$N" --seed "$SEED" >"$RUN/generate.json" ||
		die "demo generate failed"
	cp "$RUN/generate.json" "$CACHE.json"
	find "$OUT" -maxdepth 1 -name "workflow-$N-*.db*" ! -name "$(basename "$CACHE")*" -delete
	mv "$tmpdb" "$CACHE"
	rm -f "$tmpdb-wal" "$tmpdb-shm"
else
	cp "$CACHE.json" "$RUN/generate.json" 2>/dev/null || echo '{}' >"$RUN/generate.json"
fi
DB=$RUN/db/wenming.db
cp --reflink=auto "$CACHE" "$DB"
GEN=$(cat "$RUN/generate.json")
log "database: $(du -m "$DB" | cut -f1) MiB; generation: $GEN"
jfield() { node -e 'const o = JSON.parse(process.argv[1]); const v = o[process.argv[2]]; console.log(v === undefined ? "?" : v)' "$GEN" "$1"; }

# ---- accounts: the office (citywide figures) and a 中山区 dispatcher (the inbox)
adduser() { # LOGIN UNIT ROLES -> password
	build/wenming user add "$1" --name "$1" --unit "$2" --roles "$3" --db "$DB" | tail -n 1 | tr -d '[:space:]'
}
PW_OFFICE=$(adduser bench.office O-WMB office)
PW_DISP=$(adduser bench.dispatcher 210202 dispatcher)
if [ -z "$PW_OFFICE" ] || [ -z "$PW_DISP" ]; then die "wenming user add printed no password"; fi

# ---- the server
start_server wenming "$RUN/wenming.log" 120 build/wenming serve --db "$DB" --port PORT \
	--threads "$THREADS" --media "$RUN/db/media" --quiet
WM_PID=$SERVER_PID
WM=http://127.0.0.1:$SERVER_PORT
log "wenming $WM (pid $WM_PID), $THREADS threads"

login() { # LOGIN PASSWORD -> "wm_session=…"
	curl -s -o /dev/null -D - -H 'Content-Type: application/json' \
		-d "{\"login\":\"$1\",\"password\":\"$2\"}" "$WM/api/v1/session" |
		sed -n 's/^[Ss]et-[Cc]ookie: *\(wm_session=[^;]*\).*/\1/p' | head -n 1
}
CK_OFFICE=$(login bench.office "$PW_OFFICE")
CK_DISP=$(login bench.dispatcher "$PW_DISP")
if [ -z "$CK_OFFICE" ] || [ -z "$CK_DISP" ]; then die "login failed"; fi

# ---- (a) the figures of last month (the last complete calendar month, +08:00)
read -r FROM TO < <(node -e '
	const d = new Date(Date.now() + 8 * 3600e3);
	const y = d.getUTCFullYear(), m = d.getUTCMonth();
	const f = (yy, mm) => new Date(Date.UTC(yy, mm, 1)).toISOString().slice(0, 10);
	console.log(f(y, m - 1), f(y, m));')
STATS_PATH="/api/v1/stats?from=$FROM&to=$TO&group=unit"
code=$(curl -s -o "$RUN/stats.json" -w '%{http_code}' -b "$CK_OFFICE" "$WM$STATS_PATH")
[ "$code" = 200 ] || die "GET $STATS_PATH answered $code: $(head -c 300 "$RUN/stats.json")"
STATS_ROWS=$(node -e 'const o = JSON.parse(require("fs").readFileSync(process.argv[1])); console.log(o.rows.length)' "$RUN/stats.json")
log "(a) $STATS_PATH: $STATS_ROWS rows; timing $CALLS calls"
: >"$RUN/stats.times"
for _ in $(seq 1 "$CALLS"); do
	curl -s -o /dev/null -w '%{time_total}\n' -b "$CK_OFFICE" "$WM$STATS_PATH" >>"$RUN/stats.times"
done
pct() { # FILE P -> milliseconds (nearest rank)
	sort -g "$1" | awk -v p="$2" '{ v[NR] = $1 } END { i = int((p * NR + 99) / 100); if (i < 1) i = 1; printf "%.1f", v[i] * 1000 }'
}
STATS_MED=$(pct "$RUN/stats.times" 50)
STATS_P90=$(pct "$RUN/stats.times" 90)

# ---- (b) the dispatcher's inbox
INBOX_PATH="/api/v1/cases?queue=handle&order=due&limit=50"
FALLBACK=""
code=$(curl -s -o "$RUN/inbox.json" -w '%{http_code}' -b "$CK_DISP" "$WM$INBOX_PATH")
if [ "$code" != 200 ]; then
	log "(b) $INBOX_PATH answered $code: falling back to status=dispatched,handling"
	INBOX_PATH="/api/v1/cases?status=dispatched,handling&limit=50"
	FALLBACK=" (fallback: queue/order not available)"
	code=$(curl -s -o "$RUN/inbox.json" -w '%{http_code}' -b "$CK_DISP" "$WM$INBOX_PATH")
	[ "$code" = 200 ] || die "GET $INBOX_PATH answered $code: $(head -c 300 "$RUN/inbox.json")"
fi
INBOX_ROWS=$(node -e '
	const o = JSON.parse(require("fs").readFileSync(process.argv[1]));
	const a = Array.isArray(o) ? o : o.cases ?? o.items ?? o.rows ?? [];
	console.log(a.length)' "$RUN/inbox.json")
[ "$INBOX_ROWS" -gt 0 ] || die "GET $INBOX_PATH answered no cases (BENCH_N too small?)"
log "(b) $INBOX_PATH$FALLBACK: $INBOX_ROWS cases per page; wrk -c $CONNS -t $WRK_THREADS ${SECS}s"
wrk=(wrk -c "$CONNS" -t "$WRK_THREADS" --latency --timeout 5s -s bench/summary.lua -H "Cookie: $CK_DISP")
bg_wait timeout $((WARMUP + 30)) "${wrk[@]}" -d "${WARMUP}s" "$WM$INBOX_PATH" >"$RUN/inbox.warmup" 2>&1 ||
	die "wrk warm-up failed: $(cat "$RUN/inbox.warmup")"
perf_pid=""
if [ "$PERF" = 1 ] && command -v perf >/dev/null; then
	perf record -F 499 --call-graph dwarf,16384 -p "$WM_PID" -o "$RUN/perf-inbox.data" \
		-- sleep "$SECS" >"$RUN/perf-inbox.log" 2>&1 &
	perf_pid=$!
	BENCH_PIDS+=("$perf_pid")
fi
bg_wait timeout $((SECS + 60)) "${wrk[@]}" -d "${SECS}s" "$WM$INBOX_PATH" >"$RUN/inbox.wrk" 2>&1 ||
	die "wrk failed: $(cat "$RUN/inbox.wrk")"
if [ -n "$perf_pid" ]; then
	wait "$perf_pid" || true
	forget_pid "$perf_pid"
	perf report -i "$RUN/perf-inbox.data" --no-children --stdio --percent-limit 1 \
		--sort dso,symbol -g none >"$RUN/perf-inbox.txt" 2>/dev/null || true
fi
field() { sed -n "s/^BENCH .*\<$2=\([^ ]*\).*/\1/p" "$1"; }
grep -q '^BENCH ' "$RUN/inbox.wrk" || die "no summary from wrk: $(cat "$RUN/inbox.wrk")"
INBOX_RPS=$(field "$RUN/inbox.wrk" rps)
INBOX_P50=$(awk -v u="$(field "$RUN/inbox.wrk" p50_us)" 'BEGIN { printf "%.2f", u / 1000 }')
INBOX_P99=$(awk -v u="$(field "$RUN/inbox.wrk" p99_us)" 'BEGIN { printf "%.2f", u / 1000 }')
INBOX_ERR=$(($(field "$RUN/inbox.wrk" status_errors) + $(field "$RUN/inbox.wrk" socket_errors)))
stop_pid "$WM_PID"

# ---- (c) the escalation pass, server stopped
log "(c) escalation passes"
build/bench/workflow_bench --db "$DB" | tee "$RUN/escalate.txt" >&2
OPEN=$(sed -n 's/^BENCH open_with_deadline=//p' "$RUN/escalate.txt")
esc() { sed -n "s/^BENCH escalate pass=$1 .*\<$2=\([^ ]*\).*/\1/p" "$RUN/escalate.txt"; }

verdict() { if awk "BEGIN { exit !($1) }"; then echo PASS; else echo FAIL; fi; }
V_STATS=$(verdict "$STATS_P90 < $STATS_MAX_MS")
V_INBOX=$(verdict "$INBOX_P99 < $INBOX_P99_MAX_MS && $INBOX_ERR == 0")
V_ESC=$(verdict "$(esc 1 seconds) < $ESC_MAX_S && $(esc 2 seconds) < $ESC_MAX_S")
CATCHUP=$(jfield escalate_seconds)
CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
{
	echo "## wenming workflow benchmark — $(date -u '+%Y-%m-%d %H:%M UTC'), $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo '+dirty')"
	echo
	echo "Machine: $(nproc) × ${CPU_MODEL:-unknown CPU}, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM; load before: $(cut -d' ' -f1-3 /proc/loadavg)."
	echo "Database: $(jfield cases) generated cases (seed $SEED) + the demo's 300, $(du -m "$DB" | cut -f1) MiB;" \
		"generated at $(jfield cases_per_second) cases/s ($(jfield seconds) s), $(jfield events) events," \
		"$(jfield open) open ($(jfield overdue) overdue), escalation catch-up ${CATCHUP} s."
	echo
	echo "| test | figure | target | |"
	echo "|---|---|---|---|"
	echo "| (a) stats group=unit $FROM..$TO ($STATS_ROWS rows), $CALLS calls | median $STATS_MED ms, p90 $STATS_P90 ms | < $STATS_MAX_MS ms | $V_STATS |"
	echo "| (b) inbox \`$INBOX_PATH\`$FALLBACK, 210202 dispatcher, wrk -c $CONNS ${SECS}s | p50 $INBOX_P50 ms, p99 $INBOX_P99 ms, $(printf '%.0f' "$INBOX_RPS") req/s, $INBOX_ERR errors | p99 < $INBOX_P99_MAX_MS ms | $V_INBOX |"
	echo "| (c) escalate_pass, $OPEN open cases with deadlines | now: $(esc 1 seconds) s (scanned $(esc 1 scanned)); again: $(esc 2 seconds) s; +1 h: $(esc 3 seconds) s ($(esc 3 yellow) yellow, $(esc 3 red) red); +1 day: $(esc 4 seconds) s ($(esc 4 yellow) yellow, $(esc 4 red) red) | < $ESC_MAX_S s | $V_ESC |"
} | tee "$RUN/results.md"
if [ "${BENCH_STRICT:-0}" = 1 ] && grep -q '| FAIL |' "$RUN/results.md"; then
	exit 1
fi
