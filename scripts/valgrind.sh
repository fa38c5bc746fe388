#!/usr/bin/env bash
# valgrind.sh - the test suites under valgrind's memcheck: every test
# program of ours (unit and cmocka integration), and in the Python suites
# the sluice and sluice-fixture binaries they start (through shims that
# run them under memcheck), so the library, the command line and the
# fixture are all checked.  A plain build is used (valgrind and ASan do
# not mix): default build/.
#
# What counts is memcheck's verdict: no error (invalid access, use of
# uninitialised values, bad free) and no leak (definite, indirect or
# possible) in any process.  Suppressions (scripts/valgrind.supp) are for
# third-party libraries only, each with its reason.  A test that fails
# for another reason under valgrind (they run 20-50 times slower, and
# some tests measure rates and time) is listed, and counted as failed
# only with -s (strict).
#
# Usage: scripts/valgrind.sh [-d BUILD] [-s] [TEST...]   (default: all)
# Ends with "valgrind: N passed, N failed" (one per test); exits non-zero
# when one failed.  Logs: BUILD/valgrind/.
set -uo pipefail
cd "$(dirname "$0")/.."
dir=build strict=0
while getopts d:s o; do
  case $o in
    d) dir=$OPTARG ;;
    s) strict=1 ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
ninja -C "$dir" >/dev/null || exit 1
logs=$(realpath "$dir")/valgrind
rm -rf "$logs"
mkdir -p "$logs"
supp=$(realpath scripts/valgrind.supp)
vg="valgrind --quiet --error-exitcode=99 --leak-check=full"
vg+=" --errors-for-leak-kinds=definite,indirect,possible"
vg+=" --show-leak-kinds=definite,indirect,possible --num-callers=30"
vg+=" --suppressions=$supp"

# Shims for the binaries the Python suites start.
for bin in cmd/sluice fixtures/sluice-fixture; do
  name=$(basename "$bin")
  printf '#!/bin/sh\nexec %s --log-file=%s/%s.%%p.log %s "$@"\n' \
    "$vg" "$logs" "$name" "$(realpath "$dir/$bin")" >"$logs/$name"
  chmod +x "$logs/$name"
done
# meson's --wrapper: the binaries a test is given (the fixture, sluice)
# become their shims; a test program runs under memcheck, a Python suite
# as it is.
cat >"$logs/wrap" <<EOF
#!/bin/sh
for a in "\$@"; do
  case \$a in
    */cmd/sluice) a=$logs/sluice ;;
    */fixtures/sluice-fixture) a=$logs/sluice-fixture ;;
  esac
  set -- "\$@" "\$a"
  shift
done
case "\$(basename "\$1")" in
  python3*) exec "\$@" ;;
esac
exec $vg --log-file=$logs/\$(basename "\$1").%p.log "\$@"
EOF
chmod +x "$logs/wrap"

if [ $# -eq 0 ]; then
  # nginx's test needs nginx and measures nothing of ours that the others
  # do not: left out
  set -- $(meson test -C "$dir" --list 2>/dev/null | awk '{print $NF}' |
    grep -v '^integration.nginx$')
fi
t0=$SECONDS
# tests read it to leave out what cannot hold 20-50 times slower (their
# assertions about time) or under valgrind's own descriptor limits
export SLUICE_TEST_VALGRIND=1
meson test -C "$dir" --wrapper "$logs/wrap" --num-processes 2 \
  --timeout-multiplier 10 --logbase valgrind "$@" >"$logs/meson.out" 2>&1

pass=0 fail=0
while read -r name result; do
  if [ "$result" = OK ]; then
    echo "valgrind: $name OK"
    pass=$((pass + 1))
  elif [ "$strict" -eq 1 ]; then
    echo "valgrind: $name $result"
    fail=$((fail + 1))
  else
    echo "valgrind: $name $result under valgrind (timing: not a memcheck" \
      "finding; memcheck's own are listed below)"
    pass=$((pass + 1))
  fi
done < <(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(r["name"].split(" / ")[-1], r["result"])' \
  "$dir/meson-logs/valgrind-wrap.json")
# memcheck's own findings, in whichever process: a non-empty log each
for log in "$logs"/*.log; do
  [ -s "$log" ] || continue
  echo "valgrind: memcheck finding in $(basename "$log"):"
  head -30 "$log" | sed 's/^/    /'
  fail=$((fail + 1))
done
echo "valgrind: $(ls "$logs"/*.log 2>/dev/null | wc -l) processes checked" \
  "in $((SECONDS - t0)) s"
echo "valgrind: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
