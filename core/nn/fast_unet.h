#pragma once

// An inference-only computation of a UnetGenerator's forward on the fast convolution path.
// Internal to core and its tools (includes torch).
//
// On CPU LibTorch 1.13 runs Conv2d through oneDNN but ConvTranspose2d through BLAS (slow). Every
// ConvTranspose2d(k4, s2, p1) of the U-Net is rewritten here as ONE Conv2d with a 2x2 kernel, padding 1 and
// 4*Cout outputs (the four sub-pixel phases, each an exact 2x2 slice of the 4x4 kernel), followed by an
// interleave into the output. That is the same arithmetic as the transposed convolution (the same products,
// summed in a different order), on contiguous inputs, so it takes oneDNN's fast path.
// With running statistics, BatchNorm is folded into the preceding convolution's weights. Upsample::Resize's
// up layers (nearest x2, then a 3x3 Conv2d) are transposed convolutions too (resizeConvAsTransposedKernel),
// and run as them here and in the trainer: 16 products per input position and channel pair instead of 36.

#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/nn/networks.h"

namespace p2p {

// The 2x2 sub-pixel kernel of a ConvTranspose2d(k4, s2, p1) weight [Cin, Cout, 4, 4]: [4*Cout, Cin, 2, 2],
// ordered (row phase, column phase, output channel). Differentiable.
torch::Tensor subpixelKernel(const torch::Tensor& transposedWeight);

// y = conv_transpose2d(x, weight, bias, stride 2, padding 1) for a 4x4 kernel, computed as a 2x2 Conv2d and
// an interleave. Exactly equivalent (up to float summation order) and autograd-compatible (weight, bias and x
// get gradients), so a trainer can use it in place of ConvTranspose2d. `bias` may be undefined.
torch::Tensor fastConvTranspose2d(const torch::Tensor& x, const torch::Tensor& weight,
                                  const torch::Tensor& bias);

// Nearest-neighbour x2 then conv2d(weight [Cout, Cin, 3, 3], stride 1, padding 1) is exactly
// conv_transpose2d(stride 2, padding 1) with this [Cin, Cout, 4, 4] kernel, whose taps on each axis are
// (k2, k1 + k2, k0 + k1, k0): the same products up to the order of summation (the taps are summed first).
// Differentiable, so a trainer gets the 3x3 weight's gradient through it.
torch::Tensor resizeConvAsTransposedKernel(const torch::Tensor& weight);

// A torch::nn module wrapping fastConvTranspose2d with ConvTranspose2d's parameter names and shapes
// ("weight" [Cin, Cout, 4, 4], "bias"), so state dicts load into it unchanged.
class FastConvTranspose2dImpl : public torch::nn::Module {
public:
    FastConvTranspose2dImpl(int64_t in_channels, int64_t out_channels, bool bias);
    torch::Tensor forward(const torch::Tensor& x);
    torch::Tensor weight, bias;
};
TORCH_MODULE(FastConvTranspose2d);

// generator->forward(x) with every ConvTranspose2d computed by fastConvTranspose2d: the same parameters, the
// same train/eval behaviour (BatchNorm statistics, dropout) and full autograd.
torch::Tensor unetForwardFast(const UnetGenerator& generator, const torch::Tensor& x);

// y = conv_transpose2d(x, weight, bias, stride 2, padding 1) for a 4x4 kernel, for training on CPU. A
// transposed convolution is the input gradient of the Conv2d with the same weight, so the forward runs as
// that Conv2d's backward-data, and the backward as a Conv2d forward (x's gradient) plus that Conv2d's
// backward-weights: all on oneDNN, where LibTorch 1.13 runs ConvTranspose2d and its backward through BLAS
// col2im. The same products in another summation order. `bias` may be undefined. Under autocast
// (AutocastScope) x and weight are cast to its lower precision, as conv2d's are.
torch::Tensor convTranspose2dOnConvPath(const torch::Tensor& x, const torch::Tensor& weight,
                                        const torch::Tensor& bias);

// generator->forward(x) with every ConvTranspose2d computed by convTranspose2dOnConvPath: what the trainer
// runs on CPU (its backward is fast too, unlike the sub-pixel formulation's slicing and interleaving).
// Under autocast, the convolutions that use each weight element fewer than kMinWeightUsesForLowPrecision
// times (the U-Net's innermost layers) stay fp32 (core/nn/mixed_precision.h); so does unetForwardFast.
torch::Tensor unetForwardOnConvPath(const UnetGenerator& generator, const torch::Tensor& x);

// Writes phases [N, 4*C, H+1, W+1] (the 2x2 conv output) into out [N, C, 2H, 2W]; `out` may be a strided view
// (a channel slice of a concatenation buffer). No autograd.
void interleavePhases(const torch::Tensor& phases, const torch::Tensor& out);

// Per norm layer statistics, recorded from one pass and replayed on others (tiles of one image).
struct NormStatistics {
    torch::Tensor mean;  // float32, [1, C, 1, 1] (batch norm) or [N, C, 1, 1] (instance norm)
    torch::Tensor var;   // biased
};

struct UnetRunOptions {
    bool batch_stats =
        false;  // BatchNorm normalises with the input's own statistics (never updates running ones)
    std::optional<at::Generator> dropout;  // dropout on (p = 0.5), masks drawn on CPU from this generator
    std::vector<NormStatistics>* record = nullptr;       // filled with every norm layer's statistics
    const std::vector<NormStatistics>* fixed = nullptr;  // used instead of computing statistics
};

struct FastUnetOptions {
    bool subpixel = true;        // transposed convolutions as sub-pixel Conv2d; false: at::conv_transpose2d
    bool fold_batchnorm = true;  // running statistics folded into conv weights
    bool channels_last = true;
    // CPU: weight-heavy convolutions (weights >= input activations: the inner layers) run on oneDNN with
    // weights reordered once into its blocked layout, instead of at every call. Measured with pix2pix-bench
    // --micro.
    bool prepack = true;
    torch::Dtype dtype = torch::kFloat32;  // float32 | bfloat16 (CPU) | float16 (CUDA)
    torch::Device device = torch::kCPU;
};

class FastUnet {
public:
    // Shares the module's conv weights and copies its norm parameters; prepared (folded, rearranged) weights
    // are cached, so build a new FastUnet after the module's weights change.
    explicit FastUnet(const UnetGenerator& generator, FastUnetOptions options = {});

