#pragma once
// The one place where LibTorch's versions differ for this project: Debian's 1.13 (CPU) and pip's 2.x (CUDA).
// Code elsewhere calls these names and never tests TORCH_VERSION_MAJOR itself. Internal to core: includes torch.
#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace p2p::compat {

// Autocast: 1.13 has one switch and dtype per device kind (set_enabled for CUDA, set_cpu_enabled for the CPU);
// 2.x takes the device type (the old names are deprecated there).
#if TORCH_VERSION_MAJOR >= 2
inline bool autocastEnabled(at::DeviceType type) { return at::autocast::is_autocast_enabled(type); }
inline void setAutocastEnabled(at::DeviceType type, bool on) { at::autocast::set_autocast_enabled(type, on); }
inline at::ScalarType autocastDtype(at::DeviceType type) { return at::autocast::get_autocast_dtype(type); }
inline void setAutocastDtype(at::DeviceType type, at::ScalarType dtype) { at::autocast::set_autocast_dtype(type, dtype); }
#else
inline bool autocastEnabled(at::DeviceType type) {
    return type == at::kCUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
}
inline void setAutocastEnabled(at::DeviceType type, bool on) {
    type == at::kCUDA ? at::autocast::set_enabled(on) : at::autocast::set_cpu_enabled(on);
}
inline at::ScalarType autocastDtype(at::DeviceType type) {
    return type == at::kCUDA ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
}
inline void setAutocastDtype(at::DeviceType type, at::ScalarType dtype) {
    type == at::kCUDA ? at::autocast::set_autocast_gpu_dtype(dtype) : at::autocast::set_autocast_cpu_dtype(dtype);
}
#endif

}  // namespace p2p::compat

// c10d (data-parallel training, core/dist): 1.13's ProcessGroupGloo and ProcessGroupNCCL are ProcessGroups;
// 2.x makes them Backends that a ProcessGroup wraps (the wrapper is assembled by Python). core/dist calls the
// collectives on the Gloo or NCCL object itself, which both versions offer with the same signatures: only the
// base class it is held by differs. Only core/dist includes this part (it needs c10d's headers).
#ifdef P2P_COMPAT_C10D
#if TORCH_VERSION_MAJOR >= 2
#include <torch/csrc/distributed/c10d/Backend.hpp>
#else
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#endif
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

namespace p2p::compat {
#if TORCH_VERSION_MAJOR >= 2
using CollectiveGroup = c10d::Backend;
#else
using CollectiveGroup = c10d::ProcessGroup;
#endif
}  // namespace p2p::compat
#endif  // P2P_COMPAT_C10D
