#!/usr/bin/env bash
# Data-parallel scaling on this machine: training images per second for 1 rank x 1 thread and for 2 ranks x
# 1 thread each (pix2pix train --nproc 2), with the small config (--preset tiny) and the default one (unet_256,
# ngf 64), and how much of a rank's step time goes to the collectives (gradient all-reduce, loss exchange).
# 1 rank runs twice: at batch 1, each rank's batch (the scaling torch DDP reports: the per-rank batch fixed),
# and at batch 2, the 2-rank run's effective batch (which one process runs faster per image: fewer optimizer
# steps per image).
# The rate comes from losses.jsonl (--log_freq 1: each step's training time), skipping the first steps.
# Beside them, where /usr/bin/python3 has torch, the same configs under torch's own DistributedDataParallel
# (tools/bench/pytorch_ddp_peer.py: the reference's step, Gloo over loopback, 1 and 2 ranks x 1 thread), so
# the scaling is measured against the engine PyTorch users have, on the same machine in the same minutes.
# This VM's speed drifts by tens of percent within minutes, so the runs alternate, REPEATS times, and the
# table gives each column's median (the ratios are of medians).
#   tools/bench-data-parallel.sh [DATA] [STEPS_SMALL] [STEPS_DEFAULT] [REPEATS]  (needs build/app/pix2pix)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data/facades}
steps_small=${2:-60}
steps_default=${3:-12}
repeats=${4:-3}
cli=${P2P_CLI:-build/app/pix2pix}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# images/s over the logged steps after the first 2 (warm-up), from a run folder's losses.jsonl.
rate() {
    python3 - "$1" "$2" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1] + "/losses.jsonl") if l.strip()]
per_step = int(sys.argv[2])
a, b = rows[2], rows[-1]
print(f"{(b['iteration'] - a['iteration']) * per_step / (b['time'] - a['time']):.3f}")
PY
}

# A subset of the training pairs, so that one epoch is the measured run: STEPS steps of 2 images in all.
subset() {
    local name=$1 count=$2
    if [ -d "$work/$name" ]; then echo "$work/$name"; return; fi
    mkdir -p "$work/$name/train"
    ls "$data/train" | head -n "$count" | while read -r f; do ln -s "$(realpath "$data/train/$f")" "$work/$name/train/$f"; done
    echo "$work/$name"
}

run() {  # config label, ranks, batch per rank, steps, flags...
    local label=$1 ranks=$2 batch=$3 steps=$4
    shift 4
    local per_step=$((ranks * batch)) dir="$work/run-$label-$ranks-$batch"
    local set; set=$(subset "data-$label-$ranks-$batch" "$((steps * per_step))")
    local launch=()
    [ "$ranks" -gt 1 ] && launch=(--nproc "$ranks")
    rm -rf "$dir"
    "$cli" train "${launch[@]}" --data "$set" --run "$dir" --direction BtoA --threads 1 --batch_size "$batch" \
        --norm instance --n_epochs 1 --n_epochs_decay 0 --log_freq 1 --sample_freq 0 --save_epoch_freq 0 \
        --save_latest_freq 100000 "$@" > "$work/log-$label-$ranks-$batch.txt" 2>&1
    local ips; ips=$(rate "$dir" "$per_step")
    local share
    share=$(sed -n 's/.*collectives took \([0-9.]*\) s of \([0-9.]*\) s.*/\1 \2/p' "$work/log-$label-$ranks-$batch.txt" |
            awk '{ if ($2 > 0) printf "%.1f%%", 100 * $1 / $2; else print "-" }')
    echo "$ips ${share:--}"
}

echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores offered"
printf "%-8s %-14s %-14s %-14s %-18s %-18s %s\n" config "1r x b1" "1r x b2" "2r x b1" "2r / 1r x b1" \
    "2r / 1r x b2" "collectives (2 ranks)"
peer=()
/usr/bin/python3 -c 'import torch' 2> /dev/null && peer=(/usr/bin/python3 tools/bench/pytorch_ddp_peer.py)
median() { python3 -c "import statistics, sys; print(f'{statistics.median(map(float, sys.argv[1:])):.3f}')" "$@"; }
for config in small default; do
    if [ "$config" = small ]; then flags=(--preset tiny); steps=$steps_small; else flags=(); steps=$steps_default; fi
    ones1=() ones2=() twos=() shares=() ddp1=() ddp2=()
    if [ "$config" = small ]; then peer_config=(--ngf 32 --ndf 32 --size 128); else peer_config=(); fi
    for ((r = 0; r < repeats; r++)); do
        read -r v _ < <(run "$config" 1 1 "$steps" "${flags[@]}"); ones1+=("$v")
        read -r v _ < <(run "$config" 1 2 "$steps" "${flags[@]}"); ones2+=("$v")
        read -r v share < <(run "$config" 2 1 "$steps" "${flags[@]}"); twos+=("$v"); shares+=("${share%\%}")
        echo "  $config run $((r + 1)): ${ones1[-1]} ${ones2[-1]} ${twos[-1]} img/s, collectives ${shares[-1]}%" >&2
        if [ ${#peer[@]} -gt 0 ]; then
            read -r a b < <("${peer[@]}" "${peer_config[@]}" --steps "$steps" --repeats 1 2> /dev/null |
                python3 -c 'import json, sys; r = json.load(sys.stdin)["images_per_second"]; print(r["1"], r["2"])')
            ddp1+=("$a") ddp2+=("$b")
            echo "  $config torch DDP run $((r + 1)): $a $b img/s" >&2
        fi
    done
    one1=$(median "${ones1[@]}") one2=$(median "${ones2[@]}") two=$(median "${twos[@]}")
    share=$(median "${shares[@]}")
    s1=$(python3 -c "print(f'{$two / $one1:.2f}x')")
    s2=$(python3 -c "print(f'{$two / $one2:.2f}x')")
    printf "%-8s %-14s %-14s %-14s %-18s %-18s %s\n" "$config" "$one1 img/s" "$one2 img/s" "$two img/s" "$s1" "$s2" \
        "$share% of step time"
    if [ ${#ddp1[@]} -gt 0 ]; then
        d1=$(median "${ddp1[@]}") d2=$(median "${ddp2[@]}")
        printf "%-8s %-14s %-14s %-14s %-18s %-18s %s\n" "  torch" "$d1 img/s" "" "$d2 img/s" \
            "$(python3 -c "print(f'{$d2 / $d1:.2f}x')")" "" "DDP, Gloo (ours 2r / DDP 2r: $(python3 -c "print(f'{$two / $d2:.2f}x')"))"
    fi
done
