#!/usr/bin/env bash
# nginx.sh - start or stop the benchmark's own nginx (Debian's nginx-light)
# with its own config and prefix, on a free loopback port.
#
#   bench/nginx.sh start DIR [LIFETIME]   prints the port on stdout
#   bench/nginx.sh stop DIR
#
# start makes DIR (it must be empty or absent) the prefix: DIR/nginx.conf
# from bench/nginx.conf.in, DIR/html/f0.bin .. f15.bin (1400..1415 bytes of
# random data), DIR/error.log.  nginx runs in the foreground of a
# `timeout LIFETIME` (default 1800 s), so it goes away by itself even if
# nobody calls stop.  It is one process (master_process off), so nothing
# changes user and the files in a private temp dir stay readable.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
nginx=$(command -v nginx || echo /usr/sbin/nginx)

usage() {
  echo "usage: $0 start DIR [LIFETIME] | stop DIR" >&2
  exit 2
}

. "$here/lib.sh"

start() {
  local dir=$1 lifetime=${2:-1800} port pid i
  mkdir -p "$dir/html" "$dir/tmp"
  for i in $(seq 0 15); do
    head -c $((1400 + i)) /dev/urandom >"$dir/html/f$i.bin"
  done
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    sed -e "s|@PREFIX@|$dir|g" -e "s|@PORT@|$port|g" \
      "$here/nginx.conf.in" >"$dir/nginx.conf"
    "$nginx" -t -q -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" \
      >/dev/null
    timeout -k 5 "$lifetime" "$nginx" -p "$dir" -c "$dir/nginx.conf" \
      -e "$dir/error.log" </dev/null >>"$dir/nginx.out" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/launcher.pid"
    if up "$port" "$pid"; then
      echo "$port" >"$dir/port"
      echo "$port"
      return 0
    fi
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  echo "nginx.sh: nginx did not start:" >&2
  cat "$dir/error.log" "$dir/nginx.out" >&2 2>/dev/null || true
  return 1
}

stop() {
  local dir=$1 pid npid i
  [ -f "$dir/launcher.pid" ] || return 0
  pid=$(cat "$dir/launcher.pid")
  npid=$(cat "$dir/nginx.pid" 2>/dev/null || true)
  # timeout passes TERM on to nginx (fast shutdown)
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
  if [ -n "$npid" ]; then kill -KILL "$npid" 2>/dev/null || true; fi
  rm -f "$dir/launcher.pid"
}

case ${1:-} in
  start) [ $# -ge 2 ] || usage; start "$2" "${3:-}" ;;
  stop) [ $# -eq 2 ] || usage; stop "$2" ;;
  *) usage ;;
esac
