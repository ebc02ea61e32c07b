#!/bin/sh
# Runs the frontend benchmark (build target frontend_bench first):
#   cmake --build <build> --target frontend_bench && tests/bench/frontend_bench.sh <build>
set -eu
build=${1:-build}
exec "$build/tests/frontend/frontend_bench" "${2:-20}"
