#!/usr/bin/python3
"""The PyTorch peer of pix2pix-bench: the reference pix2pix training step, eager.

Builds the networks of junyanz/pytorch-CycleGAN-and-pix2pix (models/networks.py: UnetGenerator with
BatchNorm and dropout, the basic NLayerDiscriminator; normal(0, 0.02) init) and times its
optimize_parameters() (models/pix2pix_model.py: D on fake and real, Adam; G with GAN + 100 L1, Adam) on a
256x256 pair, batch 1, in fp32 and under bf16 autocast (forward passes and losses under
torch.autocast("cpu", torch.bfloat16), backward outside, as PyTorch's AMP recipe does). Prints one JSON
object. pix2pix-bench runs it beside its own rows (app/bench/bench_main.cpp).

--device cuda runs the same on the GPU (autocast on "cuda", every timed call ends with
torch.cuda.synchronize()); --inference adds G's eval forward at batch 1 in fp32 and, on CUDA, fp16
(model.half()), as tools/gpu-check.sh asks for.
"""

import argparse
import json
import statistics
import time

import torch
import torch.nn as nn


class UnetBlock(nn.Module):
    def __init__(self, outer_nc, inner_nc, input_nc=None, submodule=None, outermost=False, innermost=False,
                 dropout=False, norm=nn.BatchNorm2d):
        super().__init__()
        self.outermost = outermost
        input_nc = input_nc or outer_nc
        bias = norm is nn.InstanceNorm2d  # as the reference: BatchNorm's shift replaces the bias
        downconv = nn.Conv2d(input_nc, inner_nc, 4, 2, 1, bias=bias)
        downrelu, uprelu = nn.LeakyReLU(0.2, True), nn.ReLU(True)
        downnorm, upnorm = norm(inner_nc), norm(outer_nc)
        if outermost:
            upconv = nn.ConvTranspose2d(inner_nc * 2, outer_nc, 4, 2, 1)
            model = [downconv, submodule, uprelu, upconv, nn.Tanh()]
        elif innermost:
            upconv = nn.ConvTranspose2d(inner_nc, outer_nc, 4, 2, 1, bias=bias)
            model = [downrelu, downconv, uprelu, upconv, upnorm]
        else:
            upconv = nn.ConvTranspose2d(inner_nc * 2, outer_nc, 4, 2, 1, bias=bias)
            model = [downrelu, downconv, downnorm, submodule, uprelu, upconv, upnorm]
            if dropout:
                model.append(nn.Dropout(0.5))
        self.model = nn.Sequential(*model)

    def forward(self, x):
        return self.model(x) if self.outermost else torch.cat([x, self.model(x)], 1)


def unet(num_downs, ngf, norm=nn.BatchNorm2d, dropout=True):
    block = UnetBlock(ngf * 8, ngf * 8, innermost=True, norm=norm)
    for _ in range(num_downs - 5):
        block = UnetBlock(ngf * 8, ngf * 8, submodule=block, dropout=dropout, norm=norm)
    block = UnetBlock(ngf * 4, ngf * 8, submodule=block, norm=norm)
    block = UnetBlock(ngf * 2, ngf * 4, submodule=block, norm=norm)
    block = UnetBlock(ngf, ngf * 2, submodule=block, norm=norm)
    return UnetBlock(3, ngf, input_nc=3, submodule=block, outermost=True, norm=norm)


def patch_discriminator(ndf, n_layers=3, norm=nn.BatchNorm2d):
    layers = [nn.Conv2d(6, ndf, 4, 2, 1), nn.LeakyReLU(0.2, True)]
    mult = 1
    for n in range(1, n_layers + 1):
        prev, mult = mult, min(2 ** n, 8)
        layers += [nn.Conv2d(ndf * prev, ndf * mult, 4, 2 if n < n_layers else 1, 1,
                             bias=norm is nn.InstanceNorm2d),
                   norm(ndf * mult), nn.LeakyReLU(0.2, True)]
    layers.append(nn.Conv2d(ndf * mult, 1, 4, 1, 1))
    return nn.Sequential(*layers)


def init_weights(net):
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


