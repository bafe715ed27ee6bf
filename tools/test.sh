#!/usr/bin/env bash
# Fresh Debian 12 -> every test: install, build everything, run ctest. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build
ctest --test-dir build --output-on-failure
