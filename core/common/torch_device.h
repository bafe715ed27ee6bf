#pragma once

// The one conversion from p2p::Device to LibTorch's device (for core's .cpp files and tensor-level tools).

#include <torch/types.h>

#include "core/common/device.h"

namespace p2p {

// `device` must be resolved (cpu or cuda[:N]); auto is a programming error here, not a user's.
inline torch::Device torchDevice(const Device& device) {
    if (device.isCuda()) return device.index() < 0 ? torch::Device(torch::kCUDA) : torch::Device(torch::kCUDA, device.index());
    return torch::Device(torch::kCPU);
}

}  // namespace p2p
