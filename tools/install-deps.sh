#!/usr/bin/env bash
# Installs what Pix2Pix Studio needs on Debian 12. Idempotent; uses sudo when not root.
#   tools/install-deps.sh        the build and the tests
#   tools/install-deps.sh fuzz   also clang and its runtime (libFuzzer, ASan) for tools/fuzz
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  libtorch-dev
  libopenblas0-pthread  # LibTorch's ConvTranspose2d goes through BLAS: ~10x faster than the netlib default
  qt6-base-dev qt6-charts-dev libgl-dev
  libopencv-dev nlohmann-json3-dev libcli11-dev
)

if [ "${1:-}" = fuzz ]; then
  PACKAGES+=(clang libclang-rt-dev)  # libclang-rt-dev: libclang_rt.fuzzer and the sanitizer runtimes
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
