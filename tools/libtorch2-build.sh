#!/usr/bin/env bash
# The second build configuration: core, the CLI, the bench and core's tests against pip's LibTorch 2.x with
# CUDA (the version the GPU machine has), in a project-local virtual environment; then core's tests on the CPU.
# CI runs it after the Debian build. Usage: tools/libtorch2-build.sh [--no-tests]
#   P2P_TORCH_VENV   the virtual environment (default .venv-torch, made here)
#   P2P_TORCH_BUILD  the build folder (default build-torch2)
#   PIP_CACHE_DIR    pip's download cache (CI keeps it between runs)
set -euo pipefail
cd "$(dirname "$0")/.."
readonly TORCH_VERSION=2.11.0
venv=${P2P_TORCH_VENV:-.venv-torch}
build=${P2P_TORCH_BUILD:-build-torch2}

if ! command -v nvcc > /dev/null; then
    for candidate in /usr/local/cuda/bin /usr/local/cuda-13/bin; do
        [ -x "$candidate/nvcc" ] && export PATH="$candidate:$PATH" && break
    done
fi
command -v nvcc > /dev/null || { echo "libtorch2-build: nvcc not found: the CUDA toolkit is needed to build against CUDA LibTorch" >&2; exit 1; }

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" || { echo "libtorch2-build: python3 -m venv failed (Debian: apt-get install python3-venv)" >&2; exit 1; }
fi
if ! "$venv/bin/python" -c "import torch, sys; sys.exit(0 if torch.__version__.split('+')[0] == '$TORCH_VERSION' else 1)" 2> /dev/null; then
    "$venv/bin/pip" install --progress-bar off "torch==$TORCH_VERSION"
fi
# The package folder itself (not only torch.utils.cmake_prefix_path): TorchConfig looks for its libraries in
# PREFIX/lib, and would otherwise find Debian's libtorch.so on the system path. That folder's include/ also
# holds an old google/protobuf, so the protobuf ONNX was built with is named explicitly.
prefix=$("$venv/bin/python" -c 'import os, torch; print(os.path.dirname(torch.__file__))')
echo "LibTorch $("$venv/bin/python" -c 'import torch; print(torch.__version__, "CUDA", torch.version.cuda)') from $prefix"

# No GPU here: name the architecture instead of asking a device (H100: 9.0).
export TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-9.0}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
    -DTorch_DIR="$prefix/share/cmake/Torch" -DProtobuf_INCLUDE_DIR=/usr/include -DP2P_BUILD_STUDIO=OFF
cmake --build "$build"
[ "${1:-}" = "--no-tests" ] && exit 0
# Core's tests, on the CPU, against LibTorch 2.x.
ctest --test-dir "$build" --output-on-failure
