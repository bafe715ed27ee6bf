#pragma once

// Translates images with a loaded generator. Torch-free interface (pimpl) so ui/ can hold one.
// Not thread-safe: one engine per worker thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <opencv2/core.hpp>

#include "core/common/device.h"
#include "core/io/model_file.h"

namespace p2p {

// How normalisation layers behave at inference.
enum class NormStats {
    Running,  // eval(): BatchNorm uses the running statistics stored in the model
    Image,  // the image's own statistics (BatchNorm in train mode at batch 1), as the paper does at test time
};

enum class TranslateMode {
    Preview,  // deterministic: no dropout; normalisation per EngineOptions::preview_norm
    Paper,    // the paper's test time: dropout on, batch statistics, seeded for reproducible variations
};

struct EngineOptions {
    Device device;                   // auto | cpu | cuda | cuda:N (resolved when the engine is made)
    std::string precision = "auto";  // auto | fp32 | bf16 | fp16; auto = fp16 on CUDA, bf16 on CPUs with
                                     // avx512_bf16 or AMX (cpuBf16Support) when within tolerance
                                     // of fp32, else fp32
    bool fast_path = true;           // CPU: transposed convs rewritten onto the fast convolution path
    int threads = 0;                 // intra-op threads for the calling thread; 0 = one per core
    NormStats preview_norm = NormStats::Image;  // the better of the two for our embedded models
    int tile_size = 1024;   // inputs larger than this (either side) run in overlapping tiles
    int tile_overlap = 64;  // pixels shared by neighbouring tiles, blended with linear ramps
    // bf16 on CPU is used for precision "auto" only when, on a synthetic check image at load, its output
    // differs from fp32 by at most these (outputs are in [-1, 1]; one 8-bit level is 2/255 = 0.0078).
    double bf16_max_abs_error = 0.1;
    double bf16_mean_abs_error = 0.01;
    // The same check for fp16 on CUDA (precision auto or fp16): over these, auto runs fp32 and says why
    // (core/infer/precision_check.h); fp16 asked for by name stays, and the report says it is over.
    double fp16_max_abs_error = 0.1;
    double fp16_mean_abs_error = 0.01;
    // A failure of the device mid-translation (a CUDA error, out of GPU memory: a c10::Error from LibTorch)
    // moves the engine to the CPU at fp32 for good (later loads too), which redoes the work; fallbackReason()
    // says why. Off: the failure is thrown as a p2p::Error. p2p::Errors (bad input, no model) are never the
    // device's.
    bool cpu_fallback = true;
    // Tests only: called before every run of the network with the device it runs on; a c10::Error it
    // throws is handled as a failure of that device (this is how a CUDA error is mimicked without a GPU).
    std::function<void(const Device&)> fault_for_testing;
    bool warm_up = true;    // one forward at load, so the first translate is not the slow one
    void validate() const;  // throws p2p::Error naming the option
};

struct TranslateOptions {
    TranslateMode mode = TranslateMode::Preview;
    uint64_t seed = 0;  // Paper mode: dropout masks come from this seed
};

// The preview normalisation a model file asks for (metadata "preview_norm": "image" | "running", written when
// the model was shipped after measuring both on its test set); Image when it says nothing.
NormStats preferredPreviewNorm(const ModelInfo& info);
std::string toString(NormStats stats);                   // "image" | "running"
NormStats normStatsFromString(const std::string& name);  // image | running; throws p2p::Error

// Whether an engine running on `device` (resolved) at `precision` has something safer to move to when the
// device fails: the CPU at fp32. False only on the CPU at fp32, where there is nothing to fall back to.
bool canFallBackToCpu(const Device& device, const std::string& precision);

class InferenceEngine {
public:
    explicit InferenceEngine(EngineOptions options = {});
    ~InferenceEngine();
    InferenceEngine(const InferenceEngine&) = delete;
    InferenceEngine& operator=(const InferenceEngine&) = delete;

    // Loads (and warms up) a model: a .p2pm, a reference .pth, a training checkpoint or a run folder (its
    // newest model; ModelInfo::path says which file). Throws p2p::Error; the previous model stays loaded on
    // failure.
    ModelInfo load(const std::string& path, const ModelLoadOptions& options = {});
    bool hasModel() const;
    const ModelInfo& model() const;  // throws p2p::Error when none is loaded

    // BGR CV_8UC3 (or CV_8UC1, CV_8UC4: converted) of any size in, BGR CV_8UC3 of the same size out.
    cv::Mat translate(const cv::Mat& image, const TranslateOptions& options = {});

    // D's per-patch probability (sigmoid of its logits), CV_32FC1, for input + output of the same size.
    // Throws p2p::Error when the model has no discriminator.
    bool hasDiscriminator() const;
    cv::Mat discriminatorMap(const cv::Mat& input, const cv::Mat& output);

    const EngineOptions& options() const;
    // The normalisation for later Preview translations and D maps; nothing prepared at load depends on it.
    void setPreviewNorm(NormStats stats);
    Device device() const;          // resolved: cpu or cuda[:N]
    std::string precision() const;  // the resolved precision in use
    std::string describe() const;   // "CPU · 2 threads · bf16 · fast path"
    // How the precision was chosen, e.g. "bf16: max |bf16 - fp32| 0.012, mean 0.0011 (limits 0.1, 0.01)".
    std::string precisionReport() const;
    // Empty unless a device failure moved this engine to the CPU (EngineOptions::cpu_fallback); then what
    // failed, e.g. "cuda (fp16) failed: CUDA error: an illegal memory access was encountered".
    std::string fallbackReason() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace p2p
