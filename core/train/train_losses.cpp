#include "core/train/train_losses.h"

#include "core/common/error.h"

namespace p2p {

GanMode ganModeFromString(const std::string& name) {
    if (name == "vanilla") return GanMode::Vanilla;
    if (name == "lsgan") return GanMode::LSGAN;
    throw Error("unknown gan_mode '" + name + "' (expected vanilla or lsgan)");
}

torch::Tensor GanLoss::operator()(const torch::Tensor& logits, bool targetIsReal) const {
    // At least fp32 (bf16 logits are widened; fp64 runs keep double).
    const torch::Tensor prediction = logits.to(at::promote_types(logits.scalar_type(), torch::kFloat32));
    const torch::Tensor target =
        torch::full({}, targetIsReal ? 1.0 : 0.0, prediction.options()).expand_as(prediction);
    if (mode_ == GanMode::Vanilla) return torch::binary_cross_entropy_with_logits(prediction, target);
    return torch::mse_loss(prediction, target);
}

torch::Tensor GanLoss::probability(const torch::Tensor& prediction) const {
    const torch::Tensor p = prediction.to(torch::kFloat32);
    if (mode_ == GanMode::Vanilla) return torch::sigmoid(p);
    return p.clamp(0.0, 1.0);
}

}  // namespace p2p
