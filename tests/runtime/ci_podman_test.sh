#!/usr/bin/env bash
# The CI container test under podman: a RUN-equivalent step with
# BUILDAH_ISOLATION=chroot inside `podman run --runtime runc` WITHOUT
# --privileged (podman's default capabilities - no CAP_SYS_ADMIN - and its
# default seccomp profile, uid 0).
#
# There mount() and unshare(CLONE_NEWNS) are denied, but the seccomp profile
# lets unshare(CLONE_NEWUSER) through; the chroot backend then creates its
# namespaces inside a new user namespace, where a fresh procfs is still
# refused (the container's /proc has masked paths) but a recursive bind of
# the container's /proc is not. So `RUN echo hi > /x && cat /proc/self/status`
# works. The test also checks the step cannot reach the container's root
# through /proc/1/root, and that nothing is left in the rootfs.
#
# podman keeps everything (storage, run root, tmp dir) under a temp dir.
# Usage: ci_podman_test.sh SHALE_BINARY
# Exit 77 (ctest SKIP) when not root, or podman/runc is missing.
set -euo pipefail
SHALE=${1:?usage: ci_podman_test.sh SHALE_BINARY}
HERE=$(cd "$(dirname "$0")" && pwd)

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root to run podman with a private storage root"
command -v podman >/dev/null || skip "podman is not installed (.ci/deps test installs it)"
command -v runc >/dev/null || skip "runc is not installed (.ci/deps test installs it)"
[ -x "$SHALE" ] || { echo "no shale binary at $SHALE" >&2; exit 1; }

T=$(mktemp -d /tmp/shale-cipod-XXXXXX)
PODMAN=(podman --root "$T/root" --runroot "$T/run" --tmpdir "$T/tmp" --storage-driver vfs
        --cgroup-manager cgroupfs --events-backend file)
cleanup() {
  "${PODMAN[@]}" rm -af >/dev/null 2>&1 || true
  awk -v d="$T/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$T"
}
trap cleanup EXIT

# shellcheck source=tests/runtime/ci_image.sh
source "$HERE/ci_image.sh"
IMG=$T/img
ci_image_dir "$SHALE" "$IMG"
cat >"$IMG/run.sh" <<'SCRIPT'
grep -E '^(CapEff|Seccomp):' /proc/self/status
if unshare -m true 2>/dev/null; then echo "mountns-probe: allowed"; else echo "mountns-probe: denied"; fi
if unshare -U true 2>/tmp/userns.err; then echo "userns-probe: allowed"; else echo "userns-probe: denied: $(cat /tmp/userns.err)"; fi
mkdir -p /target
/shale run-step --rootfs /steproot -- sh -c 'echo hi > /x && cat /proc/self/status && cat /x &&
  (echo x > /proc/1/root/target/escaped) 2>/dev/null; (echo x > /proc/self/root/../target/escaped2) 2>/dev/null;
  test -c /dev/null && echo devnull-ok'
rc=$?
echo step-exit=$rc
cat /steproot/x
test -e /target/escaped && echo ESCAPED-proc1root
test -e /target/escaped2 && echo ESCAPED-procselfroot
test -e /steproot/dev/null && echo LEFTOVER-dev-null
test -n "$(ls -A /steproot/proc)" && echo LEFTOVER-proc
exit $rc
SCRIPT
tar -C "$IMG" -c . | "${PODMAN[@]}" import - localhost/shale-ci-test >/dev/null 2>"$T/import.log" ||
  { cat "$T/import.log" >&2; echo "FAIL: podman import" >&2; exit 1; }
set +e
OUT=$("${PODMAN[@]}" run --rm --runtime runc --ulimit nofile=20000:20000 --ulimit nproc=4096:4096 \
        --network none -e BUILDAH_ISOLATION=chroot localhost/shale-ci-test /bin/sh /run.sh 2>&1)
RC=$?
set -e
echo "$OUT"
fail() { echo "FAIL: $*" >&2; exit 1; }
grep -q '^Seccomp:[[:space:]]*2' <<<"$OUT" || fail "the container was not under a seccomp filter (test would prove nothing)"
cap=$(sed -n 's/^CapEff:[[:space:]]*\([0-9a-f]*\)$/\1/p' <<<"$OUT" | head -1)
[ -n "$cap" ] || fail "no CapEff line"
(( (0x$cap >> 21) & 1 )) && fail "the container has CAP_SYS_ADMIN (test would prove nothing)"
grep -q '^mountns-probe: denied' <<<"$OUT" || fail "a mount namespace was allowed (not the locked-down case)"
if ! grep -q '^userns-probe: allowed' <<<"$OUT"; then
  grep '^userns-probe:' <<<"$OUT" || true
  skip "this podman's seccomp profile denies unshare(CLONE_NEWUSER) too: the docker case (ci_container_test.sh)"
fi
[ "$RC" -eq 0 ] || fail "podman run exited $RC"
grep -q '^step-exit=0$' <<<"$OUT" || fail "the step failed"
[ "$(grep -c '^hi$' <<<"$OUT")" -eq 2 ] || fail "the step's write to /x is missing"
grep -q '^Name:[[:space:]]*cat$' <<<"$OUT" || fail "the step could not read /proc/self/status"
grep -q 'devnull-ok' <<<"$OUT" || fail "/dev/null missing in the step"
grep -q "/proc is the container's own, bind-mounted" <<<"$OUT" || fail "the /proc bind was not announced"
if grep -q 'ESCAPED' <<<"$OUT"; then fail "the step wrote outside its rootfs through /proc"; fi
if grep -q LEFTOVER <<<"$OUT"; then fail "the backend left mount points or devices in the rootfs"; fi
echo "PASS: RUN step with BUILDAH_ISOLATION=chroot and a /proc works in an unprivileged podman container"
