#pragma once

// Autocast for the forward passes of training: while an AutocastScope lives, LibTorch runs convolutions in
// the lower precision (LibTorch 1.13 on CPU: conv2d in bf16 through oneDNN; conv_transpose2d stays fp32, so
// the trainer's fast path casts its transposed convolutions itself, see convTranspose2dOnConvPath) and
// losses in fp32. Internal to core: includes torch.

#include <torch/torch.h>

namespace p2p {

class AutocastScope {
public:
    // `dtype` kFloat32 leaves autocast as it is (the scope does nothing), so fp32 runs stay bit-identical.
    AutocastScope(torch::Dtype dtype, const torch::Device& device);
    // Restores the previous state. Leaving the outermost scope drops autocast's cached low-precision copies of
    // the weights: the optimizer changes the weights in place, so a copy kept past a step would be stale.
    ~AutocastScope();
    AutocastScope(const AutocastScope&) = delete;
    AutocastScope& operator=(const AutocastScope&) = delete;

private:
    bool active_ = false;
    bool cuda_ = false;
    bool wasEnabled_ = false;
    at::ScalarType previousDtype_ = at::kFloat;
};

// The dtype the fast path's own convolutions compute in for an input on `device`: autocast's lower precision
// while it is on for that device, else the input's dtype.
c10::optional<at::ScalarType> autocastDtypeFor(const torch::Device& device);

}  // namespace p2p
