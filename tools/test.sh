#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite (unit and end-to-end) with ctest.
#   tools/test.sh            the normal build (./build)
#   tools/test.sh --asan     the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#                            (./build-asan; the broker the end-to-end tests start is instrumented too)
# Further arguments go to ctest (e.g. -R DeliveryTest).
set -euo pipefail
cd "$(dirname "$0")/.."
preset=default
if [ "${1:-}" = "--asan" ]; then
  preset=asan
  shift
fi
tools/setup.sh
# The reference Standard Webhooks library the signature tests check against (pinned in the lock).
if [ ! -d tests/node/node_modules/standardwebhooks ]; then
  (cd tests/node && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ "$preset" = default ]; then
  tools/build.sh
  cd "${BUILD_DIR:-build}"
else
  [ -f build-asan/build.ninja ] || cmake --preset asan
  cmake --build --preset asan --parallel "$(nproc)"
  cd build-asan
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
ctest --output-on-failure --parallel 2 --timeout 300 "$@"
