#!/usr/bin/env bash
# The one prepared device check (issue 14), for a GPU machine with nothing but Python's torch (2.11, CUDA):
# runs from gpu-bundle.tar.xz (or gpu-bundle/), made here by tools/gpu-bundle.sh and carried to it.
#   1. the core tests that touch the device (their GPU rows run there; they skip on a CPU)
#   2. pix2pix train: 200 steps of the default configuration on CUDA (20 facades pairs, 10 epochs)
#   3. exact resume on CUDA: the same run stopped (SIGTERM, as Ctrl+C) after about 40 steps and resumed to
#      200, against the straight run, and a second straight run, which shows what cuDNN's nondeterministic
#      kernels alone change; every tensor of the final checkpoints compared bit for bit
#   4. pix2pix-bench --cuda-only --json (inference fp32/fp16 at 256x256 batch 1, images/s at batch 16, a
#      training iteration) and the PyTorch eager peer on the same GPU (tools/bench/pytorch_peer.py --device cuda)
# Carry gpu-bundle.tar.xz (~21 MB; the unpacked folder is ~79 MB, over the 64 MiB carry limit) and run
# `tools/gpu-check.sh "$OUT"` in the checkout.
# Results go to OUT_DIR: summary.json, bench.json, peer.json, resume.json, logs/*.log. Budget: 8 minutes on
# an H100. --dry-run: on this machine's CPU (CUDA rows absent), a small network and a few steps, to check
# that the script runs to the end.
# Usage: tools/gpu-check.sh [--dry-run] OUT_DIR
#   P2P_PYTHON          a Python with torch (default python3)
#   P2P_GPU_USE_LOADER  1: run the binaries through the carried glibc loader even where the machine's is new enough
set -uo pipefail
cd "$(dirname "$0")/.."
dry=0
[ "${1:-}" = "--dry-run" ] && { dry=1; shift; }
out=${1:?usage: tools/gpu-check.sh [--dry-run] OUT_DIR}
mkdir -p "$out/logs"
out=$(cd "$out" && pwd)
start=$(date +%s)
py=${P2P_PYTHON:-python3}
log() { echo "[gpu-check $(($(date +%s) - start))s] $*" | tee -a "$out/logs/gpu-check.log" >&2; }
# The machine gives 8 minutes: a phase that could not finish before 7.5 is left out (and says so), so that
# the results written so far come back.
budget=${P2P_GPU_CHECK_BUDGET:-450}
time_for() { [ $(($(date +%s) - start + $1)) -le "$budget" ]; }
declare -A status
cleanup=()  # temporary folders of this run, removed at exit
trap 'rm -rf "${cleanup[@]}"' EXIT

# The bundle: the folder, or the packed one unpacked into a temporary folder.
if [ -d gpu-bundle/bin ]; then
    bundle=$PWD/gpu-bundle
elif [ -f gpu-bundle.tar.xz ]; then
    bundle=$(mktemp -d /tmp/gpu-bundle.XXXXXX); cleanup+=("$bundle")
    if command -v xz > /dev/null; then
        tar -xJf gpu-bundle.tar.xz -C "$bundle"
    else  # Python's lzma, where the machine has no xz
        "$py" -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' gpu-bundle.tar.xz "$bundle"
    fi || { log "cannot unpack gpu-bundle.tar.xz"; exit 1; }
else
    log "no gpu-bundle/ or gpu-bundle.tar.xz here: run tools/gpu-bundle.sh and carry it"; exit 1
fi
torch_dir=$("$py" -c 'import os, torch; print(os.path.dirname(torch.__file__))') || { log "$py has no torch"; exit 1; }
# P2P_TORCH_LIB: another LibTorch for the binaries (a dry run of a bundle made from Debian's 1.13 build).
torch_lib=${P2P_TORCH_LIB:-$torch_dir/lib}
export LD_LIBRARY_PATH="$bundle/lib:$torch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# This machine's glibc against the one the bundle was built with: older runs the binaries through the
# carried loader and glibc.
need=$(cat "$bundle/GLIBC_REQUIRED" 2> /dev/null || echo 0.0)
have=$(getconf GNU_LIBC_VERSION 2> /dev/null | awk '{print $2}')
# `$runner NAME ARGS...` runs the bundle's NAME (a small script, so that timeout can run it).
runner=$(mktemp /tmp/gpu-check-run.XXXXXX); cleanup+=("$runner")
if [ "${P2P_GPU_USE_LOADER:-0}" = 1 ] ||
    [ "$(printf '%s\n%s\n' "$need" "${have:-0.0}" | sort -V | head -1)" != "$need" ]; then
    log "glibc $have here, the bundle needs $need: running through the carried loader"
    printf '#!/usr/bin/env bash\nb=$1; shift\nexec %q --library-path %q "%s/bin/$b" "$@"\n' \
        "$bundle/lib/glibc/ld-linux-x86-64.so.2" "$bundle/lib/glibc:$LD_LIBRARY_PATH" "$bundle" > "$runner"
