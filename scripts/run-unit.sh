#!/usr/bin/env bash
# Runs the Criterion unit test binaries given as arguments. Criterion runs each test in a
# worker whose sanitizer reports do not change the exit status, so the output is also
# searched for them: a leak or undefined behaviour fails the run.
set -uo pipefail
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
for t in "$@"; do
  echo "== $t"
  "$t" --jobs 2 >"$log" 2>&1
  rc=$?
  cat "$log"
  if [ $rc -ne 0 ]; then
    status=1
  elif grep -qE 'ERROR: (Leak|Address)Sanitizer|runtime error:' "$log"; then
    echo "FAIL: $t: sanitizer report above"
    status=1
  fi
done
exit $status
