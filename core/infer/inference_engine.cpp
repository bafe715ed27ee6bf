#include "core/infer/inference_engine.h"
#include "core/export/model_source.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>
#include <opencv2/imgproc.hpp>

#include "core/common/error.h"
#include "core/common/runtime.h"
#include "core/common/torch_device.h"
#include "core/data/tensor_image.h"
#include "core/infer/precision_check.h"
#include "core/io/model_io.h"
#include "core/nn/fast_unet.h"

namespace p2p {

namespace {

std::string firstLine(const std::string& s) {
    return s.substr(0, s.find('\n'));
}

// Mirror-extends x (NCHW) by the given amounts. Reflection needs pad < size, so large pads are done in steps
// (mirror tiling: reflect the already reflected image); a side of length 1 can only be replicated.
torch::Tensor mirrorPad(torch::Tensor x, int64_t left, int64_t right, int64_t top, int64_t bottom) {
    while (left + right + top + bottom > 0) {
        const int64_t h = x.size(2), w = x.size(3);
        if (h == 1 || w == 1) {
            x = at::replication_pad2d(x, {left, right, top, bottom});
            break;
        }
        const int64_t l = std::min(left, w - 1), r = std::min(right, w - 1);
        const int64_t t = std::min(top, h - 1), b = std::min(bottom, h - 1);
        x = at::reflection_pad2d(x, {l, r, t, b});
        left -= l, right -= r, top -= t, bottom -= b;
    }
    return x;
}

struct Padding {
    int64_t left = 0, right = 0, top = 0, bottom = 0;
};

Padding paddingTo(int64_t h, int64_t w, int64_t multiple, int64_t minimum = 0) {
    auto target = [&](int64_t n) { return std::max(minimum, (n + multiple - 1) / multiple * multiple); };
    const int64_t ph = target(h) - h, pw = target(w) - w;
    return {pw / 2, pw - pw / 2, ph / 2, ph - ph / 2};
}

// Start offsets of tiles of length `tile` covering [0, length) with at least `overlap` shared pixels.
std::vector<int64_t> tileStarts(int64_t length, int64_t tile, int64_t overlap) {
    if (length <= tile) return {0};
    const int64_t count = (length - overlap + (tile - overlap) - 1) / (tile - overlap);
    std::vector<int64_t> starts;
    for (int64_t i = 0; i < count; ++i)
        starts.push_back(
            static_cast<int64_t>(std::llround(double(i) * double(length - tile) / double(count - 1))));
    return starts;
}

// Blending weight along one axis of a tile: a linear ramp over `overlap` pixels at edges that border
// another tile, 1 elsewhere (and at the image border).
torch::Tensor ramp(int64_t length, int64_t overlap, bool rampStart, bool rampEnd) {
    auto w = torch::ones({length});
    if (overlap <= 0) return w;
    auto pos = torch::arange(length, torch::kFloat32);
    if (rampStart) w = torch::minimum(w, (pos + 0.5) / double(overlap));
    if (rampEnd) w = torch::minimum(w, (double(length) - pos - 0.5) / double(overlap));
    return w.clamp_min(1e-3);
}

// A deterministic "real-ish" 8-bit image for the bf16 check: flat label-like regions, soft gradients, edges.
cv::Mat checkImage(int size) {
    cv::Mat image(size, size, CV_8UC3);
    cv::RNG rng(12345);
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x)
            image.at<cv::Vec3b>(y, x) =
                cv::Vec3b(static_cast<uchar>(x * 255 / size), static_cast<uchar>(y * 255 / size), 128);
    for (int i = 0; i < 12; ++i) {
        cv::Point p1(rng.uniform(0, size), rng.uniform(0, size)),
            p2(rng.uniform(0, size), rng.uniform(0, size));
        cv::rectangle(image, p1, p2,
                      cv::Scalar(rng.uniform(0, 256), rng.uniform(0, 256), rng.uniform(0, 256)), cv::FILLED);
    }
    cv::Mat noise(size, size, CV_8UC3);
    rng.fill(noise, cv::RNG::NORMAL, 0, 6);
    cv::add(image, noise, image);
    return image;
}

torch::Dtype dtypeOf(const std::string& precision) {
    if (precision == "bf16") return torch::kBFloat16;
    if (precision == "fp16") return torch::kFloat16;
    return torch::kFloat32;
}

}  // namespace

NormStats preferredPreviewNorm(const ModelInfo& info) {
    const auto it = info.metadata.find("preview_norm");
    if (it != info.metadata.end() && it->is_string() && it->get<std::string>() == "running")
        return NormStats::Running;
    return NormStats::Image;
}