    // x: [N, input_nc, H, W] with H, W multiples of the generator's sizeMultiple(), any float dtype/device.
    // Returns [N, output_nc, H, W] in options().dtype on options().device (channels-last when chosen).
    torch::Tensor forward(const torch::Tensor& x, const UnetRunOptions& run = {});

    const FastUnetOptions& options() const { return options_; }
    const GeneratorOptions& generatorOptions() const { return generator_; }
    int normLayers() const;

    // Per-layer wall time of the last forward (milliseconds) when profiling is on.
    void setProfiling(bool on) { profiling_ = on; }
    const std::vector<std::pair<std::string, double>>& profile() const { return profile_; }

private:
    struct Norm {
        p2p::Norm kind = p2p::Norm::None;
        int index = -1;             // position in the record/fixed statistics
        torch::Tensor gamma, beta;  // batch norm only
        torch::Tensor running_mean, running_var;
    };
    struct Block {
        UnetSkipConnectionBlockImpl::Kind kind;
        torch::Tensor down_w, down_b;  // [Cout, Cin, 4, 4] as in the module
        torch::Tensor up_w, up_b;      // [Cin, Cout, 4, 4] as in the module (resize: the equivalent)
        Norm down_norm, up_norm;
        bool dropout = false;
        int64_t up_channels = 0;
    };
    struct Weights {  // prepared for one mode (folded or not)
        std::vector<torch::Tensor> down_w, down_b, up_w, up_b;
        std::vector<torch::Tensor> down_packed, up_packed;  // oneDNN layout, made on first use
    };

    Weights& weights(bool folded);
    torch::Tensor runBlock(size_t i, const torch::Tensor& x, Weights& w, bool folded, const UnetRunOptions& run);
    torch::Tensor conv(const torch::Tensor& x, const torch::Tensor& weight, torch::Tensor& packed,
                       const torch::Tensor& bias, int64_t stride, int64_t padding);
    torch::Tensor down(size_t i, const torch::Tensor& x, Weights& w);
    void up(size_t i, const torch::Tensor& x, Weights& w, const torch::Tensor& out);
    void normalize(const torch::Tensor& t, const Norm& norm, bool folded, const UnetRunOptions& run);
    void mark(const std::string& name);

    GeneratorOptions generator_;
    FastUnetOptions options_;
    std::vector<Block> blocks_;
    std::optional<Weights> folded_, raw_;
    int norm_layers_ = 0;
    bool can_prepack_ = false;
    bool profiling_ = false;
    std::vector<std::pair<std::string, double>> profile_;
    double mark_time_ = 0;
};

}  // namespace p2p
