#!/usr/bin/env bash
# nginx.sh - start or stop the benchmark's own nginx (Debian's nginx-light)
# with its own config and prefix, on a free loopback port.
#
#   bench/nginx.sh start [--tls] DIR [LIFETIME]   prints the port on stdout
#   bench/nginx.sh stop DIR
#
# start makes DIR (it must be empty or absent) the prefix: DIR/nginx.conf
# from bench/nginx.conf.in, DIR/html/f0.bin .. f15.bin (1400..1415 bytes of
# random data), DIR/error.log; the port goes to DIR/port as well.  With
# --tls nginx also serves the same files over TLS on a second free port,
# printed on a second line and written to DIR/port_tls, offering HTTP/2
# through ALPN (HTTP/1.1 to clients that do not ask for it), with a fresh
# self-signed EC P-256 certificate for 127.0.0.1 (DIR/cert.pem, the key in
# DIR/key.pem; clients trust it with --cacert DIR/cert.pem), and logs
# "$server_protocol $status $connection" for each request on that port
# (only) to DIR/tls.access.log; that needs openssl, and nginx with
# http_ssl_module and http_v2_module.  Without --tls the output is the one
# line it always was.  nginx runs in the foreground of a `timeout
# LIFETIME` (default 1800 s), so it goes away by itself even if nobody
# calls stop.  It is one process (master_process off), so nothing changes
# user and the files in a private temp dir stay readable.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

usage() {
  echo "usage: $0 start [--tls] DIR [LIFETIME] | stop DIR" >&2
  exit 2
}

. "$here/lib.sh"

# start TLS DIR [LIFETIME]: TLS is 1 for the second, TLS + HTTP/2 server
start() {
  local tls=$1 dir=$2 lifetime=${3:-1800} port port_tls="" tlssed m v
  if ((tls)); then
    # read whole: grep -q on the pipe could end nginx -V with SIGPIPE
    v=$("$nginx" -V 2>&1 || true)
    for m in http_ssl_module http_v2_module; do
      if ! grep -q -- "--with-$m" <<<"$v"; then
        echo "nginx.sh: $nginx has no $m" >&2
        return 1
      fi
    done
  fi
  nginx_html "$dir"
  if ((tls)); then
    # valid for 2 days, for the address the URLs use (no host name)
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
      -keyout "$dir/key.pem" -out "$dir/cert.pem" -days 2 \
      -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
      >"$dir/openssl.out" 2>&1 || {
      echo "nginx.sh: openssl could not make the certificate:" >&2
      cat "$dir/openssl.out" >&2
      return 1
    }
  fi
  # keep the "# tls" lines (without the mark) or drop them
  if ((tls)); then tlssed='s/ *# tls$//'; else tlssed='/# tls$/d'; fi
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    if ((tls)); then
      port_tls=$(free_port)
      [ "$port_tls" != "$port" ] || continue
    fi
    sed -e "$tlssed" -e "s|@PREFIX@|$dir|g" -e "s|@PORT@|$port|g" \
      -e "s|@PORT_TLS@|$port_tls|g" "$here/nginx.conf.in" >"$dir/nginx.conf"
    # $port_tls unquoted: no word at all without --tls
    if nginx_launch "$dir" "$lifetime" "$port" $port_tls; then
      echo "$port" >"$dir/port"
      echo "$port"
      if ((tls)); then
        echo "$port_tls" >"$dir/port_tls"
        echo "$port_tls"
      fi
      return 0
    fi
  done
  nginx_failed nginx.sh "$dir"
  return 1
}

case ${1:-} in
  start)
    shift
    tls=0
    if [ "${1:-}" = --tls ]; then tls=1; shift; fi
    if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
    start "$tls" "$1" "${2:-}" ;;
  stop) [ $# -eq 2 ] || usage; nginx_stop "$2" ;;
  *) usage ;;
esac
