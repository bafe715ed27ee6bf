#include "core/infer/precision_check.h"

#include <sstream>

#include <torch/torch.h>

#include "core/common/error.h"

namespace p2p {

bool PrecisionCheck::within() const {
    return finite && max_abs_error <= max_limit && mean_abs_error <= mean_limit;
}

std::string PrecisionCheck::describe() const {
    std::ostringstream r;
    if (!finite) r << "its output holds NaN or Inf; ";
    r << "max |" << precision << " - fp32| " << max_abs_error << ", mean " << mean_abs_error << " (limits "
      << max_limit << ", " << mean_limit << ")";
    return r.str();
}

PrecisionCheck compareWithFp32(const std::string& precision, const torch::Tensor& fp32,
                               const torch::Tensor& candidate, double maxLimit, double meanLimit) {
    if (fp32.sizes() != candidate.sizes())
        throw Error("precision check: the fp32 and " + precision + " outputs differ in shape");
    PrecisionCheck check;
    check.precision = precision;
    check.max_limit = maxLimit;
    check.mean_limit = meanLimit;
    const auto a = fp32.to(torch::kCPU, torch::kFloat32);
    const auto b = candidate.to(torch::kCPU, torch::kFloat32);
    check.finite = torch::isfinite(b).all().item<bool>();
    // Non-finite values would make max and mean NaN: measure the finite ones, the flag says the rest.
    const auto d = torch::where(torch::isfinite(b), (a - b).abs(), torch::zeros_like(a));
    check.max_abs_error = d.numel() ? d.max().item<double>() : 0.0;
    check.mean_abs_error = d.numel() ? d.mean().item<double>() : 0.0;
    return check;
}

PrecisionChoice choosePrecision(const PrecisionCheck& check, bool requested) {
    PrecisionChoice choice;
    const bool within = check.within();
    if (within || requested) {
        choice.use_candidate = true;
        choice.precision = check.precision;
        choice.report =
            check.precision + ": " + check.describe() + (within ? "" : ", over the limits but requested");
    } else {
        choice.precision = "fp32";
        choice.report = "fp32: " + check.precision + " was over the limits: " + check.describe();
    }
    return choice;
}

}  // namespace p2p
