#pragma once

// One input of fuzz_pth_reader (tools/fuzz/fuzz_pth_reader.cpp), shared with the regression test that
// replays the seed corpus and every kept crasher (tests/core/reliability/test_fuzz_regressions.cpp):
// bytes -> zip -> restricted unpickler -> tensors. Any exception other than p2p::Error, any sanitizer report
// and any view that reaches outside its storage is a bug: P2P_FUZZ_FAIL reports it.

#include <cstdint>
#include <cstdio>
#include <string>

#include <torch/torch.h>

#include "core/common/error.h"
#include "core/io/pickle_reader.h"
#include "core/io/pickle_state_dict.h"

#ifndef P2P_FUZZ_FAIL
#define P2P_FUZZ_FAIL(what)                                 \
    do {                                                    \
        std::fprintf(stderr, "broken promise: %s\n", what); \
        __builtin_trap();                                   \
    } while (0)
#endif

namespace p2p::fuzz {

// An independent check of what the reader promises: every element of every view lies inside its storage.
inline void checkInsideStorage(const std::string& key, const torch::Tensor& t) {
    if (t.numel() == 0) return;
    int64_t last = t.storage_offset();
    for (int64_t d = 0; d < t.dim(); ++d) last += (t.size(d) - 1) * t.stride(d);
    const auto bytes = int64_t(t.storage().nbytes());
    if (t.storage_offset() < 0 || (last + 1) * int64_t(t.element_size()) > bytes) {
        const std::string what = "tensor '" + key + "' reaches outside its storage";
        P2P_FUZZ_FAIL(what.c_str());
    }
}

inline void pthReaderOneInput(const uint8_t* data, size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    TorchReadOptions options;
    options.verify_checksums = false;  // so that mutations inside data.pkl reach the unpickler
    try {
        for (const auto& [key, tensor] : readTorchStateDictFromBuffer(bytes, "fuzz", options))
            checkInsideStorage(key, tensor);
    } catch (const Error&) {
    }
    // The same bytes as a bare data.pkl: the unpickler without the zip layer in front of it.
    try {
        unpickleStateDict(bytes, "fuzz");
    } catch (const Error&) {
    }
}

}  // namespace p2p::fuzz
