#!/usr/bin/env bash
# test.sh - run every test: the unit and integration suites in a normal
# build, again under AddressSanitizer + UndefinedBehaviorSanitizer, and
# again against libcurl 8 (Debian 13's, from bookworm-backports, beside
# the system's 7.88: scripts/curl8.sh), all with warnings as errors
# (werror is off for users' builds, on for ours); then, each briefly (a
# few minutes in all): every buildtype compiled with gcc and clang
# (scripts/build-matrix.sh), each fuzzer for a few seconds (fuzz/run),
# allocation failures at every 4th N (scripts/torture.sh) and a subset of
# the suites under valgrind (scripts/valgrind.sh).  Ends with one line "N
# passed, N failed" over all of it; exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build -Dwerror=true || exit 1
scripts/setup.sh build-asan -Db_sanitize=address,undefined -Db_lundef=false \
  -Dwerror=true || exit 1
scripts/curl8.sh _curl8 build-curl8 -Dwerror=true || exit 1

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
pass=0 fail=0
for dir in build build-asan build-curl8; do
  echo "== meson test in $dir"
  meson test -C "$dir" --print-errorlogs --num-processes 2
  log="$dir/meson-logs/testlog.json"
  p=$(grep -c '"result": "OK"' "$log" || true)
  f=$(grep -vc '"result": "\(OK\|SKIP\)"' "$log" || true)
  pass=$((pass + p))
  fail=$((fail + f))
done

# Each further step prints "NAME: N passed, N failed" last; counted here.
# (Not through tee /dev/stderr: with stderr a file, tee would truncate it.)
count() {
  local out log
  log=$(mktemp)
  "$@" 2>&1 | tee "$log"
  out=$(tail -n 1 "$log")
  rm -f "$log"
  if [[ $out =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    pass=$((pass + BASH_REMATCH[1]))
    fail=$((fail + BASH_REMATCH[2]))
  else
    echo "test.sh: $1 ended without its count" >&2
    fail=$((fail + 1))
  fi
}
echo "== every buildtype, gcc and clang (compile only)"
count scripts/build-matrix.sh
echo "== each fuzzer for 3 s"
count fuzz/run -j 2 3
echo "== allocation failures, every 4th N (ASan build)"
count scripts/torture.sh -s 4
echo "== memcheck over a subset of the suites (all: scripts/valgrind.sh)"
count scripts/valgrind.sh unit.task unit.url unit.proxy integration.fetch \
  integration.dns integration.combinators integration.reliability cli.hostile
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
