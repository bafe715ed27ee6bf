#pragma once

// torch.save zip checkpoints (`<archive>/data.pkl` + `<archive>/data/<key>`) read into tensors without
// libtorch's pickle loader, through the restricted unpickler (core/io/pickle_reader.h). Internal to core and
// its tools: includes torch.

#include <string>

#include "core/io/state_dict.h"

namespace p2p {

struct TorchReadOptions {
    bool verify_checksums = true;  // CRC-32 of every entry read (the fuzzer turns it off to get deeper)
    bool shapes_only = false;      // meta tensors: keys, shapes and dtypes, without reading the weights
};

// True for a torch.save zip (a data.pkl under one folder, no TorchScript code or constants.pkl). False for
// our .p2pm files (TorchScript archives written by torch::serialize::OutputArchive), for other zips and for
// anything that is not a zip. Never throws.
bool isTorchZipCheckpoint(const std::string& path);

// The state dict in the file's order, on CPU, in the stored dtypes. Throws p2p::Error naming `path`.
StateDict readTorchStateDict(const std::string& path, const TorchReadOptions& options = {});

// The same from the bytes of a file (fuzzing, tests); `what` names the source in messages.
StateDict readTorchStateDictFromBuffer(const std::string& bytes, const std::string& what,
                                       const TorchReadOptions& options = {});

}  // namespace p2p
