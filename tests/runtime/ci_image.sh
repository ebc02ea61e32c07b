# Sourced by the CI container tests: ci_image_dir SHALE DIR fills DIR with
# an image root holding the shale binary (+ the shared libraries it needs,
# at their host paths), a little busybox for the container's own scripts,
# and /steproot, the busybox rootfs a step runs in (tests/fixtures/rootfs.sh).
ci_image_dir() { # shale dir
  local shale=$1 img=$2 here lib
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  mkdir -p "$img"
  cp "$shale" "$img/shale"
  ldd "$shale" | awk '/=> \//{print $3} /^\t\/.*ld-linux/{print $1}' | while read -r lib; do
    mkdir -p "$img$(dirname "$lib")"
    cp -L "$lib" "$img$lib"
  done
  # ld.so looks in /lib64 for the x86-64 loader
  if [ -e /lib64/ld-linux-x86-64.so.2 ]; then mkdir -p "$img/lib64"; cp -L /lib64/ld-linux-x86-64.so.2 "$img/lib64/"; fi
  bash "$here/../fixtures/rootfs.sh" busybox-dir "$img/steproot"
  mkdir -p "$img/bin" "$img/tmp" "$img/proc" "$img/dev" "$img/sys" "$img/etc"
  cp "$img/steproot/bin/busybox" "$img/bin/busybox"
  local a
  for a in sh grep cat test unshare echo mkdir; do ln -sf busybox "$img/bin/$a"; done
}
