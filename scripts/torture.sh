#!/usr/bin/env bash
# torture.sh - allocation failures, for every N: a short library run
# (tests/torture/lib_run.c: fetches, a group, as_completed, gather, wait,
# DNS through the fixture, a cancel) and a short command-line run (the
# sluice program itself), each run again and again with its Nth
# allocation failing (tests/torture/alloc.c; curl's torture tests and
# c-ares's SetAllocFail are the models), N from 1 to the number of
# allocations a clean run makes.  Every run must end by itself with an
# error or complete (exit 0..3), never crash, hang, leak or trip
# AddressSanitizer / UBSan (the default build is build-asan).
#
# A run that crashes inside libcurl after an allocation libcurl itself
# made failed is libcurl's bug, not ours, and is counted apart ("in
# libcurl"), with its N: libcurl 7.88's singlesocket() destroys a
# socket's hash of transfers when adding to it fails but keeps the
# socket, and the next use divides by zero (trhash).
#
# Usage: scripts/torture.sh [-d BUILD] [-s STRIDE] [-j JOBS]
#   -s STRIDE  try every STRIDE-th N only (CI: a bounded sample)
#   -j JOBS    runs at once (default 2)
# Prints one line per program (runs, failures, crashes in libcurl,
# allocations of a clean run, time), the first failures' logs, and ends
# with "torture: N passed, N failed" (a program passes when none of its
# runs failed); exits non-zero when one failed.  Logs of failed runs stay
# in BUILD/torture/.
set -uo pipefail
cd "$(dirname "$0")/.."
dir=build-asan stride=1 jobs=2
while getopts d:s:j: o; do
  case $o in
    d) dir=$OPTARG ;;
    s) stride=$OPTARG ;;
    j) jobs=$OPTARG ;;
    *) exit 2 ;;
  esac
done
ninja -C "$dir" tests/torture/torture-lib tests/torture/torture-sluice \
  fixtures/sluice-fixture >/dev/null || exit 1
work=$dir/torture
rm -rf "$work"
mkdir -p "$work"

# A fixture with DNS for .test names, for this script's lifetime.
"$dir/fixtures/sluice-fixture" --port 0 --dns-port 0 --zone .test=127.0.0.1,5 \
  --lifetime 3600 >"$work/fixture.out" 2>/dev/null &
fixture=$!
trap 'kill $fixture 2>/dev/null' EXIT
for _ in $(seq 50); do
  grep -q '^dns' "$work/fixture.out" && break
  sleep 0.1
done
port=$(awk '/^http/ {print $2}' "$work/fixture.out")
dns=$(awk '/^dns/ {print $2}' "$work/fixture.out")
[ -n "$port" ] && [ -n "$dns" ] || { echo "torture: no fixture" >&2; exit 1; }

# An error found: ASan, LSan and UBSan exit 86; a hang is 124 (timeout).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=86
lib=("$dir/tests/torture/torture-lib" "$port" "$dns")
cli=("$dir/tests/torture/torture-sluice" -j 2 --retries 1
  --retry-max-delay 50ms --timeout 3s --dns-server "127.0.0.1:$dns"
  "http://a.test:$port/bytes/3" "http://127.0.0.1:$port/status/404"
  "http://b.test:$port/chunked/2000" "http://127.0.0.1:$port/flaky/1"
  notaurl)

# One run of program NAME with allocation N failing; prints "N STATUS
# WHERE": ok, ours, or libcurl (see the top).
one() {
  local name=$1 n=$2 log=$work/$1-$2.log rc where=ours
  shift 2
  SL_ALLOC_FAIL=$n SL_ALLOC_TRACE=1 timeout 30 "$@" >"$log" 2>&1 </dev/null
  rc=$?
  if [ "$rc" -le 3 ]; then
    rm -f "$log"
    where=ok
  elif grep -q '#0 .*libcurl\.so' "$log" &&
    sed -n '/^alloc: failing/,$p' "$log" | tail -n +2 |
    grep -v -e libasan -e torture- |
    head -1 | grep -q 'libcurl\.so'; then
    where=libcurl
  fi
  echo "$n $rc $where"
}
export -f one
export work

pass=0 fail=0
for name in lib cli; do
  declare -n cmd=$name
  t0=$SECONDS
  total=$(SL_ALLOC_FAIL=0 "${cmd[@]}" 2>&1 >/dev/null </dev/null |
    sed -n 's/^alloc: \([0-9]*\) allocations$/\1/p')
  if [ -z "$total" ]; then
    echo "torture: $name: a clean run did not report its allocations"
    fail=$((fail + 1))
    continue
  fi
  # a little past the count: runs differ by a few allocations
  seq 1 "$stride" $((total + total / 20)) |
    xargs -P "$jobs" -I{} bash -c 'one "$@"' _ "$name" {} "${cmd[@]}" \
      >"$work/$name.results"
  runs=$(wc -l <"$work/$name.results")
  bad=$(awk '$3 == "ours"' "$work/$name.results" | sort -n)
  nbad=$(printf '%s' "$bad" | grep -c . || true)
  curl=$(awk '$3 == "libcurl" {printf " %s", $1}' "$work/$name.results")
  every="every N"
  [ "$stride" -eq 1 ] || every="every ${stride}th N"
  echo "torture: $name: $runs runs, $nbad failed, $(wc -w <<<"$curl")" \
    "crashed in libcurl${curl:+ (N =$curl)} ($total allocations in a" \
    "clean run, $every; $((SECONDS - t0)) s)"
  if [ "$nbad" -gt 0 ]; then
    fail=$((fail + 1))
    printf '%s\n' "$bad" | head -5 | while read -r n rc; do
      echo "  N=$n exit $rc ($work/$name-$n.log):"
      grep -E 'ERROR|SUMMARY|runtime error|#[0-4] ' "$work/$name-$n.log" |
        head -8 | sed 's/^/    /'
    done
  else
    pass=$((pass + 1))
  fi
done
echo "torture: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
