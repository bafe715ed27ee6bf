#include "core/nn/mixed_precision.h"

#include <ATen/autocast_mode.h>

#include "core/common/torch_compat.h"

namespace p2p {

AutocastScope::AutocastScope(torch::Dtype dtype, const torch::Device& device) : type_(device.type()) {
    enabling_ = dtype != torch::kFloat32;
    wasEnabled_ = compat::autocastEnabled(type_);
    previousDtype_ = compat::autocastDtype(type_);
    if (enabling_) compat::setAutocastDtype(type_, dtype);
    compat::setAutocastEnabled(type_, enabling_);
    if (enabling_) at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
    if (enabling_ && at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    compat::setAutocastEnabled(type_, wasEnabled_);
    compat::setAutocastDtype(type_, previousDtype_);
}

c10::optional<at::ScalarType> autocastDtypeFor(const torch::Device& device) {
    if ((device.is_cpu() || device.is_cuda()) && compat::autocastEnabled(device.type()))
        return compat::autocastDtype(device.type());
    return c10::nullopt;
}

}  // namespace p2p
