#!/usr/bin/env bash
# make_busybox_rootfs.sh DIR: a minimal busybox rootfs from the host's static
# busybox (Debian busybox-static), for runtime tests and benchmarks.
# Same content as tests/runtime/busybox_rootfs.cc.
set -euo pipefail
dir=${1:?usage: make_busybox_rootfs.sh DIR}
bb=""
for p in /bin/busybox /usr/bin/busybox; do
  if [ -x "$p" ] && ! file -L "$p" 2>/dev/null | grep -q 'dynamically linked'; then bb=$p; break; fi
done
[ -n "$bb" ] || { echo "no static busybox (apt-get install busybox-static)" >&2; exit 1; }
mkdir -p "$dir"/{bin,dev,etc,home/user,proc,root,sys,tmp,usr/bin,var/tmp}
chmod 1777 "$dir/tmp" "$dir/var/tmp"
chmod 700 "$dir/root"
cp "$bb" "$dir/bin/busybox"
for a in $("$bb" --list) sh; do
  case "$a" in busybox|*/*) continue ;; esac
  [ -e "$dir/bin/$a" ] || ln -s busybox "$dir/bin/$a"
done
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' \
  'user:x:1000:1000:user:/home/user:/bin/sh' >"$dir/etc/passwd"
printf '%s\n' 'root:x:0:' 'tty:x:5:user' 'users:x:100:user' 'nogroup:x:65534:' 'user:x:1000:' >"$dir/etc/group"
chown 1000:1000 "$dir/home/user" 2>/dev/null || true
