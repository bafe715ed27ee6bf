#pragma once

// State dicts written the way Python's torch.save writes them: a zip holding a protocol-2 data.pkl of a
// collections.OrderedDict of torch._utils._rebuild_tensor_v2 calls, and one entry per storage. Python's
// torch.load returns a mapping of tensors from it, and load_state_dict accepts it.
// torch::pickle_save is no substitute: it writes TorchScript's typed pickles, which Python's torch.load
// does not return as a state dict. Internal to core and its tools: includes torch.

#include <string>

#include "core/io/state_dict.h"

namespace p2p {

// The bytes of `torch.save(state_dict, path)` (each tensor its own contiguous storage, entries stored
// uncompressed and 64-byte aligned, as PyTorch writes them). `archive` is the zip's top-level folder.
std::string torchSaveBytes(const StateDict& dict, const std::string& archive = "archive");

// The module's parameters and buffers in the order PyTorch's state_dict() lists them: module by module in
// registration order, each module's own parameters then its own buffers.
StateDict stateDictInModuleOrder(const torch::nn::Module& module);

}  // namespace p2p
