#pragma once

// Adam with its update run in cache-sized slices. torch::optim::Adam (LibTorch 1.13) updates each parameter
// with seven whole-tensor ops, each a pass over memory: 21 passes of 218 MB for the default U-Net, 110 ms of
// a 600 ms step on the 2-core Xeon (pix2pix-bench --profile). BlockedAdam runs the same ATen ops on slices
// of 256K elements, so that every pass after a slice's first runs from cache. The ops are elementwise, and
// ATen's vector and scalar loops round alike (checked for its default, AVX2 and AVX-512 kernels), so the
// result is torch::optim::Adam's to the bit; the state is the same AdamParamState, so checkpoints are too.
// Each gradient gets + 0 first (-0 becomes +0, nothing else changes), as accumulating it into zeroed
// buffers did: see releaseGradients.
// Internal to core: includes torch.

#include <sstream>
#include <string>
#include <type_traits>

#include <torch/torch.h>

namespace p2p {

class BlockedAdam : public torch::optim::Adam {
public:
    static constexpr int64_t kSliceElements = 1 << 18;  // 1 MB of fp32 per tensor: four of them fit in L2

    using torch::optim::Adam::Adam;
    torch::Tensor step(LossClosure closure = nullptr) override;
};

// Releases the gradients before a backward pass, so that autograd hands its gradients over. Zeroing them
// (Optimizer::zero_grad) kept the buffers, and autograd then added each new gradient into zeros: a fill and
// an add over every gradient, 30-50 ms of a step on the 2-core Xeon, whose memory runs at 11-16 GB/s. Adding
// into zeros changed nothing but the sign of a -0 gradient (0 + -0 is +0); BlockedAdam adds 0 to each
// gradient first, so a step on released gradients equals torch::optim::Adam's on zeroed ones to the bit, as
// long as every parameter gets a gradient (one that gets none is skipped, not stepped on zeros): in the
// trainer each backward pass reaches all parameters of the network it optimizes.
void releaseGradients(torch::optim::Optimizer& optimizer);

// The key of a parameter in an optimizer's state map: LibTorch 1.13 uses the printed TensorImpl address,
// 2.x the address itself.
template <typename Map>
typename Map::key_type optimizerStateKey(const torch::Tensor& parameter) {
    using Key = typename Map::key_type;
    if constexpr (std::is_same_v<Key, std::string>) {
        std::ostringstream s;
        s << parameter.unsafeGetTensorImpl();
        return s.str();
    } else {
        return static_cast<Key>(parameter.unsafeGetTensorImpl());
    }
}

}  // namespace p2p
