#!/usr/bin/env bash
# Installs what the benchmark needs on top of the build's packages, from Debian 12 packages only:
# wrk (the raw HTTP load baseline) and gnuplot (the charts; gnuplot-nox has the PNG terminal
# without pulling in X). perf is optional (docs/PERFORMANCE.md profiles with it) and not installed.
set -euo pipefail
exec "$(dirname "$0")/../setup.sh" wrk gnuplot-nox
