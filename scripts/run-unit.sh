#!/usr/bin/env bash
# Runs the Criterion unit test binary: scripts/run-unit.sh BINARY [criterion options...].
# Criterion runs each test in a worker whose sanitizer reports do not change the exit status,
# so the output is also searched for them: a leak or undefined behaviour fails the run.
# WENMING_UNIT_JOBS: workers (default 3; 2 and 3 measured the same on two cores).
set -uo pipefail
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
bin=$1; shift
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "== $bin"
"$bin" --jobs "${WENMING_UNIT_JOBS:-3}" "$@" >"$log" 2>&1
rc=$?
cat "$log"
if [ $rc -ne 0 ]; then
  exit 1
elif grep -qE 'ERROR: (Leak|Address)Sanitizer|runtime error:' "$log"; then
  echo "FAIL: $bin: sanitizer report above"
  exit 1
fi
