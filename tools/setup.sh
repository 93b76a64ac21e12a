#!/usr/bin/env bash
# Installs what hookbroker needs to build and test, from Debian 12 packages only, plus any
# package names given as arguments (tools/bench/setup.sh adds the benchmark's).
# Idempotent: installs only what is missing. Runs apt-get as root, or through sudo.
set -euo pipefail

packages=(
  "$@"
  build-essential cmake ninja-build pkg-config
  libcpp-httplib-dev libboost-json1.81-dev cppzmq-dev libzmq3-dev liblmdb-dev libssl-dev
  libgtest-dev
  # The fuzz targets (tools/fuzz.sh): clang with libFuzzer, which Debian 12 ships in compiler-rt.
  clang libclang-rt-14-dev
)
# The tests check signatures with the Standard Webhooks reference library (JavaScript).
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
# The chat tests run the kChat documentation's own curl examples (docs/CHAT.md).
command -v curl >/dev/null 2>&1 || packages+=(curl)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "setup: need root or sudo to install: ${missing[*]}" >&2
  exit 1
fi
echo "setup: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
