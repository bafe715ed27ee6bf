#pragma once

// Reference-style .pth files with chosen contents (wrong dtypes, NaN, other architectures) for tests: the
// same writer as `pix2pix export --pth` (core/export/torch_save.h).

#include "core/export/torch_save.h"
#include "tests/core/data/crafted_files.h"

namespace p2p::test {
using p2p::torchSaveBytes;
}  // namespace p2p::test