std::string toString(NormStats stats) {
    return stats == NormStats::Running ? "running" : "image";
}

NormStats normStatsFromString(const std::string& name) {
    if (name == "image") return NormStats::Image;
    if (name == "running") return NormStats::Running;
    throw Error("unknown normalisation statistics '" + name + "' (expected image or running)");
}

bool canFallBackToCpu(const Device& device, const std::string& precision) {
    return !(device.isCpu() && precision == "fp32");
}

void EngineOptions::validate() const {
    if (!(precision == "auto" || precision == "fp32" || precision == "bf16" || precision == "fp16"))
        throw Error("engine option precision: unknown precision '" + precision +
                    "' (expected auto, fp32, bf16 or fp16)");
    if (threads < 0) throw Error("engine option threads: must be 0 (one per core) or positive");
    if (tile_size < 64) throw Error("engine option tile_size: must be at least 64 pixels");
    if (tile_overlap < 0 || tile_overlap * 2 > tile_size)
        throw Error("engine option tile_overlap: must be between 0 and half of tile_size");
    if (!(bf16_max_abs_error > 0) || !(bf16_mean_abs_error > 0))
        throw Error("engine option bf16 tolerances: must be positive");
    if (!(fp16_max_abs_error > 0) || !(fp16_mean_abs_error > 0))
        throw Error("engine option fp16 tolerances: must be positive");
}

struct InferenceEngine::Impl {
    EngineOptions options;
    Device device = Device::cpu();
    std::string precision = "fp32";
    std::string precision_report = "no model loaded";
    std::string fallback_reason;
    std::optional<LoadedModel> model;
    std::unique_ptr<FastUnet> net;     // null: the module itself in eval (naive fp32, Running preview only)
    std::unique_ptr<FastUnet> walker;  // the module's own arithmetic for other modes when fast_path is off

    bool onCuda() const { return device.isCuda(); }

    const LoadedModel& requireModel() const {
        if (!model) throw Error("no model is loaded");
        return *model;
    }

    UnetRunOptions runOptions(const TranslateOptions& t, uint64_t seedOffset) const {
        UnetRunOptions run;
        if (t.mode == TranslateMode::Paper) {
            run.batch_stats = true;
            run.dropout =
                at::make_generator<at::CPUGeneratorImpl>(t.seed + seedOffset * 0x9E3779B97F4A7C15ull);
        } else {
            run.batch_stats = options.preview_norm == NormStats::Image;
        }
        return run;
    }

    // x: 1x3xHxW float32 CPU with H, W multiples of sizeMultiple(). Returns float32 CPU NCHW.
    torch::Tensor runNetwork(const torch::Tensor& x, const UnetRunOptions& run) {
        requireModel();
        if (options.fault_for_testing) options.fault_for_testing(device);
        torch::Tensor y;
        const bool plainEval = !run.batch_stats && !run.dropout && !run.fixed && !run.record;
        if (net) {
            y = net->forward(x, run);
        } else if (plainEval) {
            model->generator->eval();
            y = model->generator->forward(x.to(p2p::torchDevice(device)));
        } else {
            y = walker->forward(x, run);
        }
        return y.to(torch::kCPU, torch::kFloat32).contiguous();
    }

    torch::Tensor runPadded(const torch::Tensor& x, const UnetRunOptions& run) {
        const int64_t h = x.size(2), w = x.size(3);
        const Padding p = paddingTo(h, w, requireModel().info.generator.sizeMultiple());
        const auto y = runNetwork(mirrorPad(x, p.left, p.right, p.top, p.bottom), run);
        return y.narrow(2, p.top, h).narrow(3, p.left, w);
    }

    bool needsImageStatistics(const UnetRunOptions& run) const {
        const Norm norm = requireModel().info.generator.norm;
        return norm == Norm::Instance || (norm == Norm::Batch && run.batch_stats);
    }

