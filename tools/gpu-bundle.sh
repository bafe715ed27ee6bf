#!/usr/bin/env bash
# Assembles what tools/gpu-check.sh needs on the GPU machine, which has the Python torch (2.11, CUDA) but no
# Qt, no OpenCV and no network: the 2.11 build's pix2pix, pix2pix-bench and device tests (stripped), the
# shared libraries they need that are neither torch's nor glibc's (copied from this machine), 20 facades
# pairs, and a manifest. Libraries that OpenCV links but the project never calls (GDAL, GDCM, GLX,
# LAPACK/BLAS: their closure is ~150 MB) are replaced by stubs that define the same symbols and abort if
# called (except GDALAllRegister, which OpenCV calls at its first image read: it returns). glibc is carried too, for a machine whose own is older than the one these were built against.
# The folder is packed into gpu-bundle.tar.xz, which is what travels (the carry limit is 64 MiB).
# Usage: tools/gpu-bundle.sh [BUILD_DIR (default build-torch2)]
#   P2P_FACADES      a facades folder (default ../shared/data/facades)
#   P2P_TORCH_LIB    the LibTorch the binaries load here, for the load check (default: the venv's torch/lib)
#   P2P_BUNDLE_KEEP  libraries to copy instead of stubbing (a trial bundle of Debian's build, whose LibTorch
#                    itself calls BLAS and LAPACK: "libblas.so.3 liblapack.so.3 libGLX.so.0")
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-${P2P_TORCH_BUILD:-build-torch2}}
out=gpu-bundle
facades=${P2P_FACADES:-../shared/data/facades}
binaries=(app/pix2pix app/pix2pix-bench tests/test_device tests/test_device_fallback tests/test_checkpoint_rng)
for b in "${binaries[@]}"; do
    [ -x "$build/$b" ] || { echo "gpu-bundle: $build/$b is missing: build it first (tools/libtorch2-build.sh)" >&2; exit 1; }
done
[ -d "$facades/train" ] || { echo "gpu-bundle: no facades at $facades (set P2P_FACADES)" >&2; exit 1; }

rm -rf "$out" gpu-bundle.tar.xz
mkdir -p "$out/bin" "$out/lib/glibc" "$out/data/facades/train" "$out/stubs"
for b in "${binaries[@]}"; do
    cp "$build/$b" "$out/bin/"
    strip --strip-unneeded "$out/bin/$(basename "$b")"
done
ls "$facades/train" | sort -n | head -20 | while read -r f; do cp "$facades/train/$f" "$out/data/facades/train/"; done

python3 - "$out" <<'PY'
import os, re, subprocess, sys
out = sys.argv[1]
STUB = {"libgdal.so.32", "libgdcmMSFF.so.3.0", "libgdcmDSED.so.3.0", "libGLX.so.0",
        "liblapack.so.3", "libblas.so.3"} - set(os.environ.get("P2P_BUNDLE_KEEP", "").split())
# Stub functions that OpenCV calls whatever the format (GdalDecoder's constructor registers GDAL's drivers):
# these return; every other one aborts, naming itself.
NOOP = {"GDALAllRegister"}
GLIBC = {"libc.so.6", "libm.so.6", "ld-linux-x86-64.so.2", "libpthread.so.0", "libdl.so.2", "librt.so.1",
         "libresolv.so.2"}
# Found in the torch wheel at run time (torch/lib and the nvidia packages beside it).
TORCH = re.compile(r"^(libtorch|libc10|libgomp|libcu|libnv|libnccl|libcudnn|libshm|libcaffe2)")
SEARCH = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib"]

def needed(path):
    text = subprocess.run(["objdump", "-p", path], capture_output=True, text=True, check=True).stdout
    return re.findall(r"^\s+NEEDED\s+(\S+)", text, re.M)

def find(name):
    for d in SEARCH:
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    raise SystemExit(f"gpu-bundle: {name} not found on this machine")

closure, consumers = {}, {}
todo = [os.path.join(out, "bin", b) for b in os.listdir(os.path.join(out, "bin"))]
seen_paths = set()
while todo:
    path = todo.pop()
    if path in seen_paths:
        continue
    seen_paths.add(path)
    for name in needed(path):
        if name in GLIBC or TORCH.match(name):
            continue
        consumers.setdefault(name, set()).add(path)
        if name in closure:
            continue
        closure[name] = find(name)
        if name not in STUB:
            todo.append(closure[name])

def dynsyms(path, defined):
    args = ["nm", "-D", "-S", "--defined-only" if defined else "--undefined-only", path]
    lines = subprocess.run(args, capture_output=True, text=True).stdout.splitlines()
    syms = {}
    for line in lines:
        parts = line.split()
        if defined and len(parts) >= 3:
            size = int(parts[1], 16) if len(parts) == 4 else 0
            syms[parts[-1]] = (parts[-2], size)
        elif not defined and parts:
            syms[parts[-1]] = ("U", 0)
    return syms

