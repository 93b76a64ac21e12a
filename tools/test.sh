#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite (unit and end-to-end) with ctest.
#   tools/test.sh            the normal build (./build)
#   tools/test.sh --asan     the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#                            (./build-asan; the broker the end-to-end tests start is instrumented too)
#   tools/test.sh --tsan     the same tests under ThreadSanitizer (./build-tsan; suppressions for
#                            third-party false positives only: tools/tsan.supp)
# Further arguments go to ctest (e.g. -R DeliveryTest).
set -euo pipefail
cd "$(dirname "$0")/.."
preset=default
case "${1:-}" in
  --asan | --tsan)
    preset=${1#--}
    shift
    ;;
esac
tools/setup.sh
# The reference Standard Webhooks library the signature tests check against (pinned in the lock).
if [ ! -d tests/node/node_modules/standardwebhooks ]; then
  (cd tests/node && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ "$preset" = default ]; then
  tools/build.sh
  cd "${BUILD_DIR:-build}"
else
  [ -f "build-$preset/build.ninja" ] || cmake --preset "$preset"
  cmake --build --preset "$preset" --parallel "$(nproc)"
  cd "build-$preset"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/../tools/tsan.supp"
fi
skip=()
if [ "$preset" = tsan ]; then
  # Asserts throughput against the wall clock (20 HTTPS deliveries within 3 s, to tell them from
  # being held up 4 s by a hanging endpoint); ThreadSanitizer slows the broker too much for that
  # window (17 of 20 arrive). The other two runs keep it. docs/RELIABILITY.md, "Sanitizers".
  # The same holds for two more whose checks are timed: the circuit-breaker test reads the
  # attempt counter in windows shorter than the 3 s cool-down, and the crash test kills the
  # broker at random 0.3-2.5 s after each start, which under ThreadSanitizer is often before it
  # has served anything. Both run in the normal and ASan passes.
  skip=(-E '^(DeliveryTest\.HangingEndpointDoesNotHoldUpAHealthyOne|HostileEndpointTest\.DownEndpointIsProbedNotHammeredAndRecovers|crash_safety_short)$')
fi
ctest --output-on-failure --parallel 2 --timeout 300 "${skip[@]}" "$@"
