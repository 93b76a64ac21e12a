#!/usr/bin/env bash
# Installs what the benchmark needs on top of tools/setup.sh, from Debian 12 packages only:
# wrk (the raw HTTP load baseline) and gnuplot (the charts; gnuplot-nox has the PNG terminal
# without pulling in X). Idempotent: installs only what is missing. Needs root or sudo.
set -euo pipefail

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v gnuplot >/dev/null 2>&1 || missing+=(gnuplot-nox)
# perf is optional (docs/PERFORMANCE.md profiles with it); not installed here.
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "bench setup: need root or sudo to install: ${missing[*]}" >&2
  exit 1
fi
echo "bench setup: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
