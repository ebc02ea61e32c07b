#!/usr/bin/env bash
# runtime_bench.sh [SHALE_BINARY] [N]: N (default 200) sequential `true`
# steps per isolation backend with `shale run-step`, against the same with
# `buildah run --isolation chroot` (anchor; else `podman run --rm --runtime
# runc`) in the same run. Prints per-step wall time and the ratio to the
# anchor. Run as root for all backends (as a user: rootless and chroot only).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SHALE=${1:-$HERE/../../build/builder/cli/shale}
N=${2:-200}
[ -x "$SHALE" ] || { echo "no shale binary at $SHALE (pass it as the first argument)" >&2; exit 1; }
T=$(mktemp -d /tmp/shale-rtbench-XXXXXX)
chmod 755 "$T"
ROOTFS=$T/rootfs
bash "$HERE/../fixtures/rootfs.sh" busybox-dir "$ROOTFS"
BUILDAH_CTR=""
cleanup() {
  if [ -n "$BUILDAH_CTR" ]; then
    buildah --root "$T/broot" --runroot "$T/brun" rm "$BUILDAH_CTR" >/dev/null 2>&1 || true
  fi
  awk -v d="$T/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$T" 2>/dev/null || true
}
trap cleanup EXIT

now() { date +%s%N; }
declare -A per_step
time_loop() { # name cmd...
  local name=$1; shift
  "$@" >/dev/null 2>&1 || { echo "$name: a trial run failed: $*" >&2; "$@" || true; return 1; }
  local t0 t1 i
  t0=$(now)
  for ((i = 0; i < N; i++)); do "$@" >/dev/null 2>&1; done
  t1=$(now)
  per_step[$name]=$(( (t1 - t0) / N / 1000 ))  # microseconds
  printf '%-28s %8.2f ms/step\n' "$name" "$(echo "${per_step[$name]} / 1000" | bc -l)"
}

echo "== $N sequential 'true' steps each (busybox rootfs) =="
anchor=""
if command -v buildah >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  B=(buildah --root "$T/broot" --runroot "$T/brun" --storage-driver vfs)
  BUILDAH_CTR=$("${B[@]}" from scratch)
  MNT=$("${B[@]}" mount "$BUILDAH_CTR")
  cp -a "$ROOTFS/." "$MNT/"
  time_loop "buildah run (chroot)" "${B[@]}" run --isolation chroot "$BUILDAH_CTR" true && anchor="buildah run (chroot)"
elif command -v podman >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  P=(podman --root "$T/proot" --runroot "$T/prun")
  tar -C "$ROOTFS" -c . | "${P[@]}" import - localhost/rtbench >/dev/null
  time_loop "podman run --rm (runc)" "${P[@]}" run --rm --runtime runc --network none \
    --ulimit nofile=20000:20000 --ulimit nproc=4096:4096 localhost/rtbench true && anchor="podman run --rm (runc)"
fi
for iso in chroot rootless oci; do
  time_loop "shale run-step ($iso)" "$SHALE" run-step --rootfs "$ROOTFS" --isolation "$iso" -- true || true
done
if [ -n "$anchor" ]; then
  echo "== ratio to $anchor (lower is faster) =="
  for k in "${!per_step[@]}"; do
    [ "$k" = "$anchor" ] && continue
    printf '%-28s %6.2fx\n' "$k" "$(echo "${per_step[$k]} / ${per_step[$anchor]}" | bc -l)"
  done
else
  echo "(no anchor: buildah/podman missing or not root)"
fi
