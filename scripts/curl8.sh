#!/usr/bin/env bash
# curl8.sh - libcurl 8 (Debian 13's 8.14.1, as packaged for Debian 12 in
# bookworm-backports) beside the system's libcurl, without replacing it:
#
#   scripts/curl8.sh PREFIX                     make PREFIX (see below)
#   scripts/curl8.sh PREFIX BUILD [MESON-OPT..] and configure + build BUILD
#                                               against it, then check it
#   scripts/curl8.sh --check PREFIX BUILD       only the check
#   scripts/curl8.sh --derive ETC               print the backports entry
#                                               it would derive from ETC
#                                               (/etc/apt), write nothing
#
# PREFIX gets libcurl4, libcurl4-openssl-dev and curl of the backports
# version, unpacked with `dpkg -x` (PREFIX/usr/lib/<multiarch>/libcurl.so.4,
# PREFIX/usr/include/<multiarch>/curl/, PREFIX/usr/bin/curl), their .debs in
# PREFIX/debs, a libcurl.pc that points into PREFIX (PREFIX/pkgconfig, to
# give meson as --pkg-config-path), PREFIX/bin/curl (curl 8 through
# LD_LIBRARY_PATH: the packaged binary has no rpath), and PREFIX/VERSION,
# the Debian version.  Nothing is installed with dpkg: the system's
# libcurl, curl and their -dev package stay what they are.  A PREFIX that
# has its VERSION file is used as it is (no apt at all); delete it to
# fetch again.  CURL8_VERSION=8.14 (default: 8.) picks the version prefix.
#
# When apt does not know the backports suite yet, it is added by deriving
# it from the machine's own Debian entry, the one for the release itself
# (deb822 in /etc/apt/sources.list.d/*.sources, or the one-line form in
# /etc/apt/sources.list and *.list): the same URIs, components and keyring,
# suite CODENAME-backports, written to
# /etc/apt/sources.list.d/sluice-backports.{sources,list}; then apt-get
# update.  No mirror address is written here.  Backports carry
# "NotAutomatic: yes", so apt never upgrades anything from them by itself.
#
# With BUILD: meson setup BUILD --pkg-config-path=PREFIX/pkgconfig
# -Dc_link_args=-Wl,-rpath,PREFIX/usr/lib/<multiarch> (plus MESON-OPT), or
# --reconfigure when BUILD exists, then ninja; then the check: ldd of
# BUILD/cmd/sluice must resolve libcurl.so.4 inside PREFIX, and
# BUILD/bench/bench-curlversion (curl_version() at run time, next to the
# LIBCURL_VERSION it was compiled with) must say PREFIX's version for both.
# Needs root (or sudo) only to add the suite and to update apt's lists.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: scripts/curl8.sh PREFIX [BUILD [MESON-OPTION...]]" >&2
  echo "       scripts/curl8.sh --check PREFIX BUILD" >&2
  exit 2
}

check_only=0 derive_only=""
case ${1:-} in
  --check) check_only=1; shift ;;
  # --derive ETC: print what would be added from ETC's sources (for tests)
  --derive) derive_only=${2:?--derive ETC}; set -- /nonexistent ;;
