#!/usr/bin/env bash
# Benchmark: store a 1 GiB blob through BlobWriter (hash + temp file + fsync +
# verify + rename) vs `sha256sum` + `cp` of the same file, in the same run.
# Prints both times, the ratio (goal <= 1.3) and peak RSS (goal < 64 MiB).
#   tests/bench/storage_blob_bench.sh [BUILD_DIR] [SIZE_MIB]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
size_mib=${2:-1024}
bench=$build/tests/storage/storage_blob_bench
[ -x "$bench" ] || { echo "build the storage_blob_bench target first ($bench missing)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time missing (apt-get install time)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/shale-blob-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
src=$work/src.bin
head -c "$((size_mib * 1024 * 1024))" /dev/urandom > "$src"
cat "$src" > /dev/null  # same (warm) page cache for every contender

# Runs a command under /usr/bin/time -v; prints "seconds max_rss_kib".
measure() {
  local log=$work/time.log
  /usr/bin/time -v "$@" > /dev/null 2> "$log"
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  # wall is [h:]m:ss.ss
  echo "$wall" | awk -F: -v rss="$rss" '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.3f %d\n", s, rss }'
}

best_store=999999 best_anchor=999999 best_anchor_sync=999999 rss_store=0 rss_anchor=0
for run in 1 2 3; do
  rm -rf "$work/store" "$work/copy"
  read -r t rss < <(measure "$bench" "$src" "$work/store")
  best_store=$(awk -v a="$best_store" -v b="$t" 'BEGIN{print (b<a)?b:a}')
  [ "$rss" -gt "$rss_store" ] && rss_store=$rss
  rm -rf "$work/store"

  read -r t1 r1 < <(measure sha256sum "$src")
  read -r t2 r2 < <(measure cp "$src" "$work/copy")
  t=$(awk -v a="$t1" -v b="$t2" 'BEGIN{print a+b}')
  best_anchor=$(awk -v a="$best_anchor" -v b="$t" 'BEGIN{print (b<a)?b:a}')
  for r in $r1 $r2; do [ "$r" -gt "$rss_anchor" ] && rss_anchor=$r; done
  # Same, but durable like the store (cp + fsync of the copy).
  read -r t3 _ < <(measure sync "$work/copy")
  ts=$(awk -v a="$t" -v b="$t3" 'BEGIN{print a+b}')
  best_anchor_sync=$(awk -v a="$best_anchor_sync" -v b="$ts" 'BEGIN{print (b<a)?b:a}')
  rm -f "$work/copy"
done

ratio=$(awk -v a="$best_store" -v b="$best_anchor" 'BEGIN{printf "%.2f", a/b}')
ratio_sync=$(awk -v a="$best_store" -v b="$best_anchor_sync" 'BEGIN{printf "%.2f", a/b}')
echo "blob size:                 ${size_mib} MiB (best of 3 runs each)"
echo "shale BlobWriter:          ${best_store} s, peak RSS $((rss_store / 1024)) MiB"
echo "sha256sum + cp:            ${best_anchor} s, peak RSS $((rss_anchor / 1024)) MiB"
echo "sha256sum + cp + sync:     ${best_anchor_sync} s"
echo "ratio vs sha256sum+cp:     ${ratio}  (goal <= 1.3)"
echo "ratio vs the durable copy: ${ratio_sync}"
ok=1
awk -v r="$ratio" 'BEGIN{exit !(r <= 1.3)}' || ok=0
[ "$rss_store" -lt $((64 * 1024)) ] || ok=0
[ $ok = 1 ] && echo "RESULT: goals met" || echo "RESULT: goal missed"
