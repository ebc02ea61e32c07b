#!/usr/bin/env bash
# The CI container test: a RUN-equivalent step with BUILDAH_ISOLATION=chroot
# inside a `docker run` container WITHOUT --privileged (Docker's default
# capabilities and seccomp profile, uid 0) - a GitLab runner's job container.
#
# Starts its own dockerd (Debian docker.io) with data-root, exec-root, pidfile
# and socket under a temp dir, imports an image holding the shale binary (+
# the shared libraries it needs) and a busybox rootfs, probes whether the
# seccomp profile lets unshare(CLONE_NEWUSER) through, runs
#   shale run-step --rootfs /steproot -- sh -c 'echo hi > /x && ...'
# in it, checks the result, and stops dockerd by PID.
# Usage: ci_container_test.sh SHALE_BINARY
# Exit 77 (ctest SKIP) when not root or docker.io is missing.
set -euo pipefail
SHALE=${1:?usage: ci_container_test.sh SHALE_BINARY}
HERE=$(cd "$(dirname "$0")" && pwd)
DOCKERD=/usr/sbin/dockerd
DOCKER=/usr/bin/docker   # the 20.10 client of docker.io (another docker in PATH may differ)

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root to start dockerd"
[ -x "$DOCKERD" ] && [ -x "$DOCKER" ] || skip "docker.io is not installed (.ci/deps test installs it)"
[ -x "$SHALE" ] || { echo "no shale binary at $SHALE" >&2; exit 1; }

T=$(mktemp -d /tmp/shale-ci-XXXXXX)
DPID=""
cleanup() {
  if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
    kill "$DPID"
    for _ in $(seq 50); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$DPID" 2>/dev/null || true
  fi
  # dockerd may leave mounts (overlay2, netns) under its dirs.
  awk -v d="$T/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$T"
}
trap cleanup EXIT

export DOCKER_HOST=unix://$T/docker.sock
start_dockerd() { # storage driver
  "$DOCKERD" --host "$DOCKER_HOST" --data-root "$T/data" --exec-root "$T/exec" --pidfile "$T/docker.pid" \
    --iptables=false --ip-masq=false --bridge=none --storage-driver="$1" >"$T/dockerd.log" 2>&1 &
  DPID=$!
  for _ in $(seq 100); do
    "$DOCKER" info >/dev/null 2>&1 && return 0
    kill -0 "$DPID" 2>/dev/null || break
    sleep 0.3
  done
  kill "$DPID" 2>/dev/null || true
  wait "$DPID" 2>/dev/null || true
  DPID=""
  return 1
}
if ! start_dockerd overlay2 && ! start_dockerd vfs; then
  tail -20 "$T/dockerd.log" >&2
  echo "FAIL: dockerd did not start" >&2
  exit 1
fi

# The image: shale + its libraries at their host paths, and a step rootfs.
# shellcheck source=tests/runtime/ci_image.sh
source "$HERE/ci_image.sh"
IMG=$T/img
ci_image_dir "$SHALE" "$IMG"

# Inside the container: show the confinement, run the step, check the rootfs.
cat >"$IMG/run.sh" <<'SCRIPT'
grep -E '^(CapEff|Seccomp):' /proc/self/status
# Why a step gets no namespaces here: what the seccomp profile says to
# unshare(CLONE_NEWUSER) (podman's allows it; see ci_podman_test.sh).
if unshare -U true 2>/tmp/userns.err; then echo "userns-probe: allowed"; else echo "userns-probe: denied: $(cat /tmp/userns.err)"; fi
/shale run-step --rootfs /steproot -- sh -c 'echo hi > /x && cat /x && (grep -E "^(Name|Seccomp):" /proc/self/status 2>/dev/null || echo "no /proc in a plain chroot") && test -c /dev/null && echo devnull-ok'
rc=$?
echo step-exit=$rc
cat /steproot/x
test -e /steproot/dev/null && echo LEFTOVER-dev-null
exit $rc
SCRIPT
tar -C "$IMG" -c . | "$DOCKER" import - shale-ci-test >/dev/null
set +e
OUT=$("$DOCKER" run --rm --network none -e BUILDAH_ISOLATION=chroot shale-ci-test /bin/sh /run.sh 2>&1)
RC=$?
set -e
echo "$OUT"
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$RC" -eq 0 ] || fail "docker run exited $RC"
grep -q '^Seccomp:[[:space:]]*2' <<<"$OUT" || fail "the container was not under a seccomp filter (test would prove nothing)"
grep -q '^CapEff:[[:space:]]*00000000a80425fb' <<<"$OUT" || echo "note: CapEff differs from Docker 20.10's default set"
grep -q '^step-exit=0$' <<<"$OUT" || fail "the step failed"
[ "$(grep -c '^hi$' <<<"$OUT")" -eq 2 ] || fail "the step's write to /x is missing"
grep -q 'devnull-ok' <<<"$OUT" || fail "/dev/null missing in the step"
grep -q 'isolation degraded' <<<"$OUT" || fail "the degradation was not announced"
if grep -q '^userns-probe: allowed' <<<"$OUT"; then
  # Then the chroot backend nests its namespaces in a user namespace.
  grep -q '^Name:' <<<"$OUT" || fail "user namespaces are allowed here, yet the step had no /proc"
else
  grep '^userns-probe:' <<<"$OUT" || fail "the user namespace probe did not run"
  echo "measured: this docker's default seccomp profile denies unshare(CLONE_NEWUSER) (no CAP_SYS_ADMIN):"
  echo "  no user, mount or PID namespace, so no mount at all: the step runs in a plain chroot without /proc"
fi
if grep -q LEFTOVER <<<"$OUT"; then fail "the backend left /dev/null in the rootfs"; fi
echo "PASS: RUN step with BUILDAH_ISOLATION=chroot works in an unprivileged docker container"
