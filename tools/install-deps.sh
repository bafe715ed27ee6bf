#!/usr/bin/env bash
# Installs what Pix2Pix Studio needs on Debian 12. Idempotent; uses sudo when not root.
#   tools/install-deps.sh        the build and the tests
#   tools/install-deps.sh fuzz   also clang and its runtime (libFuzzer, ASan) for tools/fuzz
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  libtorch-dev
  libgloo-dev  # the headers of LibTorch's c10d Gloo backend: data-parallel training (core/dist)
  libopenblas0-pthread  # LibTorch's ConvTranspose2d goes through BLAS: ~10x faster than the netlib default
  qt6-base-dev qt6-charts-dev libgl-dev
  libqt6opengl6-dev  # Qt6Charts' CMake config needs Qt6OpenGL, and qt6-charts-dev does not depend on it
  libopencv-dev nlohmann-json3-dev libcli11-dev
  libonnx-dev libprotobuf-dev  # pix2pix export --onnx builds the graph with ONNX's own messages and checker
  python3-torch  # the test that Python's torch.load reads pix2pix export --pth
  file  # CPack's .deb generator finds the binaries for dpkg-shlibdeps with it
)

if [ "${1:-}" = fuzz ]; then
  PACKAGES+=(clang libclang-rt-dev)  # libclang-rt-dev: libclang_rt.fuzzer and the sanitizer runtimes
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-deps.sh: these Debian packages are missing and cannot be installed: not root, and sudo is" >&2
    echo "not available. Ask an administrator to run, as root:" >&2
    echo "  apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  SUDO=(sudo)
fi
echo "Installing: ${missing[*]}"
"${SUDO[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" || {
  echo "install-deps.sh: apt-get could not install: ${missing[*]}" >&2
  exit 1
}
