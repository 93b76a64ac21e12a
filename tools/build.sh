#!/usr/bin/env bash
# Configures and builds hookbroker into ./build (or $BUILD_DIR). Used by run.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
build_type=${BUILD_TYPE:-RelWithDebInfo}
if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" -DHOOKBROKER_WERROR=ON
fi
cmake --build "$build_dir" --parallel "$(nproc)"
