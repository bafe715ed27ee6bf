#pragma once

// A restricted unpickler for PyTorch state dicts (the data.pkl of a torch.save zip). It understands the
// opcodes that pickle protocol 2..5 uses for an OrderedDict of tensors and resolves only an allowlist of
// globals (collections.OrderedDict, torch._utils._rebuild_tensor[_v2], torch._utils._rebuild_parameter,
// torch.{Float,Half,BFloat16,Double,Long,Int}Storage). It never executes or constructs anything else:
// any other global, opcode or shape throws p2p::Error with the byte offset. Torch-free: the result names
// storages and views; the caller reads the bytes.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace p2p {

enum class StorageDtype { Float32, Float16, BFloat16, Float64, Int64, Int32 };

size_t elementSize(StorageDtype dtype);
std::string toString(StorageDtype dtype);  // "float32", ...

// One tensor of the state dict: a strided view of a storage stored as <archive>/data/<storage_key>.
struct PickledTensor {
    std::string storage_key;
    StorageDtype dtype = StorageDtype::Float32;
    int64_t storage_numel = 0;  // elements, as the persistent id declares
    int64_t storage_offset = 0;
    std::vector<int64_t> sizes;
    std::vector<int64_t> strides;

    int64_t numel() const;
};

using PickledStateDict = std::vector<std::pair<std::string, PickledTensor>>;

// Parses `pickle` (the bytes of data.pkl). The top-level object must be a dict of string -> tensor.
// Views are checked against their storage: offset, sizes and strides must stay inside it, and a view never
// has more elements than its storage. `what` names the source in messages.
PickledStateDict unpickleStateDict(std::string_view pickle, const std::string& what);

}  // namespace p2p
