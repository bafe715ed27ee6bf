#!/usr/bin/python3
"""A run's learning curve on its test split, from its epoch snapshots: the model card's table and plot.

For each epoch asked for whose snapshot exists (RUN/checkpoints/epoch_N.p2pm), `pix2pix eval` gives test L1,
PSNR, SSIM and, with --segmenter, label consistency (pixel accuracy, mean class accuracy, mean class IoU);
tools/study/checkerboard.py measures the grid texture of the first 8 generated photos. Writes to OUT:
  learning_curve.json   every number, with the protocol text of the label-consistency score
  learning_curve.md     the table for the model card
  learning_curve.svg    L1, PSNR, SSIM and class IoU against epochs (a plain SVG: no plotting library needed)
  epoch_N_grid.png      `pix2pix eval`'s 8-row grid (input | output | target) at the first and last epoch
Extra models (--compare NAME=MODEL, e.g. the 16-epoch shipped file) get rows of their own.

  tools/study/learning_curve.py --run runs/facades-long --data ../shared/data/facades \\
      --segmenter models/facades-segmenter.p2pm --epochs 16,50,100,200 --out docs/models/facades_curve
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checkerboard import PERIODS, grid_prominence  # noqa: E402

METRICS = [("l1", "test L1", "lower is better"), ("psnr", "PSNR (dB)", "higher is better"),
           ("ssim", "SSIM", "higher is better"), ("iou", "label consistency, class IoU", "higher is better")]


def evaluate(cli, model, data, segmenter, gallery, limit):
    command = [cli, "eval", "--model", model, "--data", data, "--json", "--gallery", gallery, "--grid", "8"]
    if segmenter:
        command += ["--segmenter", segmenter]
    if limit:
        command += ["--limit", str(limit)]
    report = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    outputs = sorted(os.path.join(gallery, "images", f) for f in os.listdir(os.path.join(gallery, "images"))
                     if f.endswith("_output.png"))[:8]
    row = {"model": model, "pairs": report["pairs"], "l1": report["l1"], "psnr": report["psnr"],
           "ssim": report["ssim"], "norm_stats": report["norm_stats"],
           "grid_prominence": dict(zip((f"period_{p}" for p in PERIODS), map(float, grid_prominence(outputs))))}
    consistency = report.get("label_consistency")
    if consistency:
        generated = consistency["generated"]
        row.update(pixel_accuracy=generated["pixel_accuracy"], class_accuracy=generated["mean_class_accuracy"],
                   iou=generated["mean_iou"], real_iou=consistency["real"]["mean_iou"],
                   real_pixel_accuracy=consistency["real"]["pixel_accuracy"], protocol=consistency["protocol"])
    return row


def svg_plot(rows, path):
    """Four small panels, one per metric, epochs on x (the compared models as labelled points at x = their epochs
    when known, else left out)."""
    points = [r for r in rows if r.get("epoch")]
    width, height, pad = 300, 200, 40
    epochs = [r["epoch"] for r in points]
    x_max = max(epochs) * 1.05
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * width}" height="{2 * height}" '
             'font-family="sans-serif" font-size="11"><rect width="100%" height="100%" fill="white"/>']
    for k, (key, title, hint) in enumerate(METRICS):
        values = [(r["epoch"], r[key], r["name"]) for r in points if key in r]
        if not values:
            continue
        ox, oy = (k % 2) * width, (k // 2) * height
        lo, hi = min(v for _, v, _ in values), max(v for _, v, _ in values)
        span = (hi - lo) or abs(hi) or 1.0
        lo, hi = lo - 0.1 * span, hi + 0.1 * span

        def xy(epoch, value):
            return (ox + pad + (width - 1.5 * pad) * epoch / x_max,
                    oy + height - pad + (value - lo) / (hi - lo) * -(height - 1.7 * pad))
        parts.append(f'<text x="{ox + pad}" y="{oy + 16}" font-weight="bold">{title}</text>'
                     f'<text x="{ox + width - 10}" y="{oy + 16}" text-anchor="end" fill="#666">{hint}</text>')
        x0, y0 = xy(0, lo)
        x1, y1 = xy(x_max, hi)
        parts.append(f'<polyline fill="none" stroke="#999" points="{x0},{y1} {x0},{y0} {x1},{y0}"/>')
        for value in (lo + 0.1 * span / 1.2, hi - 0.1 * span / 1.2):
            _, y = xy(0, value)
            parts.append(f'<text x="{x0 - 4}" y="{y + 4}" text-anchor="end" fill="#666">{value:.3g}</text>')
        run = sorted((e, v) for e, v, name in values if name.startswith("epoch"))
        if len(run) > 1:
            parts.append('<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="' +
                         " ".join("%.1f,%.1f" % xy(e, v) for e, v in run) + '"/>')
        for e, v, name in values:
            x, y = xy(e, v)
            colour = "#1f77b4" if name.startswith("epoch") else "#d62728"
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>')
            parts.append(f'<text x="{x:.1f}" y="{y0 + 14}" text-anchor="middle" fill="#666">{e}</text>')
            if not name.startswith("epoch"):
                parts.append(f'<text x="{x + 6:.1f}" y="{y - 6:.1f}" fill="{colour}">{name}</text>')
    parts.append(f'<text x="{width}" y="{2 * height - 4}" text-anchor="middle" fill="#666">epochs</text></svg>')
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def markdown(rows):
    header = ["model", "epoch", "test L1", "PSNR", "SSIM", "pixel acc.", "class acc.", "class IoU"] + \
        [f"grid p{p}" for p in PERIODS]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * 2 + "---:|" * (len(header) - 2)]
    for r in rows:
        cells = [r["name"], str(r.get("epoch") or "")] + [f"{r['l1']:.4f}", f"{r['psnr']:.2f} dB",
                                                         f"{r['ssim']:.3f}"]
        cells += [f"{r[k]:.3f}" if k in r else "" for k in ("pixel_accuracy", "class_accuracy", "iou")]
        cells += [f"{r['grid_prominence'][f'period_{p}']:.2f}" for p in PERIODS]
        lines.append("| " + " | ".join(cells) + " |")
    if rows and "real_iou" in rows[0]:
        lines.append(f"\nThe segmenter on the real test photos: pixel accuracy {rows[0]['real_pixel_accuracy']:.3f}, "
                     f"class IoU {rows[0]['real_iou']:.3f} (the ceiling of these scores).")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", default="build/app/pix2pix")
    parser.add_argument("--run", required=True, help="a run folder with checkpoints/epoch_N.p2pm snapshots")
    parser.add_argument("--data", required=True)
    parser.add_argument("--segmenter", default="", help="a photo -> label model, for label consistency")
    parser.add_argument("--epochs", default="16,50,100,200")
    parser.add_argument("--compare", action="append", default=[], help="NAME=MODEL[@EPOCH]: another model's row")
    parser.add_argument("--limit", type=int, default=0, help="evaluate at most N pairs (0: all)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    jobs = []
    for epoch in map(int, args.epochs.split(",")):
        model = os.path.join(args.run, "checkpoints", f"epoch_{epoch}.p2pm")
        if os.path.exists(model):
            jobs.append((f"epoch {epoch}", model, epoch))
        else:
            print(f"no snapshot for epoch {epoch}: {model}", file=sys.stderr)
    if not jobs:
        sys.exit("none of the epochs asked for has a snapshot")
    for spec in args.compare:
        name, model = spec.split("=", 1)
        model, _, epoch = model.partition("@")
        jobs.append((name, model, int(epoch) if epoch else None))
    rows = []
    with tempfile.TemporaryDirectory() as work:
        first, last = jobs[0][0], [j for j in jobs if j[0].startswith("epoch")][-1][0]
        for name, model, epoch in jobs:
            gallery = os.path.join(work, name.replace(" ", "_"))
            row = evaluate(args.cli, model, args.data, args.segmenter, gallery, args.limit)
            row.update(name=name, epoch=epoch)
            rows.append(row)
            print(f"{name}: L1 {row['l1']:.4f}, SSIM {row['ssim']:.3f}, class IoU {row.get('iou', float('nan')):.3f}",
                  file=sys.stderr, flush=True)
            if name in (first, last):
                os.replace(os.path.join(gallery, "grid.png"),
                           os.path.join(args.out, f"{name.replace(' ', '_')}_grid.png"))
    with open(os.path.join(args.out, "learning_curve.json"), "w") as f:
        json.dump({"run": args.run, "data": args.data, "segmenter": args.segmenter, "rows": rows}, f, indent=2)
    with open(os.path.join(args.out, "learning_curve.md"), "w") as f:
        f.write(markdown(rows))
    svg_plot(rows, os.path.join(args.out, "learning_curve.svg"))
    print(markdown(rows))


if __name__ == "__main__":
    main()
