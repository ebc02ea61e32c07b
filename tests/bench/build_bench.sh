#!/usr/bin/env bash
# Benchmark: `shale build` against `buildah bud --isolation chroot --layers`
# in the same run, on the same base images (made locally from Debian packages
# by tests/fixtures/rootfs.sh, imported into shale and copied into a private
# buildah storage with skopeo). Prints seconds and the ratio buildah/shale
# (>1: shale is faster) per scenario:
#   bases            making the base images usable: shale import of the two
#                    rootfs tarballs vs skopeo copy of the same images into
#                    buildah's storage (which unpacks every layer there; shale
#                    unpacks lazily, on the first build that needs a layer)
#   seed-cold        testdata/seed, empty build caches
#   seed-cold+bases  the two rows above added: what a fresh CI job pays
#   seed-unchanged   the same again, nothing changed
#   seed-go-change   one Go source file changed
#   copy-20k         COPY of 20,000 small files (cold), then unchanged
#   fifty-steps      a 50-instruction Containerfile (cold), then unchanged
#
#   build_bench.sh [BUILD_DIR]        (needs root: both use chroot isolation)
# Not run by ctest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${1:-$src/build}
shale=$build/builder/cli/shale
[ -x "$shale" ] || { echo "build shale first (cmake --build $build --target shale)" >&2; exit 1; }
for t in buildah skopeo /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "missing $t (apt-get install buildah skopeo time)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "run as root (chroot isolation for both builders)" >&2; exit 1; }

w=$(mktemp -d "${TMPDIR:-/tmp}/build-bench-XXXXXX")
cleanup() {
  buildah --root "$w/bh/root" --runroot "$w/bh/run" --storage-driver "${bh_driver:-vfs}" rm --all >/dev/null 2>&1 || true
  umount -R "$w/bh/root/overlay" >/dev/null 2>&1 || true
  rm -rf "$w" 2>/dev/null || true
}
trap cleanup EXIT
export SOURCE_DATE_EPOCH=1704067200

# --- base images --------------------------------------------------------
cache=${HOME:-/tmp}/.cache/shale-fixtures
key=$(sha256sum "$src/tests/fixtures/rootfs.sh" | cut -c1-12)
mkdir -p "$cache"
S=("$shale" --root "$w/shale")
for img in busybox golang; do
  tarball=$cache/$img-$key.tar
  [ -s "$tarball" ] || bash "$src/tests/fixtures/rootfs.sh" "$img" "$tarball"
  cat "$tarball" >/dev/null  # warm page cache: neither side pays the first read
done
now() { date +%s.%N; }
t0=$(now)
for img in busybox golang; do
  mapfile -t change < <(bash "$src/tests/fixtures/rootfs.sh" config "$img")
  "${S[@]}" import "${change[@]}" "$cache/$img-$key.tar" "$img:latest" >/dev/null
done
"${S[@]}" tag golang:latest golang:bookworm
"${S[@]}" tag busybox:latest runtime:latest

# buildah: overlay when it works here, else vfs.
bh_driver=overlay
BH=(buildah --root "$w/bh/root" --runroot "$w/bh/run" --storage-driver "$bh_driver")
copy_to_buildah() { # name
  skopeo copy -q "oci:$w/shale:localhost/$1" \
    "containers-storage:[$bh_driver@$w/bh/root+$w/bh/run]localhost/$1" >/dev/null
}
shale_bases=$(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}')
t0=$(now)
if ! copy_to_buildah busybox:latest 2>/dev/null; then
  bh_driver=vfs
  BH=(buildah --root "$w/bh/root" --runroot "$w/bh/run" --storage-driver "$bh_driver")
  rm -rf "$w/bh"
  copy_to_buildah busybox:latest
fi
for n in golang:latest golang:bookworm runtime:latest; do copy_to_buildah "$n"; done
buildah_bases=$(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}')

