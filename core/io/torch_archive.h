#pragma once

// LibTorch's archive reader (PyTorchStreamReader, 1.13 at least) leaks its zip state when its constructor
// throws, which it does for a zip without a folder prefix or a supported version record (found by
// LeakSanitizer with a zip without data.pkl). Models and checkpoints are checked with our own zip reader
// first, so LibTorch only opens archives whose opening cannot throw.

#include <string>

namespace p2p {

// Throws std::runtime_error with the reason ("a zip archive without a version record", ...) when
// torch::serialize::InputArchive::load_from would fail while opening `path`; the callers wrap it in their
// own message naming the file.
void checkTorchArchiveOpens(const std::string& path);

}  // namespace p2p
