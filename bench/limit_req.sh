#!/usr/bin/env bash
# limit_req.sh - issue 4's check against a real rate limiter: nginx with
# limit_req at 50 requests a second and no burst must reject nothing when
# sluice runs with --rate 50/s, and does reject when sluice goes faster.
#
#   bench/limit_req.sh [BUILD]      BUILD defaults to build (repo-relative)
#
# Two runs, each against a fresh nginx (Debian's nginx-light, one process,
# its own prefix in a temp dir, a free loopback port, config from
# bench/limit_req.conf.in): sluice --rate 50/s, then --rate 60/s, both
# with -j 16 --per-host 16 over URLS URLs (default 500, 10 s at 50/s).
# Rejections are counted twice, from sluice's records ("status":429) and
# from nginx's access log, and the achieved rate is taken from nginx's
# arrival times.  Every run is bounded by timeout(1); nginx and the temp
# dir go away however the script ends.  Exit status: 0 when the run at the
# limit had no rejection and the run over it had some, 1 otherwise, 2 on a
# usage error.
#
# Environment: URLS (default 500), LIMIT (nginx's rate, r/s, default 50),
# BURST (nginx's limit_req burst, default 1; 0 = none), OVER (the second
# run's rate, default 60), KEEP=1 keeps the temp dir.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
nginx=$(command -v nginx || echo /usr/sbin/nginx)

