#!/usr/bin/env bash
# Benchmark (c): applying a debian minbase layer, against `tar -xzf` and
# `umoci unpack`.  layers_apply.sh [BUILD_DIR]
# The minbase tarball is built by layers_fixture_minbase.sh (debootstrap,
# cached); without root/debootstrap a synthetic 15k-file tree stands in and
# the output says so.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
bench=$build/tests/bench/layers_bench
[ -x "$bench" ] || { echo "build layers_bench first" >&2; exit 1; }
w=$(mktemp -d); trap 'rm -rf --one-file-system "$w"' EXIT
if src=$(bash "$here/layers_fixture_minbase.sh" 2>"$w/err"); then
  what="debian bookworm minbase"
else
  what="SYNTHETIC stand-in (no debootstrap minbase: $(tail -1 "$w/err"))"
  mkdir -p "$w/syn"
  python3 -c '
import os, sys
r = sys.argv[1]
for i in range(15000):
    d = os.path.join(r, "usr/share/d%03d" % (i % 300)); os.makedirs(d, exist_ok=True)
    open(os.path.join(d, "f%d" % i), "wb").write(os.urandom(i % 20000))' "$w/syn"
  tar --numeric-owner -C "$w/syn" -czf "$w/syn.tar.gz" .
  src=$w/syn.tar.gz
fi
# Re-encode through shale so the layer is what a shale store holds (same for all three).
mkdir "$w/in"; tar -C "$w/in" -xzf "$src"
"$bench" commit "$w/in" gzip "$w/layer.tar.gz" >"$w/commit.out"
rm -rf --one-file-system "$w/in"
digest=$(sed -n 's/^digest=sha256://p' "$w/commit.out")
diffid=$(sed -n 's/^diff_id=//p' "$w/commit.out")
size=$(stat -c %s "$w/layer.tar.gz")
# A minimal OCI layout for umoci.
L=$w/layout; mkdir -p "$L/blobs/sha256"; cp "$w/layer.tar.gz" "$L/blobs/sha256/$digest"
cfg='{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["'$diffid'"]}}'
cd_=$(printf '%s' "$cfg" | sha256sum | cut -c1-64); printf '%s' "$cfg" >"$L/blobs/sha256/$cd_"
man='{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:'$cd_'","size":'${#cfg}'},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:'$digest'","size":'$size'}]}'
md=$(printf '%s' "$man" | sha256sum | cut -c1-64); printf '%s' "$man" >"$L/blobs/sha256/$md"
echo '{"imageLayoutVersion":"1.0.0"}' >"$L/oci-layout"
echo '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:'$md'","size":'${#man}',"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}' >"$L/index.json"
cat "$w/layer.tar.gz" >/dev/null
ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
best() { local b=999999999 i v; for i in 1 2 3; do rm -rf --one-file-system "$w/out"; [ "$1" = umoci ] || mkdir "$w/out"; sync
  case $1 in shale) v=$(ms "$bench" apply "$w/layer.tar.gz" "$w/out");; tar) v=$(ms tar --numeric-owner -xzf "$w/layer.tar.gz" -C "$w/out");;
             umoci) v=$(ms umoci unpack --image "$L:latest" "$w/out");; esac; [ "$v" -lt "$b" ] && b=$v; done; echo $b; }
s=$(best shale); t=$(best tar); u=$(best umoci)
echo "apply $what ($((size / 1024 / 1024)) MiB gzip layer), best of 3:"
awk -v s="$s" -v t="$t" -v u="$u" 'BEGIN{printf "  shale %d ms | tar -xzf %d ms (tar/shale %.2fx) | umoci unpack %d ms (umoci/shale %.2fx)\n", s, t, t/s, u, u/s}'
