#!/usr/bin/env bash
# The public portal under load (`make bench-portal`; docs/benchmarks.md, "The public portal"),
# issue 8's targets, measured in one run on one machine:
#   - GET / (the home page, standard and 关怀版) and GET /news/{id} (an article of the demo's
#     创城动态, standard and 关怀版; its views counted) with wrk against the libmicrohttpd "hello"
#     server of the foundation bench: at least 50% of hello's req/s;
#   - POST /report with a 2 MB photo, one at a time: under 100 ms (curl's total time on
#     loopback: the server's time plus the local transfer).
# The database: `init --demo` plus BENCH_N generated cases (default 200,000, bench/gen_cases.c),
# so the home page's counts read a city-sized table. Settings: BENCH_N · BENCH_THREADS=2 ·
# BENCH_CONNS=64 · BENCH_WRK_THREADS=2 · BENCH_SECONDS=10 · BENCH_WARMUP=3 · BENCH_POSTS=10.
# Results in bench/out/last-portal/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

N=${BENCH_N:-200000}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNS:-64}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
SECS=${BENCH_SECONDS:-10}
WARMUP=${BENCH_WARMUP:-3}
POSTS=${BENCH_POSTS:-10}
command -v wrk >/dev/null || die "wrk is missing: run scripts/deps.sh --bench"

OUT=bench/out
mkdir -p "$OUT" build/bench
exec 9>"$OUT/.lock"
flock -n 9 || die "another benchmark is running (lock $OUT/.lock)"
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
RUN=$OUT/last-portal
rm -rf "$RUN"
mkdir -p "$RUN/db"
BENCH_TMP+=("$RUN/db")

make --no-print-directory build/wenming >&2
[ -x build/bench/hello ] && [ build/bench/hello -nt bench/hello.c ] ||
	cc -O2 -o build/bench/hello bench/hello.c -lmicrohttpd
build_gen_cases

DB=$RUN/db/wenming.db
build/wenming init --demo --db "$DB" >"$RUN/init.log" 2>&1 || die "init failed: $(cat "$RUN/init.log")"
build/bench/gen_cases --db "$DB" --n "$N" >"$RUN/gen_cases.txt"
log "database: $(du -m "$DB" | cut -f1) MiB with $N generated cases"

start_server hello "$RUN/hello.log" 10 build/bench/hello PORT "$THREADS"
HELLO=http://127.0.0.1:$SERVER_PORT
start_server wenming "$RUN/wenming.log" 120 build/wenming serve --db "$DB" --port PORT \
	--threads "$THREADS" --media "$RUN/db/media" --quiet
WM=http://127.0.0.1:$SERVER_PORT
WM_PID=$SERVER_PID

