#!/usr/bin/env bash
# Benchmark (a): committing a 1 GiB file as a layer, against the pipeline a
# shell would use. Same run, same data; prints seconds, throughput ratio and
# peak RSS.   layers_commit.sh [BUILD_DIR] [SIZE_MIB]
set -euo pipefail
build=${1:-$(dirname "$0")/../../build}
mib=${2:-1024}
bench=$build/tests/bench/layers_bench
[ -x "$bench" ] || { echo "build layers_bench first (cmake --build $build --target layers_bench)" >&2; exit 1; }
for t in pigz zstd /usr/bin/time; do command -v "$t" >/dev/null || { echo "missing $t" >&2; exit 1; }; done
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
mkdir "$w/src"
# Text-like data (base64 of random bytes): compressible, not trivially.
head -c $((mib * 1024 * 1024 * 3 / 4)) /dev/urandom | base64 -w 76 >"$w/src/big"
truncate -s $((mib * 1024 * 1024)) "$w/src/big"
sync
run() { # label cmd... → prints "label secs rss_kib"
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$w/time" "$@" >"$w/out" 2>/dev/null
  read -r secs rss <"$w/time"
  echo "$label $secs $rss"
}
for codec in gzip zstd; do
  if [ $codec = gzip ]; then anchor="tar -C $w/src -c . | pigz -p2 | sha256sum"; else anchor="tar -C $w/src -c . | zstd -q -T2 | sha256sum"; fi
  read -r _ a_secs _ < <(run anchor bash -c "$anchor")
  read -r _ s_secs s_rss < <(run shale "$bench" commit "$w/src" $codec /dev/null)
  ratio=$(awk -v a="$a_secs" -v s="$s_secs" 'BEGIN{printf "%.2f", a/s}')
  echo "$codec: ${mib} MiB  anchor ($anchor) ${a_secs}s  shale ${s_secs}s  throughput ratio shale/anchor=${ratio}x  shale peak RSS $((s_rss / 1024)) MiB"
done