else
    printf '#!/usr/bin/env bash\nb=$1; shift\nexec "%s/bin/$b" "$@"\n' "$bundle" > "$runner"
fi
chmod +x "$runner"

{
    echo "date: $(date -u +%FT%TZ)"; echo "bundle: $(cat "$bundle/COMMIT" 2> /dev/null)"; cat "$bundle/MANIFEST"
    echo "glibc here: $have, needed: $need"; echo "python torch: $torch_dir; the binaries' LibTorch: $torch_lib"
    "$py" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available(), "devices", torch.cuda.device_count(), "cudnn", torch.backends.cudnn.version())'
    command -v nvidia-smi > /dev/null && nvidia-smi
    nproc; free -g
} > "$out/logs/environment.log" 2>&1
cuda=$("$py" -c 'import torch; print(1 if torch.cuda.is_available() else 0)')
if [ "$dry" = 1 ]; then device=cpu; steps_note="dry run on the CPU"; else device=cuda; steps_note="CUDA"; fi
[ "$dry" = 0 ] && [ "$cuda" != 1 ] && log "warning: no CUDA device: the GPU rows will be absent"
log "bundle $bundle, device $device ($steps_note), CUDA available: $cuda"

# 1. Tests (each with its own time limit; the GPU rows skip without CUDA).
for t in test_device test_device_fallback test_checkpoint_rng; do
    time_for 60 || { status[$t]="skipped (time budget)"; log "$t: ${status[$t]}"; continue; }
    timeout 120 "$runner" "$t" -o "$out/logs/$t.txt,txt" -o -,txt > "$out/logs/$t.log" 2>&1
    rc=$?
    status[$t]=$([ $rc = 0 ] && echo pass || echo "fail (exit $rc)")
    log "$t: ${status[$t]} ($(grep -E '^Totals' "$out/logs/$t.log" | tail -1))"
done

# 2. and 3. Training and exact resume. The default configuration on CUDA; the dry run shrinks the networks
# and the data so that it takes a minute on two cores.
data=$bundle/data/facades
common=(--data "$data" --device "$device" --seed 7 --save_latest_freq 1000000 --sample_freq 1000000 --log_freq 1)
stop_at=40
if [ "$dry" = 1 ]; then
    data=$(mktemp -d /tmp/gpu-check-data.XXXXXX); cleanup+=("$data"); mkdir -p "$data/train"
    ls "$bundle/data/facades/train" | head -4 | while read -r f; do cp "$bundle/data/facades/train/$f" "$data/train/"; done
    common=(--data "$data" --device cpu --seed 7 --ngf 8 --ndf 8 --netG unet_128 --load_size 142 --crop_size 128
            --save_latest_freq 1000000 --sample_freq 1000000 --log_freq 1)
    epochs=(--n_epochs 1 --n_epochs_decay 1); stop_at=3
else
    epochs=(--n_epochs 5 --n_epochs_decay 5)  # 20 pairs: 200 steps
fi
# The run folders (checkpoints of ~200 MB each for the default networks) stay outside OUT_DIR; their
# losses.jsonl files are copied into logs/ at the end.
runs=$(mktemp -d /tmp/gpu-check-runs.XXXXXX); cleanup+=("$runs")
train() { local name=$1; shift; timeout 120 "$runner" pix2pix train "$@" > "$out/logs/$name.log" 2>&1; }
t0=$(date +%s); train train_straight --run "$runs/straight" "${common[@]}" "${epochs[@]}"; rc=$?
status[train]=$([ $rc = 0 ] && echo pass || echo "fail (exit $rc)"); train_s=$(($(date +%s) - t0))
log "train ($device): ${status[train]} in ${train_s}s"
# A second straight run, the interrupted one and its resume, and the comparison (body not indented: it
# holds a heredoc).
resume_check() {
train train_again --run "$runs/again" "${common[@]}" "${epochs[@]}"; rc2=$?
# The interrupted run: stopped once its losses.jsonl (one line per step) reaches stop_at, then resumed as is.
# pix2pix itself gets the SIGTERM (the runner execs it): it stops after the step it is in and saves
# latest.ckpt. Killed after 120 s if it never gets there.
"$runner" pix2pix train --run "$runs/resumed" "${common[@]}" "${epochs[@]}" > "$out/logs/train_first.log" 2>&1 &
pid=$!
deadline=$(($(date +%s) + 120))
while kill -0 $pid 2> /dev/null; do
    [ "$(cat "$runs/resumed/losses.jsonl" 2> /dev/null | wc -l)" -ge "$stop_at" ] && { kill -TERM $pid 2> /dev/null; break; }
    [ "$(date +%s)" -gt "$deadline" ] && { kill -KILL $pid 2> /dev/null; break; }
    sleep 0.05
done
wait $pid; rc3=$?
stopped=$(grep -o '"iteration":[0-9]*' "$runs/resumed/losses.jsonl" 2> /dev/null | tail -1 | cut -d: -f2)
train train_resume --resume "$runs/resumed"; rc4=$?
log "second straight run: exit $rc2; interrupted run: exit $rc3 after step ${stopped:-?}; resume: exit $rc4"
"$py" - "$runs" "$out/resume.json" <<'PY'
# Every tensor of the final checkpoints (weights, both Adam states, the random generators' states), read as
# bytes from the checkpoint's zip (no torch needed), compared bit for bit; float32 ones also by value.
import array, json, sys, zipfile
runs, dest = sys.argv[1], sys.argv[2]
def tensors(run):
    try:
        z = zipfile.ZipFile(f"{runs}/{run}/checkpoints/latest.ckpt")
    except Exception as e:
        return None, str(e)
    return {n.split("/", 1)[1]: z.read(n) for n in z.namelist() if "/data/" in n and not n.endswith(".pkl")}, None
def compare(a, b):
    ta, ea = tensors(a); tb, eb = tensors(b)
    if ta is None or tb is None:
        return {"compared": False, "why": ea or eb}
    differing, max_diff = 0, 0.0
    for k in ta:
        if ta[k] != tb.get(k):
            differing += 1
            if len(ta[k]) == len(tb.get(k, b"")) and len(ta[k]) % 4 == 0:
                fa, fb = array.array("f", ta[k]), array.array("f", tb[k])
                max_diff = max([max_diff] + [abs(x - y) for x, y in zip(fa, fb) if x == x and y == y])
    return {"compared": True, "tensors": len(ta), "differing": differing, "bit_identical": differing == 0 and ta.keys() == tb.keys(),
            "max_abs_diff_as_float32": max_diff}
r = {"resumed_vs_straight": compare("straight", "resumed"), "straight_vs_straight": compare("straight", "again")}
json.dump(r, open(dest, "w"), indent=2)
print(json.dumps(r))
PY
[ $? = 0 ] || log "resume comparison failed"
}
if time_for 200; then
    resume_check
