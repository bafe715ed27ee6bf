#!/usr/bin/env bash
# Fresh Debian 12 -> the studio running with the embedded models: install, build, launch.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build --target pix2pix-studio pix2pix
exec ./build/app/pix2pix-studio "$@"
