#pragma once

// Named tensors in order, and a strict loader: all or nothing, with a message a user can act on.

#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

namespace p2p {

using StateDict = std::vector<std::pair<std::string, torch::Tensor>>;

// Parameters then buffers, with the module's own names.
StateDict stateDictOf(const torch::nn::Module& module);

// Checks every key, shape and value before touching the module. On any mismatch nothing is loaded and
// p2p::Error lists the missing and unexpected keys and the shape conflicts. Values are converted to the
// destination's dtype. Non-finite floating values are refused. `what` names the source in messages.
void loadStateDict(torch::nn::Module& module, const StateDict& dict, const std::string& what);

}  // namespace p2p