    torch::Tensor runTiled(const torch::Tensor& x, const TranslateOptions& t) {
        const int64_t multiple = requireModel().info.generator.sizeMultiple();
        const int64_t h = x.size(2), w = x.size(3);
        const int64_t tile = std::max(multiple, options.tile_size / multiple * multiple);
        const int64_t overlap = std::min<int64_t>(options.tile_overlap, tile / 2);

        // Per-image statistics, once, from the whole image downscaled to one tile: every tile then normalises
        // with the same statistics, so tiles agree (no seams from per-tile statistics).
        std::vector<NormStatistics> stats;
        const bool shareStats = needsImageStatistics(runOptions(t, 0));
        if (shareStats) {
            const double scale = double(tile) / double(std::max(h, w));
            const int64_t sh = std::max<int64_t>(1, std::llround(h * scale)),
                          sw = std::max<int64_t>(1, std::llround(w * scale));
            const auto small = at::upsample_bilinear2d(x, {sh, sw}, /*align_corners=*/false);
            auto run = runOptions(t, 0);
            run.record = &stats;
            runPadded(small, run);
        }

        auto sum = torch::zeros({1, x.size(1), h, w});
        auto weight = torch::zeros({1, 1, h, w});
        const auto rows = tileStarts(h, tile, overlap), cols = tileStarts(w, tile, overlap);
        uint64_t index = 0;
        for (size_t r = 0; r < rows.size(); ++r) {
            for (size_t c = 0; c < cols.size(); ++c) {
                ++index;
                const int64_t th = std::min(tile, h), tw = std::min(tile, w);
                auto run = runOptions(t, index);
                if (shareStats) {
                    run.fixed = &stats;
                    run.batch_stats = false;
                }
                const auto y = runPadded(x.narrow(2, rows[r], th).narrow(3, cols[c], tw), run);
                const auto wy = ramp(th, overlap, r > 0, r + 1 < rows.size()).view({1, 1, th, 1});
                const auto wx = ramp(tw, overlap, c > 0, c + 1 < cols.size()).view({1, 1, 1, tw});
                const auto wt = wy * wx;
                sum.narrow(2, rows[r], th).narrow(3, cols[c], tw).add_(y * wt);
                weight.narrow(2, rows[r], th).narrow(3, cols[c], tw).add_(wt);
            }
        }
        return sum / weight;
    }

    // fp32 vs the candidate (bf16 on the CPU, fp16 on CUDA) on the check image, in the preview configuration,
    // on the candidate's device.
    PrecisionCheck checkAgainstFp32(const UnetGenerator& generator, FastUnet& candidate,
                                    const std::string& name, double maxLimit, double meanLimit) {
        FastUnetOptions o;
        o.device = candidate.options().device;
        o.subpixel = candidate.options().subpixel;
        FastUnet fp32(generator, o);
        const int size = std::max(256, generator->options().sizeMultiple());
        const auto x = imageToTensor(checkImage(size));
        const auto run = runOptions(TranslateOptions{}, 0);
        return compareWithFp32(name, fp32.forward(x, run), candidate.forward(x, run), maxLimit, meanLimit);
    }

    // After a failure of the device: the model on the CPU at fp32, prepared as load() prepares it there.
    void fallBackToCpu(const std::string& failure) {
        fallback_reason = device.str() + " (" + precision + ") failed: " + failure;
        c10::InferenceMode guard;  // as at load: the model's tensors are inference tensors
        model->generator->to(torch::kCPU);
        if (model->discriminator) model->discriminator->to(torch::kCPU);
        net.reset();
        walker.reset();
        if (options.fast_path) {
            net = std::make_unique<FastUnet>(model->generator, FastUnetOptions{});
        } else {
            FastUnetOptions o;
            o.subpixel = false;
            o.fold_batchnorm = false;
            o.channels_last = false;
            walker = std::make_unique<FastUnet>(model->generator, o);
        }
        // For good: later loads prepare models on the CPU at fp32 too (options() says so).
        device = options.device = Device::cpu();
        precision = options.precision = "fp32";
        precision_report = "fp32 on the CPU after a failure: " + fallback_reason;
    }

    cv::Mat translateOnce(const cv::Mat& image, const TranslateOptions& options) {
        c10::InferenceMode guard;
        const auto x = imageToTensor(image);
        const bool tiled = x.size(2) > this->options.tile_size || x.size(3) > this->options.tile_size;
        const auto y = tiled ? runTiled(x, options) : runPadded(x, runOptions(options, 0));
        return tensorToImage(y);
    }
};

InferenceEngine::InferenceEngine(EngineOptions options) : impl_(std::make_unique<Impl>()) {
    options.validate();
    impl_->options = std::move(options);
    impl_->device = impl_->options.device.resolved();
    if (impl_->device.isCpu() && impl_->options.precision == "fp16")
        throw Error("engine option precision: fp16 needs CUDA; use fp32 or bf16 on the CPU");
}

InferenceEngine::~InferenceEngine() = default;

