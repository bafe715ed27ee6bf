#include "core/nn/mixed_precision.h"

#include <ATen/autocast_mode.h>

namespace p2p {

AutocastScope::AutocastScope(torch::Dtype dtype, const torch::Device& device) {
    enabling_ = dtype != torch::kFloat32;
    cuda_ = device.is_cuda();
    if (cuda_) {
        wasEnabled_ = at::autocast::is_enabled();
        previousDtype_ = at::autocast::get_autocast_gpu_dtype();
        if (enabling_) at::autocast::set_autocast_gpu_dtype(dtype);
        at::autocast::set_enabled(enabling_);
    } else {
        wasEnabled_ = at::autocast::is_cpu_enabled();
        previousDtype_ = at::autocast::get_autocast_cpu_dtype();
        if (enabling_) at::autocast::set_autocast_cpu_dtype(dtype);
        at::autocast::set_cpu_enabled(enabling_);
    }
    if (enabling_) at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
    if (enabling_ && at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    if (cuda_) {
        at::autocast::set_enabled(wasEnabled_);
        at::autocast::set_autocast_gpu_dtype(previousDtype_);
    } else {
        at::autocast::set_cpu_enabled(wasEnabled_);
        at::autocast::set_autocast_cpu_dtype(previousDtype_);
    }
}

c10::optional<at::ScalarType> autocastDtypeFor(const torch::Device& device) {
    if (device.is_cpu() && at::autocast::is_cpu_enabled()) return at::autocast::get_autocast_cpu_dtype();
    if (device.is_cuda() && at::autocast::is_enabled()) return at::autocast::get_autocast_gpu_dtype();
    return c10::nullopt;
}

}  // namespace p2p