else
    echo '{"skipped": "time budget"}' > "$out/resume.json"
    log "exact resume: skipped (time budget)"
fi
status[resume]=$("$py" -c "import json; r=json.load(open('$out/resume.json'))['resumed_vs_straight']; print('bit-identical' if r.get('bit_identical') else ('differs' if r.get('compared') else 'not compared'))" 2> /dev/null || echo "not compared")
log "exact resume ($device): ${status[resume]} ($(cat "$out/resume.json" 2> /dev/null | tr -d '\n ' | head -c 400))"

for r in straight again resumed; do cp "$runs/$r/losses.jsonl" "$out/logs/losses_$r.jsonl" 2> /dev/null; done

# 4. The bench's CUDA rows and the PyTorch eager peer.
bench_args=(--cuda-only --json); [ "$dry" = 1 ] && bench_args+=(--iterations 3 --train-iterations 1)
time_for 120 || log "pix2pix-bench: little time left; it may be cut short"
timeout 120 "$runner" pix2pix-bench "${bench_args[@]}" > "$out/bench.json" 2> "$out/logs/bench.log"; rc=$?
status[bench]=$([ $rc = 0 ] && echo pass || echo "fail (exit $rc)")
log "pix2pix-bench --cuda-only: ${status[bench]}"
peer_args=(--device "$device" --inference --iterations 20 --warmup 3)
[ "$dry" = 1 ] && peer_args=(--device cpu --inference --iterations 1 --warmup 0 --size 128 --ngf 8 --ndf 8)
timeout 90 "$py" tools/bench/pytorch_peer.py "${peer_args[@]}" > "$out/peer.json" 2> "$out/logs/peer.log"; rc=$?
status[peer]=$([ $rc = 0 ] && echo pass || echo "fail (exit $rc)")
log "PyTorch eager peer ($device): ${status[peer]}"

"$py" - "$out" "$dry" "$device" "$(($(date +%s) - start))" "$train_s" \
    "${status[test_device]}" "${status[test_device_fallback]}" "${status[test_checkpoint_rng]}" \
    "${status[train]}" "${status[resume]}" "${status[bench]}" "${status[peer]}" <<'PY'
import json, sys
out, dry, device, wall, train_s = sys.argv[1], sys.argv[2] == "1", sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
names = ["test_device", "test_device_fallback", "test_checkpoint_rng", "train", "resume",
         "bench", "peer"]
s = {"dry_run": dry, "device": device, "wall_seconds": wall, "train_seconds": train_s,
     "status": dict(zip(names, sys.argv[6:]))}
def load(name):
    try:
        return json.load(open(f"{out}/{name}"))
    except Exception as e:
        return {"unreadable": str(e)}
bench, peer = load("bench.json"), load("peer.json")
s["cuda_rows"] = bench.get("cuda", {"absent": "no bench output"})
s["peer"] = peer
s["resume"] = load("resume.json")
json.dump(s, open(f"{out}/summary.json", "w"), indent=2)
print(json.dumps(s["status"]))
PY
log "done in $(($(date +%s) - start))s; results in $out (summary.json)"