ModelInfo InferenceEngine::load(const std::string& path, const ModelLoadOptions& loadOptions) {
    configureThreads(impl_->options.threads);
    Impl& s = *impl_;
    // Everything is built aside and swapped in at the end, so a failed load leaves the previous model.
    // A .p2pm, a reference .pth, a training checkpoint or a run folder: every front end opens the same four.
    LoadedModel loaded = openModelSource(path, loadOptions).model;
    std::unique_ptr<FastUnet> net, walker;
    std::string precision = "fp32", report;
    try {
        c10::InferenceMode guard;
        const auto device = torchDevice(s.device);
        loaded.generator->eval();
        if (loaded.discriminator) loaded.discriminator->eval();
        if (s.onCuda()) {
            at::globalContext().setBenchmarkCuDNN(true);
            precision = s.options.precision == "auto" ? "fp16" : s.options.precision;
            loaded.generator->to(device);
            if (loaded.discriminator) loaded.discriminator->to(device);
            FastUnetOptions o;
            o.subpixel = false;  // cuDNN's transposed convolution is fast
            o.device = device;
            o.dtype = dtypeOf(precision);
            net = std::make_unique<FastUnet>(loaded.generator, o);
            report = precision + " on CUDA";
            if (precision == "fp16") {
                const PrecisionCheck check =
                    s.checkAgainstFp32(loaded.generator, *net, "fp16", s.options.fp16_max_abs_error,
                                       s.options.fp16_mean_abs_error);
                const PrecisionChoice choice = choosePrecision(check, s.options.precision == "fp16");
                precision = choice.precision;
                report = choice.report + " on CUDA";
                if (!choice.use_candidate) {
                    o.dtype = torch::kFloat32;
                    net = std::make_unique<FastUnet>(loaded.generator, o);
                }
            }
        } else if (s.options.fast_path) {
            const bool wantBf16 =
                s.options.precision == "bf16" || (s.options.precision == "auto" && cpuBf16Support().any());
            if (wantBf16) {
                FastUnetOptions o;
                o.dtype = torch::kBFloat16;
                auto candidate = std::make_unique<FastUnet>(loaded.generator, o);
                const PrecisionCheck check =
                    s.checkAgainstFp32(loaded.generator, *candidate, "bf16", s.options.bf16_max_abs_error,
                                       s.options.bf16_mean_abs_error);
                const PrecisionChoice choice = choosePrecision(check, s.options.precision == "bf16");
                precision = choice.precision;
                report = choice.report;
                if (choice.use_candidate) net = std::move(candidate);
            } else {
                report = s.options.precision == "auto" ? "fp32: this CPU has neither AVX512_BF16 nor AMX"
                                                       : "fp32: requested";
            }
            if (!net) net = std::make_unique<FastUnet>(loaded.generator, FastUnetOptions{});
        } else {
            if (s.options.precision == "bf16")
                throw Error("engine option precision: bf16 needs the fast path on CPU");
            FastUnetOptions o;
            o.subpixel = false;
            o.fold_batchnorm = false;
            o.channels_last = false;
            walker = std::make_unique<FastUnet>(loaded.generator, o);
            report = "fp32: the module as built (fast path off)";
        }
    } catch (const Error&) {
        throw;
    } catch (const c10::Error& e) {
        throw Error(path + ": cannot prepare the model on " + s.device.str() + ": " + firstLine(e.what()));
    }

    s.model = std::move(loaded);
    s.net = std::move(net);
    s.walker = std::move(walker);
    s.precision = precision;
    s.precision_report = report;
    if (s.options.warm_up) {
        const int size = s.model->info.generator.sizeMultiple();
        translate(cv::Mat(size, size, CV_8UC3, cv::Scalar(127, 127, 127)));
    }
    return s.model->info;
}

bool InferenceEngine::hasModel() const {
    return impl_->model.has_value();
}

const ModelInfo& InferenceEngine::model() const {
    return impl_->requireModel().info;
}

cv::Mat InferenceEngine::translate(const cv::Mat& image, const TranslateOptions& options) {
    Impl& s = *impl_;
    s.requireModel();
    if (image.empty()) throw Error("cannot translate an empty image");
    configureThreads(s.options.threads);
    auto failed = [&](const c10::Error& e) {
        return Error("translating a " + std::to_string(image.cols) + "x" + std::to_string(image.rows) +
                     " image on " + s.device.str() + " failed: " + firstLine(e.what()));
    };
    try {
        return s.translateOnce(image, options);
    } catch (const Error&) {
        throw;
    } catch (const c10::Error& e) {
        if (!s.options.cpu_fallback || !canFallBackToCpu(s.device, s.precision)) throw failed(e);
        try {
            s.fallBackToCpu(firstLine(e.what()));
        } catch (const c10::Error& again) {
            throw Error("translating failed on " + s.device.str() + " (" + firstLine(e.what()) +
                        ") and the model cannot be moved to the CPU: " + firstLine(again.what()));
        }
    }
    try {
        return s.translateOnce(image, options);  // on the CPU now
    } catch (const Error&) {
        throw;
    } catch (const c10::Error& e) {
        throw failed(e);
    }
}

