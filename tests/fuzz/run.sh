#!/bin/sh
# Builds the frontend libFuzzer target with clang (ASan + UBSan) and runs it
# for a bounded time.
#   tests/fuzz/run.sh [SECONDS] [JOBS]
# Environment: FUZZ_BUILD_DIR (default: $TMPDIR/shale-frontend-fuzz),
# FUZZ_CORPUS_DIR (kept between runs if set).
# Exit: 0 no crash, 1 crash or build failure, 77 clang/libFuzzer unavailable.
set -eu

seconds=${1:-60}
jobs=${2:-1}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${FUZZ_BUILD_DIR:-${TMPDIR:-/tmp}/shale-frontend-fuzz}
cxx=${CLANGXX:-clang++}

if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "SKIP: $cxx not found; install clang and libclang-rt-dev to fuzz the frontend"
  exit 77
fi
mkdir -p "$build"
probe="$build/probe.cc"
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' >"$probe"
if ! "$cxx" -fsanitize=fuzzer "$probe" -o "$build/probe" >/dev/null 2>&1; then
  echo "SKIP: $cxx cannot link -fsanitize=fuzzer (libclang-rt-dev missing)"
  exit 77
fi

re2_flags=$(pkg-config --cflags --libs re2 2>/dev/null || echo "-lre2")
sources="$src/tests/fuzz/frontend_fuzz.cc $src/base/status.cc $src/base/platform.cc"
for f in $(sed -n 's/^  \([a-z_/]*\.cc\)$/\1/p' "$src/frontend/CMakeLists.txt"); do
  sources="$sources $src/frontend/$f"
done
binary="$build/frontend_fuzz"
stale=yes
if [ -x "$binary" ]; then
  stale=no
  # shellcheck disable=SC2086
  for f in $sources "$src"/frontend/*.h "$src"/frontend/internal/*.h "$src"/base/*.h "$0"; do
    if [ "$f" -nt "$binary" ]; then stale=yes; fi
  done
fi
if [ "$stale" = yes ]; then
  echo "building $binary"
  # shellcheck disable=SC2086
  "$cxx" -std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined -I"$src" $sources $re2_flags -o "$binary.tmp"
  mv "$binary.tmp" "$binary"
else
  echo "reusing $binary (up to date)"
fi

corpus=${FUZZ_CORPUS_DIR:-$build/corpus}
mkdir -p "$corpus"
seeds="$build/seeds"
mkdir -p "$seeds"
conformance="$src/../shared/conformance/buildkit-dockerfile-parser"
if [ -d "$conformance/testfiles" ]; then
  for d in "$conformance"/testfiles/*/ "$conformance"/testfiles-negative/*/; do
    [ -f "$d/Dockerfile" ] && cp "$d/Dockerfile" "$seeds/$(basename "$d")"
  done
  cp "$conformance/heredoc-extract/Dockerfile" "$seeds/heredoc-extract"
fi
printf 'ARG B=alpine\nFROM ${B:-x} AS one\nENV A=1 B=${A:+y}\nRUN --mount=type=cache,target=/c echo $A\nFROM one\nCOPY --from=one --chown=1:1 <<EOF /x\nhi $A\nEOF\nONBUILD RUN x\nHEALTHCHECK --interval=1s CMD ["a"]\n' >"$seeds/mixed"
printf '# escape=`\nFROM a\nRUN echo `\n  b\nLABEL a="b c" d=${e%%%%f}\n' >"$seeds/escape"
printf '**/*.go\n!keep/**\n/abs/../x\n[a-z]*\n' >"$seeds/ignore"

echo "fuzzing for ${seconds}s with $jobs job(s)"
status=0
"$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -jobs="$jobs" -workers="$jobs" -print_final_stats=1 "$corpus" "$seeds" || status=$?
if [ "$status" -ne 0 ]; then
  echo "FAIL: fuzzer found a crash (exit $status); reproducer in $(pwd)"
  exit 1
fi
echo "OK: ${seconds}s x $jobs job(s) without a crash"