def make_step(net_g, net_d, opt_g, opt_d, real_a, real_b, autocast, device_type="cpu", sync=lambda: None,
              d_for_g=None):
    """The reference's optimize_parameters(): D on fake and real, Adam; then G with GAN + 100 L1, Adam. Forward
    passes and losses under bf16 autocast when asked. d_for_g: the D that G's loss runs through (DDP's
    underlying module, whose parameters need no gradient then); net_d by default."""
    bce, l1 = nn.BCEWithLogitsLoss(), nn.L1Loss()
    d_for_g = net_d if d_for_g is None else d_for_g  # not `or`: a Module with len() 0 is falsy

    def gan_loss(pred, real):
        return bce(pred, torch.full_like(pred, 1.0 if real else 0.0))

    def step():
        with torch.autocast(device_type, dtype=torch.bfloat16, enabled=autocast):
            fake_b = net_g(real_a)
        for p in net_d.parameters():
            p.requires_grad_(True)
        opt_d.zero_grad()
        with torch.autocast(device_type, dtype=torch.bfloat16, enabled=autocast):
            loss_d = (gan_loss(net_d(torch.cat([real_a, fake_b], 1).detach()), False) +
                      gan_loss(net_d(torch.cat([real_a, real_b], 1)), True)) * 0.5
        loss_d.backward()
        opt_d.step()
        for p in net_d.parameters():
            p.requires_grad_(False)
        opt_g.zero_grad()
        with torch.autocast(device_type, dtype=torch.bfloat16, enabled=autocast):
            loss_g = gan_loss(d_for_g(torch.cat([real_a, fake_b], 1)), True) + l1(fake_b, real_b) * 100.0
        loss_g.backward()
        opt_g.step()
        sync()

    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=0, help="intra-op threads (0: leave torch's default)")
    parser.add_argument("--iterations", type=int, default=5, help="timed steps per precision")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--ngf", type=int, default=64)
    parser.add_argument("--ndf", type=int, default=64)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--precisions", default="fp32,bf16")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--inference", action="store_true", help="also time G's eval forward at batch 1")
    args = parser.parse_args()
    device = torch.device(args.device)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            print(json.dumps({"absent": "torch.cuda.is_available() is False", "torch_version": torch.__version__}))
            return
        torch.backends.cudnn.benchmark = True

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    num_downs = {256: 8, 128: 7}[args.size]

    result = {"torch_version": torch.__version__, "threads": torch.get_num_threads(),
              "device": str(device),
              "config": {"ngf": args.ngf, "ndf": args.ndf, "size": args.size, "batch": 1}}
    if device.type == "cuda":
        result["gpu"] = torch.cuda.get_device_name(device)
    for precision in args.precisions.split(","):
        torch.manual_seed(0)
        net_g, net_d = unet(num_downs, args.ngf), patch_discriminator(args.ndf)
        init_weights(net_g)
        init_weights(net_d)
        net_g.to(device)
        net_d.to(device)
        net_g.train()
        net_d.train()
        opt_g = torch.optim.Adam(net_g.parameters(), lr=2e-4, betas=(0.5, 0.999))
        opt_d = torch.optim.Adam(net_d.parameters(), lr=2e-4, betas=(0.5, 0.999))
        real_a = (torch.rand(1, 3, args.size, args.size) * 2 - 1).to(device)
        real_b = (torch.rand(1, 3, args.size, args.size) * 2 - 1).to(device)
        step = make_step(net_g, net_d, opt_g, opt_d, real_a, real_b, precision == "bf16", device.type, sync)

        for _ in range(args.warmup):
            step()
        times = []
        for _ in range(args.iterations):
            start = time.perf_counter()
            step()
            times.append((time.perf_counter() - start) * 1e3)
        times.sort()
        result[precision] = {"p50_ms": statistics.median(times), "min_ms": times[0], "n": len(times)}
    if args.inference:
        result["inference"] = inference(args, num_downs, device, sync)
    print(json.dumps(result))


def inference(args, num_downs, device, sync):
    """G's eval forward at batch 1 (fp32; fp16 as model.half() on CUDA), p50 over the iterations."""
    rows = {}
    for precision in ["fp32", "fp16"] if device.type == "cuda" else ["fp32"]:
        torch.manual_seed(0)
        net_g = unet(num_downs, args.ngf)
        init_weights(net_g)
        net_g.to(device).eval()
        x = (torch.rand(1, 3, args.size, args.size) * 2 - 1).to(device)
        if precision == "fp16":
            net_g.half()
            x = x.half()
        times = []
        with torch.no_grad():
            for i in range(args.warmup + max(args.iterations, 10)):
                start = time.perf_counter()
                net_g(x)
                sync()
                if i >= args.warmup:
                    times.append((time.perf_counter() - start) * 1e3)
        times.sort()
        rows[precision] = {"p50_ms": statistics.median(times), "min_ms": times[0], "n": len(times)}
    return rows


if __name__ == "__main__":
    main()
