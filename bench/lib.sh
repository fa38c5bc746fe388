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