# --- helpers ------------------------------------------------------------
secs() { # cmd... → seconds (wall), output in $w/last.log; fails loudly
  if ! /usr/bin/time -f "%e" -o "$w/time" "$@" >"$w/last.log" 2>&1; then
    echo "FAILED: $*" >&2; tail -20 "$w/last.log" >&2; exit 1
  fi
  cat "$w/time"
}
shale_build() { secs "${S[@]}" build --isolation chroot --layers -t "$1" -f "$2/Containerfile" "$2"; }
buildah_build() { secs "${BH[@]}" bud --isolation chroot --layers --pull=never -t "$1" -f "$2/Containerfile" "$2"; }
rows=()
row() { # label shale_s buildah_s
  rows+=("$(printf '%-16s %8.2f %8.2f %7.2fx' "$1" "$2" "$3" "$(awk -v s="$2" -v b="$3" 'BEGIN{print (s>0)? b/s : 0}')")")
}
measure() { # label tag ctxdir  (shale first, then buildah, each with its own context copy)
  last_s=$(shale_build "$2" "$3/shale")
  last_b=$(buildah_build "$2" "$3/buildah")
  row "$1" "$last_s" "$last_b"
}
ctx_pair() { # dir → copies $dir into $w/ctx-N/{shale,buildah}, echoes the parent
  local d=$w/ctx-$RANDOM
  mkdir -p "$d"
  cp -a "$1" "$d/shale"
  cp -a "$1" "$d/buildah"
  echo "$d"
}

# --- scenarios ----------------------------------------------------------
seed=$(ctx_pair "$src/testdata/seed")
sed -i 's#^FROM golang:bookworm#FROM localhost/golang:bookworm#; s#^FROM runtime:latest#FROM localhost/runtime:latest#' \
  "$seed/buildah/Containerfile"
row bases "$shale_bases" "$buildah_bases"
measure seed-cold seed "$seed"
row seed-cold+bases "$(awk -v a="$shale_bases" -v b="$last_s" 'BEGIN{print a+b}')" \
  "$(awk -v a="$buildah_bases" -v b="$last_b" 'BEGIN{print a+b}')"
measure seed-unchanged seed "$seed"
for c in shale buildah; do echo "// bench change $RANDOM" >>"$seed/$c/version.go"; done
measure seed-go-change seed "$seed"

many=$w/many
mkdir -p "$many"
printf 'FROM busybox\nCOPY . /data/\n' >"$many/Containerfile"
for d in $(seq 0 99); do
  mkdir "$many/d$d"
  for f in $(seq 0 199); do echo "file $d/$f" >"$many/d$d/f$f.txt"; done
done
copy=$(ctx_pair "$many")
sed -i 's#^FROM busybox#FROM localhost/busybox:latest#' "$copy/buildah/Containerfile"
measure copy-20k-cold copy20k "$copy"
measure copy-20k-again copy20k "$copy"

fifty=$w/fifty
mkdir -p "$fifty"
{
  echo "FROM busybox"
  for i in $(seq 1 49); do
    case $((i % 5)) in
      0) echo "RUN echo step $i > /s$i.txt" ;;
      1) echo "COPY f$i.txt /files/" ; echo "content $i" >"$fifty/f$i.txt" ;;
      2) echo "ENV V$i=value$i" ;;
      3) echo "LABEL l$i=v$i" ;;
      4) echo "WORKDIR /w$i" ;;
    esac
  done
} >"$fifty/Containerfile"
fc=$(ctx_pair "$fifty")
sed -i 's#^FROM busybox#FROM localhost/busybox:latest#' "$fc/buildah/Containerfile"
measure fifty-steps-cold fifty "$fc"
measure fifty-steps-again fifty "$fc"

echo "shale: $shale  (snapshotter: default; isolation chroot)"
echo "buildah: $(buildah --version | cut -d' ' -f1-3)  (storage driver $bh_driver; isolation chroot; --layers)"
printf '%-16s %8s %8s %8s\n' scenario shale_s buildah_s ratio
for r in "${rows[@]}"; do echo "$r"; done
echo "ratio = buildah seconds / shale seconds (>1: shale faster)"
