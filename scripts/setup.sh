#!/usr/bin/env bash
# setup.sh - make this machine able to build and test sluice: install the
# Debian packages that are missing (as root, or through sudo), then
# configure the build directory given as $1 (default: build) with any
# further meson options (given again to an existing directory, they are
# applied with meson configure).  Safe to run again: it only does what is
# missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# one package a line; '#' starts a comment (why it is needed)
mapfile -t pkgs < <(sed 's/#.*//; s/[[:space:]]*$//; /^$/d' scripts/packages.txt)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
    missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
fi

dir=${1:-build}
shift || true
if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir" "$@" >/dev/null
elif (($#)); then
  meson configure "$dir" "$@" >/dev/null
fi
ninja -C "$dir" >/dev/null
