#pragma once

// Whether a reduced precision (bf16 on CPUs, fp16 on CUDA) is close enough to fp32 for an inference engine to
// use it: the engine runs the model both ways on a check image at load and compares the outputs here. Pure
// functions of the two outputs, so the decision is tested without the hardware that produced them (a GPU).
// Internal to core: includes torch.

#include <string>

#include <torch/types.h>

namespace p2p {

struct PrecisionCheck {
    std::string precision;  // the candidate: "bf16" | "fp16"
    double max_abs_error = 0;
    double mean_abs_error = 0;
    double max_limit = 0;
    double mean_limit = 0;
    bool finite = true;  // false: the candidate's output holds NaN or Inf (fp16 overflows above 65504)
    bool within() const;
    // "max |fp16 - fp32| 0.012, mean 0.0011 (limits 0.1, 0.01)"; names non-finite output.
    std::string describe() const;
};

// Compares `candidate` with `fp32` (same shape, any float dtype, any device; outputs in [-1, 1]).
// Throws p2p::Error when the shapes differ.
PrecisionCheck compareWithFp32(const std::string& precision, const torch::Tensor& fp32,
                               const torch::Tensor& candidate, double maxLimit, double meanLimit);

struct PrecisionChoice {
    bool use_candidate = false;
    std::string precision;  // what the engine runs: the candidate's or "fp32"
    std::string report;     // why, for EngineOptions' precisionReport()
};

// The candidate when within the limits, or when it was asked for by name (`requested`: then the report says
// it is over the limits); else fp32, with the reason.
PrecisionChoice choosePrecision(const PrecisionCheck& check, bool requested);

}  // namespace p2p
