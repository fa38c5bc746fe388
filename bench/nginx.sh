#!/usr/bin/env bash
# nginx.sh - start or stop the benchmark's own nginx (Debian's nginx-light)
# with its own config and prefix, on a free loopback port.
#
#   bench/nginx.sh start [--h2] DIR [LIFETIME]   prints the port on stdout
#   bench/nginx.sh stop DIR
#
# start makes DIR (it must be empty or absent) the prefix: DIR/nginx.conf
# from bench/nginx.conf.in, DIR/html/f0.bin .. f15.bin (1400..1415 bytes of
# random data), DIR/error.log; the port goes to DIR/port as well.  With
# --h2 nginx also serves the same files over HTTP/2 without TLS (h2c, prior
# knowledge) on a second free port, printed on a second line and written
# to DIR/port_h2, and logs "$server_protocol $status $connection" for each
# request on that port (only) to DIR/h2.access.log; nginx needs
# http_v2_module for that.  Without --h2 the output is the one line it
# always was.  nginx runs in the foreground of a `timeout LIFETIME`
# (default 1800 s), so it goes away by itself even if nobody calls stop.
# It is one process (master_process off), so nothing changes user and the
# files in a private temp dir stay readable.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
nginx=$(command -v nginx || echo /usr/sbin/nginx)

usage() {
  echo "usage: $0 start [--h2] DIR [LIFETIME] | stop DIR" >&2
  exit 2
}

. "$here/lib.sh"

# start H2 DIR [LIFETIME]: H2 is 1 for the second, HTTP/2 server
start() {
  local h2=$1 dir=$2 lifetime=${3:-1800} port port_h2="" h2sed pid i
  if ((h2)) && ! "$nginx" -V 2>&1 | grep -q -- --with-http_v2_module; then
    echo "nginx.sh: $nginx has no http_v2_module" >&2
    return 1
  fi
  mkdir -p "$dir/html" "$dir/tmp"
  for i in $(seq 0 15); do
    head -c $((1400 + i)) /dev/urandom >"$dir/html/f$i.bin"
  done
  # keep the "# h2" lines (without the mark) or drop them
  if ((h2)); then h2sed='s/ *# h2$//'; else h2sed='/# h2$/d'; fi
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    if ((h2)); then
      port_h2=$(free_port)
      [ "$port_h2" != "$port" ] || continue
    fi
    sed -e "$h2sed" -e "s|@PREFIX@|$dir|g" -e "s|@PORT@|$port|g" \
      -e "s|@PORT_H2@|$port_h2|g" "$here/nginx.conf.in" >"$dir/nginx.conf"
    "$nginx" -t -q -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" \
      >/dev/null
    timeout -k 5 "$lifetime" "$nginx" -p "$dir" -c "$dir/nginx.conf" \
      -e "$dir/error.log" </dev/null >>"$dir/nginx.out" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/launcher.pid"
    if up "$port" "$pid" && { ((!h2)) || up "$port_h2" "$pid"; }; then
      echo "$port" >"$dir/port"
      echo "$port"
      if ((h2)); then
        echo "$port_h2" >"$dir/port_h2"
        echo "$port_h2"
      fi
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
  start)
    shift
    h2=0
    if [ "${1:-}" = --h2 ]; then h2=1; shift; fi
    if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
    start "$h2" "$1" "${2:-}" ;;
  stop) [ $# -eq 2 ] || usage; stop "$2" ;;
  *) usage ;;
esac
