#pragma once

// The pix2pix networks, module for module as junyanz/pytorch-CycleGAN-and-pix2pix models/networks.py builds
// them, so that named_parameters()/named_buffers() are the reference's state-dict keys
// ("model.model.1.model.3.model.1.weight", ...). Internal to core and its tools: includes torch.

#include <vector>

#include <torch/torch.h>

#include "core/nn/network_options.h"
#include "core/nn/receptive_field.h"

namespace p2p {

// BatchNorm2d (affine, running stats), InstanceNorm2d (no affine, no running stats) or Identity.
torch::nn::AnyModule makeNorm(Norm norm, int64_t channels);
// The reference gives convs a bias only when the norm is instance norm (not for none, not for batch).
inline bool convBias(Norm norm) { return norm == Norm::Instance; }

// Upsample::Resize's up layer: Sequential{Upsample(nearest, x2), Conv2d(in, out, k3, s1, p1)}. A subclass
// only for its non-template forward, which lets a block's Sequential hold it (AnyModule cannot hold a plain
// Sequential).
class ResizeConvImpl : public torch::nn::SequentialImpl {
public:
    ResizeConvImpl(int64_t in_channels, int64_t out_channels, bool bias);
    torch::Tensor forward(const torch::Tensor& x) { return SequentialImpl::forward(x); }
    torch::nn::Conv2dImpl& conv() const;  // element 1
};
TORCH_MODULE(ResizeConv);

class UnetSkipConnectionBlockImpl : public torch::nn::Module {
public:
    enum class Kind { Outermost, Middle, Innermost };
    // `submodule` is empty for the innermost block. The up layer sits at the same index of `model` for either
    // Upsample: a ConvTranspose2d, or a Sequential{Upsample(nearest, x2), Conv2d(k3, s1, p1)} (its keys
    // "<index>.1.weight", "<index>.1.bias").
    UnetSkipConnectionBlockImpl(int64_t outer_nc, int64_t inner_nc, int64_t input_nc, Kind kind, Norm norm,
                                bool dropout, torch::nn::AnyModule submodule,
                                Upsample upsample = Upsample::Transposed);
    torch::Tensor forward(const torch::Tensor& x);

    Kind kind;
    bool dropout;
    torch::nn::Sequential model;
};
TORCH_MODULE(UnetSkipConnectionBlock);

class UnetGeneratorImpl : public torch::nn::Module {
public:
    explicit UnetGeneratorImpl(const GeneratorOptions& options);
    torch::Tensor forward(const torch::Tensor& x);

    const GeneratorOptions& options() const { return options_; }
    // The blocks from outermost to innermost, for code that walks the U-Net (the fast inference path).
    std::vector<UnetSkipConnectionBlock> blocks() const;

    UnetSkipConnectionBlock model{nullptr};

private:
    GeneratorOptions options_;
};
TORCH_MODULE(UnetGenerator);

// NLayerDiscriminator ("basic" = n_layers 3, or "n_layers") or PixelDiscriminator ("pixel"). Raw logits.
class PatchDiscriminatorImpl : public torch::nn::Module {
public:
    explicit PatchDiscriminatorImpl(const DiscriminatorOptions& options);
    torch::Tensor forward(const torch::Tensor& x);

    const DiscriminatorOptions& options() const { return options_; }
    std::vector<ConvGeometry> convGeometry() const;

    // Registered as "model" for the PatchGANs and "net" for the pixel D, as in the reference.
    torch::nn::Sequential layers{nullptr};

private:
    DiscriminatorOptions options_;
    std::vector<ConvGeometry> geometry_;  // discriminatorGeometry(options): the convs are built from it
};
TORCH_MODULE(PatchDiscriminator);

// The reference's init_weights('normal', gain): conv weights N(0, gain), conv biases 0,
// BatchNorm weights N(1, gain), BatchNorm biases 0.
void initWeights(torch::nn::Module& module, double gain = 0.02);

int64_t parameterCount(const torch::nn::Module& module);

}  // namespace p2p