rps() { # NAME URL [HEADER] -> req/s; the wrk report in $RUN/NAME.wrk
	local name=$1 url=$2 hdr=()
	[ $# -ge 3 ] && hdr=(-H "$3")
	wrk -c "$CONNS" -t "$WRK_THREADS" -d "${WARMUP}s" "${hdr[@]}" "$url" >/dev/null 2>&1
	wrk -c "$CONNS" -t "$WRK_THREADS" -d "${SECS}s" --latency --timeout 5s -s bench/summary.lua \
		"${hdr[@]}" "$url" >"$RUN/$name.wrk" 2>&1 || die "$name: wrk failed"
	sed -n 's/^BENCH .* rps=\([0-9.]*\) .*/\1/p' "$RUN/$name.wrk"
}
p99() { sed -n 's/^BENCH .* p99_us=\([0-9]*\) .*/\1/p' "$RUN/$1.wrk" | awk '{ printf "%.1f", $1 / 1000 }'; }
errs() { sed -n 's/^BENCH .* status_errors=\([0-9]*\) socket_errors=\([0-9]*\).*/\1+\2/p' "$RUN/$1.wrk"; }

log "hello GET /"
H=$(rps hello "$HELLO/")
log "wenming GET / (standard)"
S=$(rps home "$WM/")
log "wenming GET / (关怀版)"
C=$(rps home_care "$WM/" 'Cookie: wm_care=1')
ART=$(curl -s "$WM/news" | sed -n 's/.*<h2><a href="\/news\/\([0-9]*\)">.*/\1/p' | head -n 1)
[ -n "$ART" ] || die "no article listed on /news (init --demo loads data/demo/articles.csv)"
log "wenming GET /news/$ART (standard)"
A=$(rps article "$WM/news/$ART")
log "wenming GET /news/$ART (关怀版)"
AC=$(rps article_care "$WM/news/$ART" 'Cookie: wm_care=1')
reqs() { sed -n 's/^BENCH requests=\([0-9]*\) .*/\1/p' "$RUN/$1.wrk"; }

# ---- a report with a 2 MB photo, through the form as a browser sends it
node -e '
	const fs = require("fs");
	// a JPEG of 2,000,000 bytes: SOI, APPn segments of padding (the server strips them),
	// a minimal frame (quantisation table, 1x1 baseline frame, Huffman table, scan), EOI
	const seg = (marker, len) => Buffer.concat([Buffer.from([0xff, marker, (len + 2) >> 8, (len + 2) & 0xff]), Buffer.alloc(len, 0x20)]);
	const tail = Buffer.from("ffdb004300" + "01".repeat(64) + "ffc0000b080001000101011100" +
		"ffc4001f0000010501010101010100000000000000000102030405060708090a0b" +
		"ffda0008010100003f00d2cf20ffd9", "hex");
	const parts = [Buffer.from([0xff, 0xd8])];
	let n = 2 + tail.length;
	while (2000000 - n > 65533 + 4) { parts.push(seg(0xe1, 65533)); n += 65537; }
	parts.push(seg(0xe2, 2000000 - n - 4), tail);
	const out = Buffer.concat(parts);
	if (out.length !== 2000000) throw new Error(`photo is ${out.length} bytes`);
	fs.writeFileSync(process.argv[1], out);
' "$RUN/photo.jpg"
JAR=$RUN/cookies
curl -s -c "$JAR" -o "$RUN/form.html" "$WM/report"
TOKEN=$(sed -n 's/.*name="form_token" value="\([0-9a-f]*\)".*/\1/p' "$RUN/form.html")
[ -n "$TOKEN" ] || die "no form token on /report"
: >"$RUN/post.times"
for i in $(seq 1 "$POSTS"); do
	code=$(curl -s -b "$JAR" -o /dev/null -w '%{http_code} %{time_total}' \
		-F "form_token=$TOKEN" -F service_code=E0102 -F "description=基准测试 $i：人行道垃圾" \
		-F "address_string=中山区测试路 $i 号" -F "media=@$RUN/photo.jpg;type=image/jpeg" "$WM/report")
	[ "${code%% *}" = 303 ] || die "POST /report answered ${code%% *}"
	echo "${code#* }" >>"$RUN/post.times"
done
PMED=$(sort -g "$RUN/post.times" | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] * 1000 }')
PMAX=$(sort -g "$RUN/post.times" | tail -n 1 | awk '{ printf "%.1f", $1 * 1000 }')
# Every view counted, the response cache's hits included: written at the latest at shutdown.
stop_pid "$WM_PID"
VIEWS=$(sqlite3 "$DB" "SELECT views FROM article WHERE id = $ART")
MEASURED=$(($(reqs article) + $(reqs article_care)))

pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", 100 * a / b }'; }
verdict() { awk -v ok="$1" 'BEGIN { print (ok ? "PASS" : "FAIL") }'; }
{
	echo "# The public portal, $(date -u '+%Y-%m-%d %H:%M UTC'), $(git rev-parse --short HEAD), $(nproc) CPUs"
	echo
	echo "Database: init --demo + $N generated cases; $THREADS server threads; wrk -c $CONNS -t $WRK_THREADS, ${SECS} s after ${WARMUP} s warm-up."
	echo
	echo "| test | req/s | vs hello | p99 ms | errors | target | |"
	echo "|---|---|---|---|---|---|---|"
	echo "| hello \`GET /\` | $H | 100% | $(p99 hello) | $(errs hello) | | |"
	echo "| home page \`GET /\` | $S | $(pct "$S" "$H")% | $(p99 home) | $(errs home) | ≥ 50% | $(verdict "$(awk -v a="$S" -v b="$H" 'BEGIN { print (a >= b / 2) }')") |"
	echo "| home page, 关怀版 | $C | $(pct "$C" "$H")% | $(p99 home_care) | $(errs home_care) | ≥ 50% | $(verdict "$(awk -v a="$C" -v b="$H" 'BEGIN { print (a >= b / 2) }')") |"
	echo "| article page \`GET /news/$ART\` | $A | $(pct "$A" "$H")% | $(p99 article) | $(errs article) | ≥ 50% | $(verdict "$(awk -v a="$A" -v b="$H" 'BEGIN { print (a >= b / 2) }')") |"
	echo "| article page, 关怀版 | $AC | $(pct "$AC" "$H")% | $(p99 article_care) | $(errs article_care) | ≥ 50% | $(verdict "$(awk -v a="$AC" -v b="$H" 'BEGIN { print (a >= b / 2) }')") |"
	echo
	echo "Views of the article written by the server (batches every 30 s and at shutdown): $VIEWS, for $MEASURED measured requests plus the two warm-ups — $(verdict "$(awk -v v="$VIEWS" -v m="$MEASURED" 'BEGIN { print (v >= m) }')")"
	echo
	echo "POST /report with a 2,000,000-byte photo, $POSTS one after another (curl total time on loopback): median $PMED ms, max $PMAX ms — target < 100 ms: $(verdict "$(awk -v m="$PMED" 'BEGIN { print (m < 100) }')")"
} >"$RUN/results.md"
cat "$RUN/results.md"
