#!/usr/bin/env bash
# Proof that an acknowledged Open311 POST survives `kill -9` of the server (issue 2).
# Rounds (BENCH_KILL_ROUNDS, default 3) on one temporary database: start wenming, fire POSTs
# from BENCH_KILL_CONNS (default 32) keep-alive connections with bench/post_client.c, which logs
# the service_request_id of every 2xx answer the moment it has read it; `kill -9` the server
# 2–3 s into the load; the next round restarts it on the same database. At the end the server
# is started once more and every logged id must answer GET /open311/v2/requests/{id}.json with
# 200, and the database must pass PRAGMA integrity_check. Exit 0 only then.
# What it proves: the server acknowledges a request only after its transaction has committed
# (no acknowledged write is lost when the process dies). kill -9 keeps the OS page cache, so it
# cannot prove fsync (power loss); that rests on synchronous=FULL, see docs/benchmarks.md.
set -euo pipefail
# One client posting as fast as it can from one address with one key: no abuse limits.
export WENMING_POST_RATE_IP=0 WENMING_POST_RATE_KEY=0
cd "$(dirname "$0")/.."
. bench/lib.sh

ROUNDS=${BENCH_KILL_ROUNDS:-3}
CONNS=${BENCH_KILL_CONNS:-32}
THREADS=${BENCH_THREADS:-2}
for v in ROUNDS CONNS THREADS; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive whole number, not '${!v}'"
done
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

make --no-print-directory build/wenming >&2
mkdir -p build/bench
cc "${BENCH_CFLAGS[@]}" bench/post_client.c -lpthread -o build/bench/post_client
build_gen_cases # also answers SQL: the integrity check and the count below

TMP=$(mktemp -d "${TMPDIR:-/tmp}/wenming-kill9.XXXXXX")
BENCH_TMP+=("$TMP")
DB=$TMP/wenming.db
ACKED=$TMP/acked.txt
: >"$ACKED"
build/wenming init --demo --db "$DB" >&2
KEY=$(build/wenming apikey create kill9 --db "$DB" | tail -n 1 | tr -d '[:space:]')
[ -n "$KEY" ] || die "wenming apikey create printed no key"

serve() { # ROUND: starts wenming on the database; sets SERVER_PID, SERVER_PORT
	start_server wenming "$TMP/wenming.$1.log" 30 build/wenming serve --db "$DB" --port PORT \
		--threads "$THREADS" --media "$TMP/media" --quiet
}

fail=0
for round in $(seq 1 "$ROUNDS"); do
	serve "$round"
	pid=$SERVER_PID
	[ -n "${SERVICES:-}" ] || SERVICES=$(service_codes "http://127.0.0.1:$SERVER_PORT") ||
		die "no service codes"
	before=$(wc -l <"$ACKED")
	build/bench/post_client post --port "$SERVER_PORT" --key "$KEY" --services "$SERVICES" \
		--conns "$CONNS" --seconds 5 --log "$ACKED" >"$TMP/client.$round.txt" &
	client=$!
	BENCH_PIDS+=("$client")
	delay="2.$((RANDOM % 10))"
	sleep "$delay"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	forget_pid "$pid"
	wait "$client" || die "post_client failed in round $round"
	forget_pid "$client"
	acked=$(($(wc -l <"$ACKED") - before))
	log "round $round: kill -9 after ${delay} s of load; $(cat "$TMP/client.$round.txt")"
	if [ "$acked" -eq 0 ]; then
		log "round $round: FAIL: nothing was acknowledged before the kill, so nothing was tested"
		fail=1
	fi
done

serve check
TOTAL=$(wc -l <"$ACKED")
DUPS=$(sort "$ACKED" | uniq -d | wc -l)
set +e
build/bench/post_client check --port "$SERVER_PORT" --ids "$ACKED" --conns 8 | tee "$TMP/check.txt"
check_rc=${PIPESTATUS[0]}
set -e
stop_pid "$SERVER_PID"
INTEGRITY=$(build/bench/gen_cases --db "$DB" --sql "PRAGMA integrity_check" | head -n 5)
CASES=$(build/bench/gen_cases --db "$DB" --sql "SELECT count(*) FROM cases")

echo "kill -9 durability: $ROUNDS rounds, $CONNS connections, $THREADS server threads"
echo "  acknowledged POSTs: $TOTAL (duplicate ids: $DUPS); cases in the database: $CASES"
echo "  $(tail -n 1 "$TMP/check.txt")"
echo "  integrity_check: $INTEGRITY"
[ "$check_rc" = 0 ] || fail=1
[ "$DUPS" = 0 ] || fail=1
[ "$INTEGRITY" = ok ] || fail=1
if [ "$fail" = 0 ]; then
	echo "PASS: every acknowledged request survived kill -9"
else
	echo "FAIL"
	exit 1
fi
