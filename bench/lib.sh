# lib.sh - shell helpers the bench scripts share (sourced, not run).

# free_port: a port nothing listens on now, on 127.0.0.1
free_port() {
  python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# up PORT PID: wait until PORT accepts a connection while PID lives
up() {
  local i
  for i in $(seq 100); do
    kill -0 "$2" 2>/dev/null || return 1
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
      return 0
    fi
    sleep 0.05
  done
  return 1
}

# stop_pid PID: TERM (timeout(1) passes it on: nginx's fast shutdown),
# up to 5 s to go, then KILL
stop_pid() {
  local i
  kill -TERM "$1" 2>/dev/null || true
  for i in $(seq 100); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.05
  done
  kill -KILL "$1" 2>/dev/null || true
}

# ---- the benchmark's nginx (bench/nginx.sh, bench/crawl.sh) ----------------
# One process (master_process off) in the foreground of `timeout LIFETIME`,
# prefix DIR, so it goes away by itself even if nobody stops it.

nginx=$(command -v nginx || echo /usr/sbin/nginx)

# nginx_html DIR: the files both configurations serve, DIR/html/f0.bin ..
# f15.bin (1400..1415 bytes of random data), and DIR/tmp
nginx_html() {
  local i
  mkdir -p "$1/html" "$1/tmp"
  for i in $(seq 0 15); do
    head -c $((1400 + i)) /dev/urandom >"$1/html/f$i.bin"
  done
}

# nginx_launch DIR LIFETIME PORT...: runs nginx on DIR/nginx.conf; 0 once
# it accepts on every PORT, else it is ended and 1 (try other ports)
nginx_launch() {
  local dir=$1 lifetime=$2 pid p
  shift 2
  "$nginx" -t -q -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" \
    >/dev/null
  timeout -k 5 "$lifetime" "$nginx" -p "$dir" -c "$dir/nginx.conf" \
    -e "$dir/error.log" </dev/null >>"$dir/nginx.out" 2>&1 &
  pid=$!
  echo "$pid" >"$dir/launcher.pid"
  for p; do
    up "$p" "$pid" && continue
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    return 1
  done
}

# nginx_failed WHO DIR: says that nginx did not start, with its logs
nginx_failed() {
  echo "$1: nginx did not start:" >&2
  cat "$2/error.log" "$2/nginx.out" >&2 2>/dev/null || true
}

# nginx_stop DIR: ends the nginx started in DIR, if any
nginx_stop() {
  local dir=$1 pid npid
  [ -f "$dir/launcher.pid" ] || return 0
  pid=$(cat "$dir/launcher.pid")
  npid=$(cat "$dir/nginx.pid" 2>/dev/null || true)
  stop_pid "$pid"
  if [ -n "$npid" ]; then kill -KILL "$npid" 2>/dev/null || true; fi
  rm -f "$dir/launcher.pid"
}
