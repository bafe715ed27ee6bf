#pragma once

#include <nlohmann/json.hpp>

namespace p2p::bench {

// Single-threaded CPU milliseconds (median) of each formulation of the U-Net's transposed convolutions (and one strided Conv2d),
// fp32 and bf16, at batch 1.
nlohmann::json microBenchmarks(int warmup, int iterations);

}  // namespace p2p::bench
