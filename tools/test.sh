#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite (unit and end-to-end) with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
# The reference Standard Webhooks library the signature tests check against (pinned in the lock).
if [ ! -d tests/node/node_modules/standardwebhooks ]; then
  (cd tests/node && npm ci --no-audit --no-fund --loglevel=error)
fi
tools/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure --parallel 2 --timeout 300 "$@"
