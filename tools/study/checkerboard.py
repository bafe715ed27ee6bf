#!/usr/bin/python3
"""Grid ("checkerboard") texture in images, measured in the spectrum.

A stride-2 transposed convolution whose kernel does not tile evenly leaves a pattern that repeats every 2
pixels; stacked, every 4, 8, ... pixels. In the power spectrum of a W x H image that is a peak at the
frequencies (k*W/p, l*H/p) for period p. For each period the script reports the prominence: the power at
those bins over the median power of their 8 neighbours, as a geometric mean over the bins and images.
Natural photos give about 1; a visible grid gives 10 and more.

    tools/study/checkerboard.py FOLDER [FOLDER ...]         (PNG/JPEG; needs numpy and ImageMagick's convert)
    --right / --left: use one half of aligned A|B images (the real photos of a facades test split)
"""
import glob
import subprocess
import sys

import numpy as np

PERIODS = (2, 4, 8)


def read_gray(path, half=None):
    ppm = subprocess.run(["convert", path, "-colorspace", "sRGB", "ppm:-"], check=True,
                         capture_output=True).stdout
    # "P6 W H 255" and one whitespace byte, then the pixels (ImageMagick writes no comments).
    fields, at = [], 0
    while len(fields) < 4:
        end = at
        while ppm[end:end + 1] not in (b" ", b"\n", b"\t", b"\r"):
            end += 1
        if end > at:
            fields.append(ppm[at:end])
        at = end + 1
    w, h = int(fields[1]), int(fields[2])
    rgb = np.frombuffer(ppm[at:at + w * h * 3], dtype=np.uint8).reshape(h, w, 3).astype(np.float64) / 255
    if half == "left":
        rgb = rgb[:, : w // 2]
    elif half == "right":
        rgb = rgb[:, w // 2:]
    return rgb @ np.array([0.299, 0.587, 0.114])


def prominence(gray, period):
    h, w = gray.shape
    power = np.abs(np.fft.fft2(gray - gray.mean())) ** 2
    ratios = []
    for ky in range(0, period):
        for kx in range(0, period):
            if kx == 0 and ky == 0:
                continue
            y, x = ky * h // period, kx * w // period
            if period > 2 and (ky * 2) % period == 0 and (kx * 2) % period == 0:
                continue  # a bin of a shorter period: counted there
            neighbours = [power[(y + dy) % h, (x + dx) % w] for dy in (-1, 0, 1) for dx in (-1, 0, 1)
                          if dy or dx]
            ratios.append(power[y, x] / max(np.median(neighbours), 1e-12))
    return np.exp(np.mean(np.log(np.maximum(ratios, 1e-12))))


def grid_prominence(files, half=None):
    """Per period, the geometric mean of the prominence over the images."""
    rows = np.array([[prominence(read_gray(f, half), p) for p in PERIODS] for f in files])
    return np.exp(np.log(rows).mean(axis=0))


def main(argv):
    half = None
    folders = []
    for a in argv:
        if a in ("--left", "--right"):
            half = a[2:]
        else:
            folders.append(a)
    print("%-40s %s" % ("folder", "  ".join("period %d" % p for p in PERIODS)))
    for folder in folders:
        files = sorted(glob.glob(folder + "/*.png") + glob.glob(folder + "/*.jpg"))
        gmean = grid_prominence(files, half)
        print("%-40s %s" % (folder[-40:], "  ".join("%8.2f" % v for v in gmean)))


if __name__ == "__main__":
    main(sys.argv[1:])