case ${1:-} in
  -h | --help)
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
esac
[ $# -le 1 ] || {
  echo "usage: $0 [BUILD]" >&2
  exit 2
}
build=${1:-build}
case $build in
  /*) ;;
  *) build=$root/$build ;;
esac
sluice=$build/cmd/sluice
urls=${URLS:-500}
limit=${LIMIT:-50}
# nginx counts whole milliseconds on its cached clock, so with burst 0 even
# a true 20.0 ms gap at 50 r/s can read as 19 ms and be rejected; limit_req
# is normally deployed with a small burst, which absorbs that jitter.
burst=${BURST:-1}
burst_opt=""
[ "$burst" -gt 0 ] && burst_opt=" burst=$burst"
over=${OVER:-60}
for v in "$urls" "$limit" "$over"; do
  [[ $v =~ ^[1-9][0-9]*$ ]] || {
    echo "limit_req.sh: URLS, LIMIT and OVER must be positive integers" >&2
    exit 2
  }
done
[ -x "$sluice" ] || {
  echo "limit_req.sh: no $sluice (build first: meson setup $build)" >&2
  exit 2
}
[ -x "$nginx" ] || {
  echo "limit_req.sh: nginx not found (apt-get install nginx-light)" >&2
  exit 2
}
# seconds a run may take: twice the planned time, plus slack
budget=$((2 * urls / limit + 30))

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sluice-limit-req.XXXXXX")
launcher= # the timeout(1) that runs nginx
client=   # the timeout(1) that runs sluice
cleanup() {
  if [ -n "$client" ]; then
    kill -TERM "$client" 2>/dev/null || true # passed on to sluice
    wait "$client" 2>/dev/null || true
  fi
  stop_nginx
  if [ "${KEEP:-0}" = 1 ]; then
    echo "limit_req.sh: kept $tmp" >&2
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

. "$root/bench/lib.sh"

# start_nginx DIR: a fresh nginx with DIR as its prefix; sets port
start_nginx() {
  local dir=$1
  mkdir -p "$dir/html" "$dir/tmp"
  head -c 1000 /dev/urandom >"$dir/html/f.bin"
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    sed -e "s|@PREFIX@|$dir|g" -e "s|@PORT@|$port|g" \
      -e "s|@RATE@|$limit|g" -e "s|@BURST@|$burst|g" \
      -e "s|@BURST_OPT@|$burst_opt|g" \
      "$root/bench/limit_req.conf.in" >"$dir/nginx.conf"
    "$nginx" -t -q -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" \
      >/dev/null
    timeout -k 5 $((budget + 30)) "$nginx" -p "$dir" -c "$dir/nginx.conf" \
      -e "$dir/error.log" </dev/null >>"$dir/nginx.out" 2>&1 &
    launcher=$!
    if up "$port" "$launcher"; then
      return 0
    fi
    stop_nginx
  done
  echo "limit_req.sh: nginx did not start:" >&2
  cat "$dir/error.log" "$dir/nginx.out" >&2 2>/dev/null || true
  return 1
}

stop_nginx() {
  [ -n "$launcher" ] || return 0
  stop_pid "$launcher"
  wait "$launcher" 2>/dev/null || true
  launcher=
}

# run RATE: one run against a fresh nginx; appends a line to $tmp/rows
run() {
  local rate=$1 dir=$tmp/rate-$1 rc=0 t0 t1
  start_nginx "$dir"
  seq 0 $((urls - 1)) |
    sed "s|^|http://127.0.0.1:$port/f.bin?i=|" >"$dir/urls.txt"
  echo "limit_req.sh: sluice --rate $rate/s -j 16 --per-host 16," \
    "$urls URLs ..." >&2
  t0=$(date +%s.%N)
  # in the background, so that a signal to this script is handled at once
  # (bash runs a trap only after the foreground command ends)
  timeout -k 5 "$budget" "$sluice" --rate "$rate/s" -j 16 --per-host 16 \
    -i "$dir/urls.txt" --results "$dir/results.jsonl" \
    2>"$dir/sluice.err" </dev/null &
  client=$!
  wait "$client" || rc=$?
  client=
  t1=$(date +%s.%N)
  stop_nginx
  sed 's/^/  /' "$dir/sluice.err" >&2
  if ((rc > 1)); then
    echo "limit_req.sh: sluice exited $rc" >&2
    return 1
  fi
  python3 - "$rate" "$urls" "$t0" "$t1" "$dir" >>"$tmp/rows" <<'PY'
import json, sys
rate, n, t0, t1, d = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), \
    float(sys.argv[4]), sys.argv[5]
recs = [json.loads(l) for l in open(d + "/results.jsonl")]
assert sorted(r["index"] for r in recs) == list(range(n)), "one record a URL"
sl429 = sum(1 for r in recs if r["status"] == 429)
notok = sum(1 for r in recs if not r["ok"] and r["status"] != 429)
times, ng429, conns = [], 0, set()
for line in open(d + "/access.log"):
    msec, status, conn = line.split()[:3]
    times.append(float(msec))
    conns.add(conn)
    ng429 += status == "429"
times.sort()
span = times[-1] - times[0] if len(times) > 1 else 0.0
achieved = (len(times) - 1) / span if span > 0 else 0.0
print(json.dumps({"rate": rate, "requests": len(times), "records": len(recs),
                  "wall": t1 - t0, "span": span, "achieved": achieved,
                  "sluice_429": sl429, "nginx_429": ng429,
                  "other_not_ok": notok, "connections": len(conns)}))
PY
}

run "$limit"
run "$over"

python3 - "$limit" "$over" "$urls" "$("$nginx" -v 2>&1)" "$tmp/rows" <<'PY'
import json, os, sys
limit, over, n, version = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
rows = [json.loads(l) for l in open(sys.argv[5])]
print("== limit_req: %s, limit_req_zone rate=%sr/s, burst %s, "
      "limit_req_status 429" % (version.replace("nginx version: ", ""), limit,
                                os.environ.get("BURST", "1")))
print("   sluice -j 16 --per-host 16 over %s URLs of one host, "
      "a fresh nginx per run" % n)
print("%-14s %8s %7s %8s %12s %12s %11s %5s" %
      ("sluice", "requests", "wall s", "span s", "achieved r/s",
       "429 (sluice)", "429 (nginx)", "conns"))
for r in rows:
    print("%-14s %8d %7.2f %8.3f %12.2f %12d %11d %5d" %
          ("--rate %s/s" % r["rate"], r["requests"], r["wall"], r["span"],
           r["achieved"], r["sluice_429"], r["nginx_429"], r["connections"]))
at, above = rows[0], rows[1]
problems = []
if at["sluice_429"] or at["nginx_429"]:
    problems.append("--rate %s/s was rejected %d times (nginx: %d)" %
                    (limit, at["sluice_429"], at["nginx_429"]))
if not above["nginx_429"]:
    problems.append("--rate %s/s was never rejected: is limit_req on?" % over)
for r in rows:
    if r["sluice_429"] != r["nginx_429"]:
        problems.append("--rate %s/s: sluice saw %d 429s, nginx logged %d" %
                        (r["rate"], r["sluice_429"], r["nginx_429"]))
    if r["other_not_ok"]:
        problems.append("--rate %s/s: %d records not ok for another reason" %
                        (r["rate"], r["other_not_ok"]))
    if r["requests"] != r["records"]:
        problems.append("--rate %s/s: nginx logged %d requests for %d URLs" %
                        (r["rate"], r["requests"], r["records"]))
if problems:
    for p in problems:
        print("PROBLEM: " + p)
    sys.exit(1)
print("ok: no rejection at %s/s; %d of %d rejected at %s/s" %
      (limit, above["nginx_429"], above["requests"], over))
PY
