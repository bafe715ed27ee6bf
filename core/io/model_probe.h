#pragma once

// Torch-free questions about a model file that a user interface asks before (or after) loading it.

#include <string>

namespace p2p {

// True when `path` is a reference .pth (PyTorch zip) checkpoint of a generator whose netG/ngf/norm cannot
// be inferred from its keys and shapes, so loading it needs ModelLoadOptions::generator_override.
// False for our .p2pm files, for checkpoints whose architecture is recognised and for discriminators. Throws
// p2p::Error when the file cannot be read.
bool generatorArchitectureUnknown(const std::string& path);

}  // namespace p2p