esac
[ $# -ge 1 ] || usage
prefix=$(realpath -m "$1")
shift
build=${1:-}
if [ $# -ge 1 ]; then shift; fi
if ((check_only)) && [ -z "$build" ]; then usage; fi

arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null ||
  gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
libdir=$prefix/usr/lib/$arch
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
say() { echo "curl8: $*" >&2; }

# ---- the backports suite ----------------------------------------------

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
suite=${CURL8_SUITE:-$codename-backports}

have_suite() {
  apt-get indextargets --format '$(RELEASE)' 2>/dev/null |
    grep -qxF "$suite"
}

# derive ETC CODENAME SUITE: print the file name and then the entry for
# SUITE, made from the first entry of ETC's sources for CODENAME itself
derive() {
  python3 - "$@" <<'PY'
import glob, os, re, sys
etc, codename, suite = sys.argv[1:4]

def stanzas(text):
    """deb822: paragraphs of "Key: value" with indented continuation
    lines; '#' lines are comments."""
    cur, key = {}, None
    for line in text.splitlines() + [""]:
        if line.startswith("#"):
            continue
        if not line.strip():
            if cur:
                yield cur
            cur, key = {}, None
        elif line[0] in " \t" and key:
            cur[key] += "\n" + line
        elif ":" in line:
            key, _, v = line.partition(":")
            key = key.strip()
            cur[key] = v.strip()

for path in sorted(glob.glob(os.path.join(etc, "sources.list.d",
                                          "*.sources"))):
    with open(path) as f:
        for st in stanzas(f.read()):
            low = {k.lower(): (k, v) for k, v in st.items()}
            if low.get("enabled", ("", "yes"))[1].lower() == "no":
                continue
            if "deb" not in low.get("types", ("", ""))[1].split():
                continue
            if codename not in low.get("suites", ("", ""))[1].split():
                continue
            if "uris" not in low or "components" not in low:
                continue
            print("sluice-backports.sources")
            print("# made by sluice's scripts/curl8.sh from " + path)
            print("Types: deb")
            print("URIs: " + low["uris"][1])
            print("Suites: " + suite)
            print("Components: " + low["components"][1])
            if "signed-by" in low:
                print("Signed-By: " + low["signed-by"][1])
            sys.exit(0)

lists = [os.path.join(etc, "sources.list")] + sorted(
    glob.glob(os.path.join(etc, "sources.list.d", "*.list")))
for path in lists:
    try:
        text = open(path).read()
    except OSError:
        continue
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        m = re.match(r"deb\s+(\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.+)$", line)
        if m and m.group(3) == codename:
            print("sluice-backports.list")
            print("# made by sluice's scripts/curl8.sh from " + path)
            print(f"deb {m.group(1) or ''}{m.group(2)} {suite} "
                  f"{m.group(4).strip()}")
            sys.exit(0)
sys.exit(1)
PY
}

add_suite() {
  local out name
  [ -n "$codename" ] || { say "no VERSION_CODENAME in /etc/os-release"; exit 1; }
  out=$(derive /etc/apt "$codename" "$suite") || {
    say "no Debian source entry for '$codename' in /etc/apt to derive" \
      "$suite from"
    exit 1
  }
  name=$(head -n 1 <<<"$out")
  say "adding $suite to apt: /etc/apt/sources.list.d/$name"
  tail -n +2 <<<"$out" | $sudo tee "/etc/apt/sources.list.d/$name" >/dev/null
}

# backports_version: the newest version of libcurl4 in the suite that
# starts with CURL8_VERSION
backports_version() {
  apt-cache madison libcurl4 2>/dev/null | awk -F'|' -v s=" $suite/" \
    -v want="${CURL8_VERSION:-8.}" '
    index($3, s) { v = $2; gsub(/ /, "", v)
                   if (index(v, want) == 1) { print v; exit } }'
}

# ---- the prefix ---------------------------------------------------------

make_prefix() {
  local v tmp d
  if [ -f "$prefix/VERSION" ] && [ -e "$libdir/libcurl.so.4" ]; then
    say "$prefix has libcurl $(cat "$prefix/VERSION")"
    return 0
  fi
  if ! have_suite; then
    add_suite
    $sudo apt-get update -qq
  fi
  v=$(backports_version)
  if [ -z "$v" ]; then
    # the suite is configured but its lists were never fetched
    $sudo apt-get update -qq
    v=$(backports_version)
  fi
  [ -n "$v" ] || { say "no libcurl4 ${CURL8_VERSION:-8.}* in $suite"; exit 1; }
  case $v in 8.14.*) ;; *) say "note: $suite has libcurl $v, not 8.14" ;; esac
  tmp=$(mktemp -d -t sluice-curl8.XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
  # apt-get download drops root for _apt: let it write here
  chmod 755 "$tmp"
  chown _apt "$tmp" 2>/dev/null || true
  (cd "$tmp" && apt-get download -qq "libcurl4=$v" \
    "libcurl4-openssl-dev=$v" "curl=$v" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
  ls "$tmp"/libcurl4_*.deb "$tmp"/libcurl4-openssl-dev_*.deb \
    "$tmp"/curl_*.deb >/dev/null || { say "apt-get download failed"; exit 1; }
  rm -rf "$prefix"
  mkdir -p "$prefix/debs" "$prefix/pkgconfig" "$prefix/bin"
  for d in "$tmp"/*.deb; do
    dpkg -x "$d" "$prefix"
    mv "$d" "$prefix/debs/"
  done
  # link dynamically, always: no static archive to pick up by mistake
  rm -f "$libdir/libcurl.a"
  local upstream=${v%%-*}
  # the packaged libcurl.pc names /usr, and its Requires.private would ask
  # for every -dev package of libcurl's own dependencies: a shared-only one
  cat >"$prefix/pkgconfig/libcurl.pc" <<EOF
# libcurl $v from $suite, unpacked by sluice's scripts/curl8.sh
prefix=$prefix/usr
exec_prefix=\${prefix}
libdir=\${prefix}/lib/$arch
includedir=\${prefix}/include/$arch

Name: libcurl
URL: https://curl.se/
Description: Library to transfer files with HTTP, FTP, etc. ($v, private prefix)
Version: $upstream
Libs: -L\${libdir} -lcurl
Cflags: -I\${includedir}
EOF
  cat >"$prefix/bin/curl" <<EOF
#!/bin/sh
# curl $v from $suite with its own libcurl (the binary has no rpath)
LD_LIBRARY_PATH=$libdir\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH} exec $prefix/usr/bin/curl "\$@"
EOF
  chmod +x "$prefix/bin/curl"
  echo "$v" >"$prefix/VERSION"
  rm -rf "$tmp"
  trap - EXIT
  say "libcurl $v in $prefix"
}

# ---- a build against it, and the check ----------------------------------

check() {
  local b=$1 got want ver lib
  want=$(cat "$prefix/VERSION")
  want=${want%%-*}
  lib=$(ldd "$b/cmd/sluice" | awk '$1 == "libcurl.so.4" { print $3 }')
  if [ "$(realpath -m "$lib")" != "$(realpath -m "$libdir/libcurl.so.4")" ]
  then
    say "FAIL: $b/cmd/sluice loads libcurl.so.4 from '$lib', not $libdir"
    return 1
  fi
  ver=$b/bench/bench-curlversion
  if [ -x "$ver" ]; then
    got=$("$ver")
    if [ "$got" != "compiled $want, running $want" ]; then
      say "FAIL: $ver says '$got', want $want for both"
      return 1
    fi
  else
    got="(no $ver: ldd only)"
  fi
  say "ok: $b: sluice loads $(realpath "$lib"); bench-curlversion: $got"
}

if [ -n "$derive_only" ]; then
  derive "$derive_only" "$codename" "$suite"
  exit
fi
if ((!check_only)); then
  make_prefix
fi
[ -f "$prefix/VERSION" ] || { say "$prefix has no VERSION"; exit 1; }
if [ -z "$build" ]; then
  echo "meson setup BUILD --pkg-config-path=$prefix/pkgconfig" \
    "-Dc_link_args=-Wl,-rpath,$libdir"
  exit 0
fi
if ((!check_only)); then
  opts=(--pkg-config-path="$prefix/pkgconfig"
    "-Dc_link_args=-Wl,-rpath,$libdir" "$@")
  if [ -f "$build/build.ninja" ]; then
    meson setup --reconfigure "$build" "${opts[@]}" >/dev/null
  else
    meson setup "$build" "${opts[@]}" >/dev/null
  fi
  ninja -C "$build" >/dev/null
fi
check "$build"