stubbed, copied = [], []
for name, path in sorted(closure.items()):
    if name not in STUB:
        dest = os.path.join(out, "lib", name)
        subprocess.run(["cp", "-L", path, dest], check=True)
        subprocess.run(["strip", "--strip-unneeded", dest], check=True)
        copied.append(name)
        continue
    # A stub: every symbol its consumers import from it, functions that abort, data of the same size.
    real = dynsyms(path, True)
    wanted = set()
    for c in consumers[name]:
        for s in dynsyms(c, False):
            base = s.split("@")[0]
            if base in real:
                wanted.add(base)
    src = ["#include <stdio.h>", "#include <stdlib.h>",
           f'static void p2p_stub_called(const char* s) {{ fprintf(stderr, "gpu-bundle: {name} is a stub; %s was called\\n", s); abort(); }}']
    for s in sorted(wanted):
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", s):
            continue
        kind, size = real[s]
        if kind in "TtWwi" and s in NOOP:
            src.append(f"long {s}(void) {{ return 0; }}")
        elif kind in "TtWwi":
            src.append(f'void {s}(void) {{ p2p_stub_called("{s}"); }}')
        else:
            src.append(f"char {s}[{max(size, 1)}] __attribute__((aligned(16)));")
    c_path = os.path.join(out, "stubs", name + ".c")
    with open(c_path, "w") as f:
        f.write("\n".join(src) + "\n")
    subprocess.run(["gcc", "-shared", "-fPIC", "-O1", "-w", "-o", os.path.join(out, "lib", name),
                    f"-Wl,-soname,{name}", c_path], check=True)
    stubbed.append(f"{name} ({len(wanted)} symbols)")

for name in ["ld-linux-x86-64.so.2", "libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1"]:
    subprocess.run(["cp", "-L", find(name), os.path.join(out, "lib", "glibc", name)], check=True)

# The newest glibc symbol version anything here needs: gpu-check.sh uses the carried loader when the
# machine's glibc is older.
need = (0, 0)
for d in ["bin", "lib"]:
    for f in os.listdir(os.path.join(out, d)):
        p = os.path.join(out, d, f)
        if not os.path.isfile(p):
            continue
        text = subprocess.run(["objdump", "-T", p], capture_output=True, text=True).stdout
        for major, minor in re.findall(r"GLIBC_(\d+)\.(\d+)", text):
            need = max(need, (int(major), int(minor)))
with open(os.path.join(out, "GLIBC_REQUIRED"), "w") as f:
    f.write(f"{need[0]}.{need[1]}\n")
with open(os.path.join(out, "MANIFEST"), "w") as f:
    f.write("binaries: " + " ".join(sorted(os.listdir(os.path.join(out, "bin")))) + "\n")
    f.write("libraries copied: " + " ".join(copied) + "\n")
    f.write("libraries stubbed: " + ", ".join(stubbed) + "\n")
    f.write(f"glibc required: {need[0]}.{need[1]} (carried in lib/glibc for older machines)\n")
print(f"gpu-bundle: {len(copied)} libraries copied, {len(stubbed)} stubbed; glibc {need[0]}.{need[1]} needed")
PY
rm -rf "$out/stubs"
git rev-parse HEAD > "$out/COMMIT" 2> /dev/null || true
# The stubs must not break loading: every symbol the bundle's files import must resolve here, with the bundle
# first (what LibTorch's own libraries import is theirs to resolve on the GPU machine).
torch_lib=${P2P_TORCH_LIB:-$("${P2P_PYTHON:-${P2P_TORCH_VENV:-.venv-torch}/bin/python}" -c 'import os, torch; print(os.path.dirname(torch.__file__))' 2> /dev/null)/lib}
for b in "$out"/bin/*; do
    problems=$(LD_LIBRARY_PATH="$PWD/$out/lib:$torch_lib" ldd -r "$b" 2>&1 |
        grep "not found\|undefined symbol.*($PWD/$out/\|undefined symbol.*(${b#./}" || true)
    if [ -n "$problems" ]; then
        echo "gpu-bundle: $(basename "$b") does not load from the bundle:" >&2
        echo "$problems" | head >&2
        exit 1
    fi
done
tar -cf - -C "$out" . | xz -9 -T1 > gpu-bundle.tar.xz
echo "gpu-bundle: $(du -sh "$out" | cut -f1) in $out/, $(du -h gpu-bundle.tar.xz | cut -f1) packed in gpu-bundle.tar.xz (the carry limit is 64 MiB)"
