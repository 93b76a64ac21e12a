#!/usr/bin/env bash
# The benchmark in one command from a fresh clone: installs what is missing (tools/setup.sh,
# then wrk and gnuplot), builds (RelWithDebInfo), and runs hookbench with the given flags.
#   tools/bench/run.sh                      # default sizes, a few minutes on 2 cores
#   tools/bench/run.sh --smoke              # < 30 s
#   tools/bench/run.sh --subscriptions 1000000 --backlog 1000000   # the full run
# Results: bench-results/results.md and PNG charts next to it (--out DIR to change).
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/setup.sh
tools/bench/setup.sh
BUILD_TYPE=RelWithDebInfo tools/build.sh
exec "${BUILD_DIR:-build}/tools/bench/hookbench" "$@"
