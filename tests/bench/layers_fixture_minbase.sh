#!/usr/bin/env bash
# Prints the path of a debian bookworm minbase rootfs tarball (tar+gzip,
# numeric owners), building it with debootstrap once (~100 s, root) and
# caching it under ~/.cache/shale-fixtures.
set -euo pipefail
cache=${XDG_CACHE_HOME:-$HOME/.cache}/shale-fixtures
out=$cache/debian-bookworm-minbase.tar.gz
mkdir -p "$cache"
exec 9>"$cache/.minbase.lock"
flock -w 1800 9
if [ ! -s "$out" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "debootstrap needs root" >&2; exit 3; }
  command -v debootstrap >/dev/null || { echo "debootstrap not installed" >&2; exit 3; }
  mirror=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  w=$(mktemp -d)
  trap 'rm -rf --one-file-system "$w"' EXIT
  debootstrap --variant=minbase bookworm "$w/rootfs" "$mirror" >"$w/log" 2>&1 || { tail -20 "$w/log" >&2; exit 1; }
  for d in dev proc sys run tmp; do find "$w/rootfs/$d" -mindepth 1 -delete 2>/dev/null || true; done
  rm -rf "$w/rootfs/var/cache/apt/archives/"*.deb "$w/rootfs/var/lib/apt/lists/"*_* 2>/dev/null || true
  tar --numeric-owner --xattrs -C "$w/rootfs" -czf "$out.tmp" .
  mv "$out.tmp" "$out"
fi
echo "$out"
