#include "app/bench/bench_profile.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>

#include "core/nn/fast_unet.h"
#include "core/nn/mixed_precision.h"

namespace p2p::bench {

namespace {

double nowMs() {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

// Median wall time of `timed`, each run after an untimed `setup`.
double medianMs(const std::function<void()>& setup, const std::function<void()>& timed, int warmup,
                int iterations) {
    for (int i = 0; i < warmup; ++i) {
        setup();
        timed();
    }
    std::vector<double> t;
    for (int i = 0; i < iterations; ++i) {
        setup();
        const double t0 = nowMs();
        timed();
        t.push_back(nowMs() - t0);
    }
    return median(t);
}

const char* dtypeName(torch::Dtype dtype) {
    return dtype == torch::kBFloat16 ? "bf16" : "fp32";
}

}  // namespace

double ConvLayer::forwardGflop() const {
    // Multiply-adds of the direct convolution; a transposed one does the same products from its input side.
    const int64_t positions = transposed ? in_size * in_size : out_size * out_size;
    return 2.0 * double(cin) * double(cout) * double(kernel * kernel) * double(positions) / 1e9;
}

std::string ConvLayer::shape() const {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%lld->%lld @%lld%s", static_cast<long long>(cin),
                  static_cast<long long>(cout), static_cast<long long>(in_size), stride == 1 ? " s1" : "");
    return buffer;
}

std::vector<ConvLayer> generatorLayers(const UnetGenerator& g, int64_t size) {
    std::vector<ConvLayer> down, up;
    int64_t s = size;
    int index = 0;
    for (const auto& block : g->blocks()) {
        for (const auto& child : block->model->children()) {
            if (auto* conv = child->as<torch::nn::Conv2dImpl>()) {
                ConvLayer l;
                l.name = "G down" + std::to_string(index);
                l.cin = conv->weight.size(1);
                l.cout = conv->weight.size(0);
                l.in_size = s;
                l.out_size = s / 2;
                l.bias = conv->bias.defined();
                l.first = index == 0;
                down.push_back(l);
            } else if (auto* deconv = child->as<torch::nn::ConvTranspose2dImpl>()) {
                ConvLayer l;
                l.name = "G up" + std::to_string(index);
                l.cin = deconv->weight.size(0);
                l.cout = deconv->weight.size(1);
                l.in_size = s / 2;
                l.out_size = s;
                l.transposed = true;
                l.bias = deconv->bias.defined();
                up.push_back(l);
            }
        }
        s /= 2;
        ++index;
    }
    std::vector<ConvLayer> layers = down;
    layers.insert(layers.end(), up.rbegin(), up.rend());  // the decoder runs inner to outer
    return layers;
}

std::vector<ConvLayer> discriminatorLayers(const PatchDiscriminator& d, int64_t size) {
    std::vector<ConvLayer> layers;
    const std::vector<ConvGeometry> geometry = d->convGeometry();  // the convs in order, as D builds them
    int64_t s = size;
    for (const auto& child : d->layers->children()) {
        auto* conv = child->as<torch::nn::Conv2dImpl>();
        if (!conv) continue;
        const ConvGeometry& g = geometry.at(layers.size());
        ConvLayer l;
        l.name = "D conv" + std::to_string(layers.size());
        l.cin = conv->weight.size(1);
        l.cout = conv->weight.size(0);
        l.kernel = g.kernel;
        l.stride = g.stride;
        l.padding = g.padding;
        l.in_size = s;
        l.out_size = (s + 2 * l.padding - l.kernel) / l.stride + 1;
        l.bias = conv->bias.defined();
        l.first = layers.empty();
        s = l.out_size;
        layers.push_back(l);
    }
    return layers;
}

double trainingStepGflop(const std::vector<ConvLayer>& g, const std::vector<ConvLayer>& d) {
    double fg = 0, fg0 = 0, fd = 0, fd0 = 0;
    for (const auto& l : g) (l.first ? fg0 : fg) += l.forwardGflop();
    for (const auto& l : d) (l.first ? fd0 : fd) += l.forwardGflop();
    fg += fg0;
    fd += fd0;
    // G: forward, weight gradients, input gradients but for the first layer.
    // D: three forwards; on the two D passes weight gradients and input gradients but for the first layer;
    // on the pass for G input gradients only, down to fake_B.
    return (fg + fg + (fg - fg0)) + (3 * fd + 2 * (fd + (fd - fd0)) + fd);
}

nlohmann::json physicalLimit(int warmup, int iterations) {
    struct Shape {
        int64_t cin, cout, kernel, stride, size;
    };
    // Large enough that oneDNN's blocking is fully used; the last is the U-Net's own widest down-conv.
    const std::vector<Shape> shapes = {{256, 256, 3, 1, 64}, {512, 512, 3, 1, 32}, {256, 512, 4, 2, 64}};
    nlohmann::json out;
    c10::InferenceMode guard;
    for (const torch::Dtype dtype : {torch::kFloat32, torch::kBFloat16}) {
        double best = 0;
        std::string bestKernel;
        nlohmann::json tried = nlohmann::json::array();
        for (const auto& s : shapes) {
            const int64_t padding = 1;
            const int64_t outSize = (s.size + 2 * padding - s.kernel) / s.stride + 1;
            const double gflop =
                2.0 * double(s.cin * s.cout * s.kernel * s.kernel) * double(outSize * outSize) / 1e9;
            const auto x = torch::randn({1, s.cin, s.size, s.size}).to(dtype);
            const auto w = (torch::randn({s.cout, s.cin, s.kernel, s.kernel}) * 0.02).to(dtype);
            const auto xcl = x.contiguous(at::MemoryFormat::ChannelsLast);
            const auto wcl = w.contiguous(at::MemoryFormat::ChannelsLast);
            const auto xm = x.to_mkldnn();
            const auto wm = at::mkldnn_reorder_conv2d_weight(w.to_mkldnn(), {padding, padding},
                                                             {s.stride, s.stride}, {1, 1}, 1);
            const std::vector<std::pair<std::string, std::function<void()>>> layouts = {
                {"plain", [&] { at::conv2d(x, w, {}, s.stride, padding); }},
                {"channels-last", [&] { at::conv2d(xcl, wcl, {}, s.stride, padding); }},
                {"oneDNN blocked, prepacked",
                 [&] {
                     at::mkldnn_convolution(xm, wm, {}, {padding, padding}, {s.stride, s.stride}, {1, 1}, 1);
                 }},
            };
            for (const auto& [layout, run] : layouts) {
                const double ms = medianMs([] {}, run, warmup, iterations);
                const double gflops = gflop / (ms / 1e3);
                char name[96];
                std::snprintf(name, sizeof name, "%lldx%lld s%lld %lld->%lld @%lld, %s",
                              static_cast<long long>(s.kernel), static_cast<long long>(s.kernel),
                              static_cast<long long>(s.stride), static_cast<long long>(s.cin),
                              static_cast<long long>(s.cout), static_cast<long long>(s.size), layout.c_str());
                tried.push_back({{"kernel", name}, {"ms", ms}, {"gflops_per_s", gflops}});
                if (gflops > best) {
                    best = gflops;
                    bestKernel = name;
                }
            }
        }
        out[dtypeName(dtype)] = {{"gflops_per_s", best}, {"kernel", bestKernel}, {"tried", tried}};
    }
    return out;
}

nlohmann::json layerProfile(const std::vector<ConvLayer>& layers, torch::Dtype dtype, double limitGflops,
                            int warmup, int iterations) {
    nlohmann::json rows = nlohmann::json::array();
    torch::manual_seed(0);
    for (const auto& l : layers) {
        const bool inputGrad = !(l.first && l.name.rfind("G", 0) == 0);
        const auto x = torch::randn({1, l.cin, l.in_size, l.in_size}).requires_grad_(inputGrad);
        const auto w = l.transposed
                           ? (torch::randn({l.cin, l.cout, 4, 4}) * 0.02).requires_grad_()
                           : (torch::randn({l.cout, l.cin, l.kernel, l.kernel}) * 0.02).requires_grad_();
        const auto b = l.bias ? torch::zeros({l.cout}).requires_grad_() : torch::Tensor();
        torch::Tensor y;
        auto forward = [&] {
            AutocastScope autocast(dtype, torch::kCPU);
            y = l.transposed ? convTranspose2dOnConvPath(x, w, b) : at::conv2d(x, w, b, l.stride, l.padding);
        };
        const double forwardMs = medianMs([] {}, forward, warmup, iterations);
        torch::Tensor gradY;
        const double backwardMs = medianMs(
            [&] {
                for (auto* t : {&x, &w, &b})
                    if (t->defined()) t->mutable_grad() = torch::Tensor();  // no accumulation into old grads
                forward();
                if (!gradY.defined()) gradY = torch::randn_like(y);
            },
            [&] { y.backward(gradY); }, warmup, iterations);
        const double fwd = l.forwardGflop();
        const double bwd = inputGrad ? 2 * fwd : fwd;
        rows.push_back({{"layer", l.name},
                        {"shape", l.shape()},
                        {"forward_gflop", fwd},
                        {"forward_ms", forwardMs},
                        {"forward_gflops_per_s", fwd / (forwardMs / 1e3)},
                        {"forward_of_limit", fwd / (forwardMs / 1e3) / limitGflops},
                        {"backward_gflop", bwd},
                        {"backward_ms", backwardMs},
                        {"backward_gflops_per_s", bwd / (backwardMs / 1e3)},
                        {"backward_of_limit", bwd / (backwardMs / 1e3) / limitGflops}});
    }
    return rows;
}

}  // namespace p2p::bench
