#!/usr/bin/python3
"""The PyTorch DDP peer of tools/bench-data-parallel.sh: the reference pix2pix step under torch's own
DistributedDataParallel, Gloo over loopback, 1 rank x 1 thread against N ranks x 1 thread each.

Same networks and step as tools/bench/pytorch_peer.py (the reference's optimize_parameters), here with
instance norm as the data-parallel bench uses (no BatchNorm buffers to broadcast). G and D are each wrapped
in DistributedDataParallel (25 MB buckets, the all-reduce overlapping the backward); the G step calls D's
underlying module, whose parameters do not require gradients then, as the reference's DDP code does by
toggling requires_grad. One rank runs the plain modules. The runs alternate, REPEATS times, because this
VM's speed drifts; each rank count's images/s is the median. Prints one JSON object.

  /usr/bin/python3 tools/bench/pytorch_ddp_peer.py --ranks 1,2 --steps 14 --repeats 3 [--precision bf16]
"""

import argparse
import json
import os
import socket
import statistics
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_peer import init_weights, make_step, patch_discriminator, unet  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker(rank, world, port, args, queue):
    torch.set_num_threads(1)
    if world > 1:
        dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
    size = args.size
    torch.manual_seed(0)
    norm = nn.InstanceNorm2d if args.norm == "instance" else nn.BatchNorm2d
    net_g = unet({256: 8, 128: 7}[size], args.ngf, norm=norm)
    net_d = patch_discriminator(args.ndf, norm=norm)
    init_weights(net_g)
    init_weights(net_d)
    d_plain = net_d
    if world > 1:
        net_g = DistributedDataParallel(net_g)
        net_d = DistributedDataParallel(net_d)
    opt_g = torch.optim.Adam(net_g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(net_d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    generator = torch.Generator().manual_seed(rank)
    real_a = torch.rand(1, 3, size, size, generator=generator) * 2 - 1
    real_b = torch.rand(1, 3, size, size, generator=generator) * 2 - 1
    step = make_step(net_g, net_d, opt_g, opt_d, real_a, real_b, args.precision == "bf16", d_for_g=d_plain)

    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    if rank == 0:
        queue.put(statistics.median(times))
    if world > 1:
        dist.destroy_process_group()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ranks", default="1,2", help="rank counts to run, alternating")
    parser.add_argument("--steps", type=int, default=14, help="timed steps per run")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ngf", type=int, default=64)
    parser.add_argument("--ndf", type=int, default=64)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--norm", default="instance", choices=["instance", "batch"])
    parser.add_argument("--precision", default="bf16", choices=["fp32", "bf16"])
    args = parser.parse_args()
    counts = [int(r) for r in args.ranks.split(",")]
    rates = {n: [] for n in counts}
    context = mp.get_context("spawn")
    for _ in range(args.repeats):
        for world in counts:
            queue = context.SimpleQueue()
            mp.start_processes(worker, args=(world, free_port(), args, queue), nprocs=world, join=True,
                               start_method="spawn")
            rates[world].append(world / queue.get())
            print(f"  {world} rank(s): {rates[world][-1]:.3f} img/s", file=sys.stderr, flush=True)
    result = {"torch_version": torch.__version__, "precision": args.precision, "norm": args.norm,
              "config": {"ngf": args.ngf, "ndf": args.ndf, "size": args.size, "batch_per_rank": 1},
              "images_per_second": {str(n): statistics.median(v) for n, v in rates.items()}}
    if 1 in rates:
        result["scaling_vs_1_rank"] = {str(n): statistics.median(v) / statistics.median(rates[1])
                                       for n, v in rates.items() if n != 1}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
