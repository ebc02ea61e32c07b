#!/usr/bin/env bash
# Benchmark (b): native diff of a 20,000-file tree after 10 files changed,
# against a full `find -newer` walk and against hashing every file.
#   layers_diff.sh [BUILD_DIR] [FILES]
set -euo pipefail
build=${1:-$(dirname "$0")/../../build}
n=${2:-20000}
bench=$build/tests/bench/layers_bench
[ -x "$bench" ] || { echo "build layers_bench first" >&2; exit 1; }
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
python3 - "$w/tree" "$n" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
random.seed(1)
for i in range(n):
    d = os.path.join(root, "d%03d" % (i % 200), "s%02d" % (i % 7))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%05d" % i), "wb") as f:
        f.write(os.urandom(random.randint(100, 60000)))
PY
sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
cat "$w"/tree/*/*/* >/dev/null   # same warm cache for everyone
touch "$w/stamp"; sleep 1
out=$("$bench" diff "$w/tree" 10)
echo "$out"
diff_ms=$(sed -n 's/^diff_ms=//p' <<<"$out")
hash_ms=$(sed -n 's/^hash_all_ms=//p' <<<"$out")
t0=$(date +%s%N); find "$w/tree" -newer "$w/stamp" | wc -l >/dev/null; t1=$(date +%s%N)
find_ms=$(( (t1 - t0) / 1000000 ))
t0=$(date +%s%N); find "$w/tree" -type f -print0 | xargs -0 sha256sum >/dev/null; t1=$(date +%s%N)
sha_ms=$(( (t1 - t0) / 1000000 ))
awk -v d="$diff_ms" -v f="$find_ms" -v h="$hash_ms" -v s="$sha_ms" -v n="$n" 'BEGIN{
  printf "native diff of %d files, 10 changed: %.1f ms\n", n, d;
  printf "  vs find -newer walk: %d ms  (find/shale = %.2fx)\n", f, f/d;
  printf "  vs hashing every file: in-process %.1f ms (%.1fx), sha256sum %d ms (%.1fx)\n", h, h/d, s, s/d }'
