#pragma once

// The reference's GANLoss (models/networks.py): vanilla is BCEWithLogits against a target of 1.0 or 0.0
// expanded to the prediction's shape, lsgan is MSE against the same target. Both in fp32, whatever precision
// D computed its logits in. Internal to core: includes torch.

#include <string>

#include <torch/torch.h>

namespace p2p {

enum class GanMode { Vanilla, LSGAN };

GanMode ganModeFromString(const std::string& name);  // vanilla | lsgan; throws p2p::Error

class GanLoss {
public:
    explicit GanLoss(GanMode mode = GanMode::Vanilla) : mode_(mode) {}
    torch::Tensor operator()(const torch::Tensor& prediction, bool targetIsReal) const;
    // What D's raw output means as "probability of real", for the patch maps: the sigmoid of the logits
    // (vanilla), or the regression output clamped to [0, 1] (lsgan, where D is trained towards 0 and 1).
    torch::Tensor probability(const torch::Tensor& prediction) const;
    GanMode mode() const { return mode_; }

private:
    GanMode mode_;
};

}  // namespace p2p
