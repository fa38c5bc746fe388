#!/usr/bin/env bash
# build-matrix.sh - compile sluice (library, programs, tests, benchmarks)
# with warnings as errors in every meson buildtype, with gcc and with
# clang-14, so that a user's or a packager's build is never one warning
# away from failing: werror is off by default, but a warning that only
# -O0, -Os or another compiler reports is still a defect.  Compile only,
# nothing runs.
#
# Usage: scripts/build-matrix.sh [DIR]    (default: build-matrix)
# Prints "build-matrix: CC-BUILDTYPE OK|FAIL" per build (the compiler's
# diagnostics after a FAIL) and ends with "build-matrix: N passed, N
# failed"; exits non-zero when one failed.  A compiler that is not
# installed is left out (said on one line).
set -uo pipefail
cd "$(dirname "$0")/.."
top=${1:-build-matrix}
buildtypes="debug debugoptimized release plain minsize"
pass=0 fail=0

# Configures (once) and compiles DIR with CC and BUILDTYPE.
build_one() {
  local cc=$1 bt=$2 dir=$3 log=$3.log
  if [ ! -f "$dir/build.ninja" ]; then
    CC=$cc meson setup "$dir" -Dbuildtype="$bt" -Dwerror=true >"$log" 2>&1 ||
      return 1
  fi
  ninja -C "$dir" >>"$log" 2>&1
}

for cc in gcc clang-14; do
  if ! command -v "$cc" >/dev/null; then
    echo "build-matrix: $cc not installed, left out"
    continue
  fi
  for bt in $buildtypes; do
    dir=$top/$cc-$bt
    mkdir -p "$top"
    if build_one "$cc" "$bt" "$dir"; then
      echo "build-matrix: $cc-$bt OK"
      pass=$((pass + 1))
    else
      echo "build-matrix: $cc-$bt FAIL"
      grep -E 'error|warning' "$dir.log" | head -20
      fail=$((fail + 1))
    fi
  done
done
echo "build-matrix: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
