#pragma once

// Autocast for the forward passes of training: while an AutocastScope lives, LibTorch runs convolutions in
// the lower precision (LibTorch 1.13 on CPU: conv2d in bf16 through oneDNN; conv_transpose2d stays fp32, so
// the trainer's fast path casts its transposed convolutions itself, see convTranspose2dOnConvPath) and
// losses in fp32. Internal to core: includes torch.

#include <torch/torch.h>

namespace p2p {

class AutocastScope {
public:
    // `dtype` kFloat32 turns autocast off inside (where it is off already, as in fp32 runs, nothing changes).
    AutocastScope(torch::Dtype dtype, const torch::Device& device);
    // Restores the previous state. Leaving the outermost scope drops autocast's cached low-precision copies
    // of the weights: the optimizer changes the weights in place, so a copy kept past a step would be stale.
    ~AutocastScope();
    AutocastScope(const AutocastScope&) = delete;
    AutocastScope& operator=(const AutocastScope&) = delete;

private:
    at::DeviceType type_;
    bool enabling_ = false;
    bool wasEnabled_ = false;
    at::ScalarType previousDtype_ = at::kFloat;
};

// The dtype the fast path's own convolutions compute in for an input on `device`: autocast's lower precision
// while it is on for that device, else the input's dtype.
c10::optional<at::ScalarType> autocastDtypeFor(const torch::Device& device);

// Whether a convolution of G gains from bf16 under autocast; where not, the trainer's fast path runs it in
// fp32. A convolution uses each weight element once per output position (per input position when transposed):
// with fewer than kMinWeightUsesForLowPrecision uses per call its cost is the weight (cast to bf16, reordered
// into oneDNN's bf16 layout at every call, its gradient cast back), not the arithmetic that AMX speeds up;
// with fewer than kMinChannelsForLowPrecision channels on a side (G's image-side layers, 3 channels) AMX's
// tiles run mostly empty. pix2pix-bench --profile on the 2-core Xeon (AMX), forward + backward per layer: at
// 64 uses (the U-Net's 8x8 and smaller layers, which hold 46M of its 54M weights) bf16 took 1.6x fp32's time,
// at 256 uses it saved 30%; G's 3-channel layers took 1.4x and 1.8x fp32's.
constexpr int64_t kMinWeightUsesForLowPrecision = 256;
constexpr int64_t kMinChannelsForLowPrecision = 16;
inline bool lowPrecisionPays(int64_t weightUses, int64_t inChannels, int64_t outChannels) {
    return weightUses >= kMinWeightUsesForLowPrecision && inChannels >= kMinChannelsForLowPrecision &&
           outChannels >= kMinChannelsForLowPrecision;
}

}  // namespace p2p
