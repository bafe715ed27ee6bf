// pix2pix-bench --micro: the formulations of ConvTranspose2d(k4, s2, p1) at each decoder shape of the
// U-Net-256 (ngf 64, 256x256), so the fast path's choice rests on measurements from this machine.

#include "app/bench/bench_micro.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <functional>
#include <iostream>

#include <torch/torch.h>

#include "core/nn/fast_unet.h"

namespace p2p::bench {

namespace {

double nowMs() {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

double threadCpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

// Single-threaded CPU time of the calling thread (median): unlike wall time it does not grow when other
// processes share the cores, so formulations can be compared on a busy machine.
double cpuMs(const std::function<void()>& fn, int warmup, int iterations) {
    const int threads = at::get_num_threads();
    at::set_num_threads(1);
    for (int i = 0; i < warmup; ++i) fn();
    std::vector<double> t;
    for (int i = 0; i < iterations; ++i) {
        const double t0 = threadCpuMs();
        fn();
        t.push_back(threadCpuMs() - t0);
    }
    at::set_num_threads(threads);
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

struct Timer {
    int warmup, iterations;
    // Records the median, or the error when this LibTorch refuses the formulation.
    void operator()(nlohmann::json& row, const std::string& key, const std::function<void()>& fn) const {
        try {
            row[key] = cpuMs(fn, warmup, iterations);
        } catch (const std::exception& e) {
            const std::string what = e.what();
            row[key] = "error: " + what.substr(0, what.find('\n'));
        }
    }
};

struct Shape {
    std::string name;
    int64_t cin, cout, size;  // input spatial size (square)
};

}  // namespace

nlohmann::json microBenchmarks(int warmup, int iterations) {
    using torch::Tensor;
    const auto cl = at::MemoryFormat::ChannelsLast;
    const std::vector<Shape> shapes = {
        {"up6 1024->512 @2", 1024, 512, 2}, {"up5 1024->512 @4", 1024, 512, 4},
        {"up4 1024->512 @8", 1024, 512, 8}, {"up3 1024->256 @16", 1024, 256, 16},
        {"up2 512->128 @32", 512, 128, 32}, {"up1 256->64 @64", 256, 64, 64},
        {"up0 128->3 @128", 128, 3, 128},   {"down3 256->512 @32 (Conv2d)", 256, 512, 32}};
    nlohmann::json out = nlohmann::json::array();
    c10::InferenceMode guard;
    const Timer measure{warmup, iterations};
    for (const auto& s : shapes) {
        const bool isDown = s.name.rfind("down", 0) == 0;
        nlohmann::json row;
        row["shape"] = s.name;
        for (auto dtype : {torch::kFloat32, torch::kBFloat16}) {
            const std::string suffix = dtype == torch::kFloat32 ? "_fp32" : "_bf16";
            auto x = torch::randn({1, s.cin, s.size, s.size}).to(dtype);
            auto xcl = x.contiguous(cl);
            if (isDown) {
                auto w = (torch::randn({s.cout, s.cin, 4, 4}) * 0.02).to(dtype);
                auto wcl = w.contiguous(cl);
                measure(row, "conv2d_nchw" + suffix, [&] { at::conv2d(x, w, {}, 2, 1); });
                measure(row, "conv2d_channels_last" + suffix, [&] { at::conv2d(xcl, wcl, {}, 2, 1); });
                auto xm = x.to_mkldnn();
                auto wm = at::mkldnn_reorder_conv2d_weight(w.to_mkldnn(), {1, 1}, {2, 2}, {1, 1}, 1);
                measure(row, "mkldnn_prepacked_dense_channels_last" + suffix, [&] {
                    at::mkldnn_convolution(xcl, wm, {}, {1, 1}, {2, 2}, {1, 1}, 1);
                });
                measure(row, "mkldnn_prepacked" + suffix, [&] {
                    at::mkldnn_convolution(xm, wm, {}, {1, 1}, {2, 2}, {1, 1}, 1);
                });
                continue;
            }
            auto w = (torch::randn({s.cin, s.cout, 4, 4}) * 0.02).to(dtype);
            auto b = torch::zeros({s.cout}).to(dtype);
            // Naive: the transposed convolution itself.
            measure(row, "conv_transpose2d_nchw" + suffix, [&] { at::conv_transpose2d(x, w, b, 2, 1); });
            measure(row, "conv_transpose2d_channels_last" + suffix,
                    [&] { at::conv_transpose2d(xcl, w.contiguous(cl), b, 2, 1); });
            measure(row, "conv_transpose2d_channels_last_input_only" + suffix,
                    [&] { at::conv_transpose2d(xcl, w, b, 2, 1); });
            // One 2x2 conv with 4*Cout outputs (padding 1) + interleave.
            auto k = subpixelKernel(w).contiguous();
            auto kcl = k.contiguous(cl);
            auto kb = b.repeat({4});
            auto outNchw = at::empty({1, s.cout, 2 * s.size, 2 * s.size}, x.options());
            auto outCl = at::empty({1, s.cout, 2 * s.size, 2 * s.size}, x.options(), cl);
            measure(row, "subpixel_2x2_conv_only_nchw" + suffix, [&] { at::conv2d(x, k, kb, 1, 1); });
            measure(row, "subpixel_2x2_conv_only_channels_last" + suffix,
                    [&] { at::conv2d(xcl, kcl, kb, 1, 1); });
            measure(row, "subpixel_2x2_nchw" + suffix,
                    [&] { interleavePhases(at::conv2d(x, k, kb, 1, 1), outNchw); });
            measure(row, "subpixel_2x2_channels_last" + suffix,
                    [&] { interleavePhases(at::conv2d(xcl, kcl, kb, 1, 1), outCl); });
            // Four 2x2 convs on slices of the zero-padded input (the naive sub-pixel split).
            std::vector<Tensor> parts;
            for (int i = 0; i < 4; ++i) parts.push_back(k.narrow(0, i * s.cout, s.cout).contiguous());
            measure(row, "subpixel_four_convs_on_slices" + suffix, [&] {
                auto xp = at::constant_pad_nd(x, {1, 1, 1, 1});
                for (int a = 0; a < 2; ++a)
                    for (int c = 0; c < 2; ++c)
                        at::conv2d(xp.narrow(2, a, s.size + 1).narrow(3, c, s.size + 1), parts[a * 2 + c],
                                   torch::Tensor(), std::vector<int64_t>{1, 1}, std::vector<int64_t>{0, 0});
            });
            // One 3x3 conv with 4*Cout outputs + pixel_shuffle (2.25x the FLOPs).
            auto k3 = torch::zeros({4 * s.cout, s.cin, 3, 3}, k.options());
            for (int a = 0; a < 2; ++a)
                for (int c = 0; c < 2; ++c)
                    k3.narrow(0, (a * 2 + c) * s.cout, s.cout)
                        .narrow(2, a, 2)
                        .narrow(3, c, 2)
                        .copy_(k.narrow(0, (a * 2 + c) * s.cout, s.cout));
            measure(row, "conv3x3_pixel_shuffle_nchw" + suffix,
                    [&] { at::pixel_shuffle(at::conv2d(x, k3, {}, 1, 1), 2); });
            // oneDNN tensors: input reordered to the blocked layout, weights prepacked once.
            auto xm = x.to_mkldnn();
            auto wm = at::mkldnn_reorder_conv2d_weight(k.to_mkldnn(), {1, 1}, {1, 1}, {1, 1}, 1);
            measure(row, "mkldnn_prepacked_2x2_dense_channels_last" + suffix, [&] {
                interleavePhases(at::mkldnn_convolution(xcl, wm, kb, {1, 1}, {1, 1}, {1, 1}, 1), outCl);
            });
            measure(row, "mkldnn_prepacked_2x2_conv_only" + suffix, [&] {
                at::mkldnn_convolution(xm, wm, kb, {1, 1}, {1, 1}, {1, 1}, 1);
            });
            measure(row, "mkldnn_prepacked_2x2_with_reorders" + suffix, [&] {
                auto y =
                    at::mkldnn_convolution(xcl.contiguous().to_mkldnn(), wm, kb, {1, 1}, {1, 1}, {1, 1}, 1);
                interleavePhases(y.to_dense().contiguous(cl), outCl);
            });
        }
        std::cerr << "  " << row.dump() << std::endl;
        out.push_back(row);
    }
    return out;
}

}  // namespace p2p::bench
