#!/usr/bin/env bash
# test.sh - run every test: the unit and integration suites in a normal
# build and again under AddressSanitizer + UndefinedBehaviorSanitizer.
# Ends with one line "N passed, N failed" over both builds; exits non-zero
# when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build || exit 1
scripts/setup.sh build-asan -Db_sanitize=address,undefined -Db_lundef=false \
  || exit 1

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
pass=0 fail=0
for dir in build build-asan; do
  echo "== meson test in $dir"
  meson test -C "$dir" --print-errorlogs --num-processes 2
  log="$dir/meson-logs/testlog.json"
  p=$(grep -c '"result": "OK"' "$log" || true)
  f=$(grep -vc '"result": "\(OK\|SKIP\)"' "$log" || true)
  pass=$((pass + p))
  fail=$((fail + f))
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
