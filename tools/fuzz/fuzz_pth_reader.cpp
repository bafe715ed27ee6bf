// libFuzzer target for the reference .pth reader: bytes -> zip -> restricted unpickler -> tensors.
// Any exception other than p2p::Error, any sanitizer report and any view that reaches outside its storage
// is a bug. Seeds: tools/fuzz/corpus/pth (small hand-built checkpoints written by test_reference_pth).

#include <cstdint>
#include <cstdio>
#include <string>

#include <torch/torch.h>

#include "core/common/error.h"
#include "core/io/pickle_reader.h"
#include "core/io/pickle_state_dict.h"

namespace {

// An independent check of what the reader promises: every element of every view lies inside its storage.
void checkInsideStorage(const std::string& key, const torch::Tensor& t) {
    if (t.numel() == 0) return;
    int64_t last = t.storage_offset();
    for (int64_t d = 0; d < t.dim(); ++d) last += (t.size(d) - 1) * t.stride(d);
    const auto bytes = int64_t(t.storage().nbytes());
    if (t.storage_offset() < 0 || (last + 1) * int64_t(t.element_size()) > bytes) {
        std::fprintf(stderr, "tensor '%s' reaches outside its storage\n", key.c_str());
        __builtin_trap();
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    torch::set_num_threads(1);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    p2p::TorchReadOptions options;
    options.verify_checksums = false;  // so that mutations inside data.pkl reach the unpickler
    try {
        for (const auto& [key, tensor] : p2p::readTorchStateDictFromBuffer(bytes, "fuzz", options))
            checkInsideStorage(key, tensor);
    } catch (const p2p::Error&) {
    }
    // The same bytes as a bare data.pkl: the unpickler without the zip layer in front of it.
    try {
        p2p::unpickleStateDict(bytes, "fuzz");
    } catch (const p2p::Error&) {
    }
    return 0;
}
