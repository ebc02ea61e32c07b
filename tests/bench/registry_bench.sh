#!/usr/bin/env bash
# Registry benchmarks, all in one run against one local registry (plain HTTP):
#   1. push of a ~200 MB, 5-layer image: shale push vs skopeo copy of the same OCI layout
#   2. re-push when every blob exists vs the first shale push
#   3. pull of the same: shale pull into an empty store vs skopeo copy to an OCI layout
# Prints the times and ratios (goals: push <= 1.0x, re-push <= 0.1x).
#   registry_bench.sh [BUILD_DIR]     (default: build)
set -euo pipefail
HERE=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$HERE/build}
SHALE=$BUILD/builder/cli/shale
[ -x "$SHALE" ] || { echo "no shale binary at $SHALE" >&2; exit 1; }
W=$(mktemp -d)
stop_all() {
  for d in reg reg2; do bash "$HERE/tests/fixtures/registry_fixture.sh" stop --dir "$W/$d" >/dev/null 2>&1 || true; done
  rm -rf "$W"
}
trap stop_all EXIT
export CONTAINERS_REGISTRIES_CONF=/nonexistent
# Two empty registries, so neither push finds the other's blobs.
eval "$(bash "$HERE/tests/fixtures/registry_fixture.sh" start --dir "$W/reg" --mode plain | sed 's/^/R_/')"
eval "$(bash "$HERE/tests/fixtures/registry_fixture.sh" start --dir "$W/reg2" --mode plain | sed 's/^/S_/')"
python3 "$HERE/tests/fixtures/registry_image.py" --layout "$W/store" --ref localhost/bench:1 \
  --layers 5 --layer-mb 40 --seed "bench-$$" >/dev/null
now() { date +%s.%N; }
t() { local s e; s=$(now); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; e=$(now); calc "$e - $s"; }
calc() { python3 -c "print($1)"; }

sk_push=$(t skopeo copy --dest-tls-verify=false "oci:$W/store:localhost/bench:1" "docker://$S_HOST/skopeo/bench:1")
sh_push=$(t "$SHALE" --root "$W/store" push -q --tls-verify=false localhost/bench:1 "$R_HOST/shale/bench:1")
sh_repush=$(t "$SHALE" --root "$W/store" push -q --tls-verify=false localhost/bench:1 "$R_HOST/shale/bench:1")
sk_pull=$(t skopeo copy --src-tls-verify=false "docker://$R_HOST/shale/bench:1" "oci:$W/skopeo-layout:x")
sh_pull=$(t "$SHALE" --root "$W/pulled" pull -q --tls-verify=false "$R_HOST/shale/bench:1")

size=$(du -sb "$W/store/blobs" | cut -f1)
printf 'image: 5 layers, %d MB\n' $((size / 1000000))
printf 'push     shale %6.2fs  skopeo %6.2fs  ratio %.2fx (goal <= 1.0)\n' "$sh_push" "$sk_push" "$(calc "$sh_push / $sk_push")"
printf 're-push  shale %6.2fs  first  %6.2fs  ratio %.3fx (goal <= 0.1)\n' "$sh_repush" "$sh_push" "$(calc "$sh_repush / $sh_push")"
printf 'pull     shale %6.2fs  skopeo %6.2fs  ratio %.2fx\n' "$sh_pull" "$sk_pull" "$(calc "$sh_pull / $sk_pull")"
