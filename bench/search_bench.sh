#!/usr/bin/env bash
# Searching the staff case list at city scale (`make bench-search`; docs/benchmarks.md,
# "Case search"): a copy of the generated database of `make bench-workflow` (BENCH_N cases,
# default 2,000,000; any cached generation of that size will do, older schemas included:
# serve indexes the cases the search index does not hold yet, and that catch-up is timed),
# then GET /api/v1/cases?q=WORD&limit=50 as the office, BENCH_CALLS calls per word: median
# and max, with how many cases came back. Words: frequent, rarer, found nowhere (through the
# index), one character and Latin letters (no bigram: a scan). Results in
# bench/out/last-search/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

N=${BENCH_N:-2000000}
CALLS=${BENCH_CALLS:-7}
OUT=bench/out
mkdir -p "$OUT"
exec 9>"$OUT/.lock"
flock -n 9 || die "another benchmark is running (lock $OUT/.lock)"
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
RUN=$OUT/last-search
rm -rf "$RUN"
mkdir -p "$RUN/db"
BENCH_TMP+=("$RUN/db")

CACHE=$(ls -t "$OUT"/workflow-"$N"-*.db 2>/dev/null | head -n 1 || true)
[ -n "$CACHE" ] || die "no generated database of $N cases in $OUT: run make bench-workflow (BENCH_N=$N) first"
make --no-print-directory build/wenming >&2
DB=$RUN/db/wenming.db
cp --reflink=auto "$CACHE" "$DB"
log "database: $CACHE ($(du -m "$DB" | cut -f1) MiB)"
PW=$(build/wenming user add bench.office --name bench.office --unit O-WMB --roles office --db "$DB" | tail -n 1 | tr -d '[:space:]')
[ -n "$PW" ] || die "wenming user add printed no password"

t0=$(date +%s.%N)
start_server wenming "$RUN/wenming.log" 600 build/wenming serve --db "$DB" --port PORT --threads 2 \
	--media "$RUN/db/media" --quiet --no-jobs
t1=$(date +%s.%N)
WM=http://127.0.0.1:$SERVER_PORT
CATCHUP=$(sed -n 's/^wenming: \([0-9]*\) cases added to the search index$/\1/p' "$RUN/wenming.log")
STARTUP=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
log "serve ready in $STARTUP s (cases indexed at start: ${CATCHUP:-0})"
CK=$(curl -s -o /dev/null -D - -H 'Content-Type: application/json' \
	-d "{\"login\":\"bench.office\",\"password\":\"$PW\"}" "$WM/api/v1/session" |
	sed -n 's/^[Ss]et-[Cc]ookie: *\(wm_session=[^;]*\).*/\1/p' | head -n 1)
[ -n "$CK" ] || die "login failed"

{
	echo "# Case search, $(date -u '+%Y-%m-%d %H:%M UTC'), $(git rev-parse --short HEAD)"
	echo
	echo "Database: $(basename "$CACHE"), $(du -m "$DB" | cut -f1) MiB; serve ready in $STARTUP s, ${CATCHUP:-0} cases indexed at start."
	echo
	echo "| q | kind | cases (limit 50) | median | max |"
	echo "|---|---|---|---|---|"
} >"$RUN/results.md"
while read -r word kind; do
	enc=$(node -e 'console.log(encodeURIComponent(process.argv[1]))' "$word")
	: >"$RUN/times"
	for _ in $(seq 1 "$CALLS"); do
		curl -s -o "$RUN/body.json" -w '%{time_total}\n' -b "$CK" "$WM/api/v1/cases?q=$enc&limit=50" >>"$RUN/times"
	done
	n=$(node -e 'const a = JSON.parse(require("fs").readFileSync(process.argv[1])); if (!Array.isArray(a)) throw new Error(JSON.stringify(a)); console.log(a.length)' "$RUN/body.json")
	med=$(sort -g "$RUN/times" | awk '{ v[NR] = $1 } END { printf "%.1f ms", v[int((NR + 1) / 2)] * 1000 }')
	max=$(sort -g "$RUN/times" | tail -n 1 | awk '{ printf "%.1f ms", $1 * 1000 }')
	echo "| $word | $kind | $n | $med | $max |" >>"$RUN/results.md"
done <<'WORDS'
垃圾 frequent
井盖 frequent
占道经营 rarer
中山路 address
路灯不亮 nowhere
无此词语 nowhere
桶 one-character-scan
xyz latin-scan
WORDS
cat "$RUN/results.md"