bool InferenceEngine::hasDiscriminator() const {
    return impl_->model && impl_->model->discriminator;
}

cv::Mat InferenceEngine::discriminatorMap(const cv::Mat& input, const cv::Mat& output) {
    Impl& s = *impl_;
    const auto& m = s.requireModel();
    if (!m.discriminator) throw Error(m.info.path + " has no discriminator");
    if (input.empty() || output.empty()) throw Error("discriminatorMap: empty image");
    if (input.size() != output.size())
        throw Error("discriminatorMap: the input and output images differ in size");
    configureThreads(s.options.threads);
    try {
        c10::InferenceMode guard;
        auto x = torch::cat({imageToTensor(input), imageToTensor(output)}, 1);
        const auto& d = m.discriminator;
        // Pad like G: to a multiple of D's total stride, and at least 32 pixels so every layer has an output.
        int64_t multiple = 1;
        for (const auto& g : d->convGeometry()) multiple *= g.stride;
        const int64_t h = x.size(2), w = x.size(3);
        const Padding p = paddingTo(h, w, multiple, multiple > 1 ? 32 : 1);
        x = mirrorPad(x, p.left, p.right, p.top, p.bottom).to(torchDevice(s.device));
        const bool batchStats = s.options.preview_norm == NormStats::Image;
        for (const auto& layer : d->layers->children()) {
            if (auto* conv = layer->as<torch::nn::Conv2dImpl>()) {
                x = conv->forward(x);
            } else if (auto* bn = layer->as<torch::nn::BatchNorm2dImpl>()) {
                x = batchStats
                        ? at::batch_norm(x, bn->weight, bn->bias, {}, {}, true, 0.0, bn->options.eps(), false)
                        : bn->forward(x);
            } else if (auto* in = layer->as<torch::nn::InstanceNorm2dImpl>()) {
                x = in->forward(x);
            } else if (auto* leaky = layer->as<torch::nn::LeakyReLUImpl>()) {
                x = leaky->forward(x);
            } else {
                throw Error("discriminatorMap: unexpected layer " + layer->name());
            }
        }
        auto map = torch::sigmoid(x.to(torch::kCPU, torch::kFloat32));
        // Keep the patches of the original image: crop the padding's share of the map.
        const int64_t mh = map.size(2), mw = map.size(3), ph = h + p.top + p.bottom,
                      pw = w + p.left + p.right;
        const int64_t r0 = p.top * mh / ph, r1 = std::max(r0 + 1, (p.top + h) * mh / ph);
        const int64_t c0 = p.left * mw / pw, c1 = std::max(c0 + 1, (p.left + w) * mw / pw);
        map = map.narrow(2, r0, std::min(r1, mh) - r0).narrow(3, c0, std::min(c1, mw) - c0);
        return tensorToFloatMap(map);
    } catch (const Error&) {
        throw;
    } catch (const c10::Error& e) {
        throw Error("discriminator map on " + s.device.str() + " failed: " + firstLine(e.what()));
    }
}

const EngineOptions& InferenceEngine::options() const {
    return impl_->options;
}

void InferenceEngine::setPreviewNorm(NormStats stats) {
    impl_->options.preview_norm = stats;
}

Device InferenceEngine::device() const {
    return impl_->device;
}

std::string InferenceEngine::precision() const {
    return impl_->precision;
}

std::string InferenceEngine::precisionReport() const {
    return impl_->precision_report;
}

std::string InferenceEngine::fallbackReason() const {
    return impl_->fallback_reason;
}

std::string InferenceEngine::describe() const {
    const Impl& s = *impl_;
    std::ostringstream out;
    if (s.onCuda())
        out << "CUDA (" << s.device.str() << ")";
    else
        out << "CPU · " << (s.options.threads > 0 ? s.options.threads : intraOpThreads()) << " threads";
    out << " · " << s.precision;
    if (!s.onCuda()) out << (s.options.fast_path ? " · fast path" : " · module (fast path off)");
    return out.str();
}

}  // namespace p2p
