#!/usr/bin/env bash
# crawl.sh - start or stop the nginx of bench/run's crawl section: many host
# names on loopback, over TLS with a certificate authority made at run time.
#
#   bench/crawl.sh start DIR HOSTS ADDRS NAMES [LIFETIME]
#   bench/crawl.sh stop DIR
#
# start makes DIR (empty or absent) nginx's prefix and writes:
#   DIR/ca.pem          the certificate authority, made now (EC P-256, valid
#                       2 days); clients trust it with --cacert DIR/ca.pem
#   DIR/cert.pem, key.pem  the server's certificate, signed by it
#   DIR/hosts           HOSTS lines "NAME ADDR": the host names, spread over
#                       127.0.0.1 .. 127.0.0.ADDRS (round robin)
#   DIR/port, port_tls  the cleartext and the TLS port (the same on every
#                       address); printed on stdout as "PORT PORT_TLS"
#   DIR/crawl.access.log  a line per request (see crawl.conf.in)
# NAMES says how the certificate names the hosts:
#   wildcard  hNNNN.crawl.test, one subjectAltName DNS:*.crawl.test (a
#             wildcard must stand left of two labels: *.test would be
#             refused for hNNNN.test, by curl, OpenSSL and Python alike)
#   san       hNNNN.test, every name in the subjectAltName (a certificate
#             of about 15 bytes per host: 15 KB for 1 000 hosts, sent in
#             every full handshake)
# nginx runs under `timeout LIFETIME` (default 3600 s), as in nginx.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

usage() {
  echo "usage: $0 start DIR HOSTS ADDRS wildcard|san [LIFETIME] | stop DIR" >&2
  exit 2
}

# certs DIR HOSTS NAMES: the CA, the server's key and certificate, DIR/hosts
# (names only; start adds the addresses)
certs() {
  local dir=$1 hosts=$2 names=$3 san i
  (
    cd "$dir"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
      -keyout ca.key -out ca.pem -days 2 \
      -subj "/CN=sluice bench crawl CA" \
      -addext basicConstraints=critical,CA:TRUE \
      -addext keyUsage=critical,keyCertSign,cRLSign
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
      -keyout key.pem -out server.csr -subj "/CN=crawl.test"
    if [ "$names" = wildcard ]; then
      san="DNS:*.crawl.test"
      for ((i = 0; i < hosts; i++)); do printf 'h%04d.crawl.test\n' "$i"; done
    else
      san=$(for ((i = 0; i < hosts; i++)); do printf 'DNS:h%04d.test\n' "$i"
        done | paste -sd, -)
      for ((i = 0; i < hosts; i++)); do printf 'h%04d.test\n' "$i"; done
    fi >names
    {
      echo "basicConstraints=critical,CA:FALSE"
      echo "keyUsage=critical,digitalSignature"
      echo "extendedKeyUsage=serverAuth"
      echo "subjectKeyIdentifier=hash"
      echo "authorityKeyIdentifier=keyid"
      echo "subjectAltName=$san"
    } >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
      -CAcreateserial -days 2 -extfile server.ext -out cert.pem
  ) >"$dir/openssl.out" 2>&1 || {
    echo "crawl.sh: openssl could not make the certificates:" >&2
    cat "$dir/openssl.out" >&2
    return 1
  }
}

start() {
  local dir=$1 hosts=$2 addrs=$3 names=$4 lifetime=${5:-3600}
  local port port_tls i listen
  nginx_html "$dir"
  certs "$dir" "$hosts" "$names"
  awk -v n="$addrs" '{ print $1, "127.0.0." ((NR - 1) % n + 1) }' \
    "$dir/names" >"$dir/hosts"
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    port_tls=$(free_port)
    [ "$port_tls" != "$port" ] || continue
    listen=$(for ((i = 1; i <= addrs; i++)); do
      echo "    listen 127.0.0.$i:$port backlog=4096;"
      echo "    listen 127.0.0.$i:$port_tls ssl http2 backlog=4096;"
    done)
    python3 - "$here/crawl.conf.in" "$dir/nginx.conf" "$dir" "$listen" <<'PY'
import sys
src, dst, prefix, listen = sys.argv[1:5]
t = open(src).read().replace("@LISTEN@", listen).replace("@PREFIX@", prefix)
open(dst, "w").write(t)
PY
    if nginx_launch "$dir" "$lifetime" "$port" "$port_tls"; then
      echo "$port" >"$dir/port"
      echo "$port_tls" >"$dir/port_tls"
      echo "$port $port_tls"
      return 0
    fi
  done
  nginx_failed crawl.sh "$dir"
  return 1
}

case ${1:-} in
  start)
    shift
    if [ $# -lt 4 ] || [ $# -gt 5 ]; then usage; fi
    [[ $4 == wildcard || $4 == san ]] || usage
    start "$@" ;;
  stop) [ $# -eq 2 ] || usage; nginx_stop "$2" ;;
  *) usage ;;
esac
