#include "core/train/blocked_adam.h"

#include <cmath>

namespace p2p {

namespace {

struct Moments {
    torch::Tensor exp_avg, exp_avg_sq, max_exp_avg_sq;
};

// torch::optim::Adam::step's update of one parameter (torch/csrc/api/src/optim/adam.cpp), op for op.
void update(const torch::Tensor& p, torch::Tensor grad, Moments m, const torch::optim::AdamOptions& options,
            double biasCorrection1, double biasCorrection2) {
    const double beta1 = std::get<0>(options.betas()), beta2 = std::get<1>(options.betas());
    grad = grad.add(0.0);  // what accumulating into a zeroed buffer gave: -0 -> +0 (releaseGradients)
    if (options.weight_decay() != 0) grad = grad.add(p, options.weight_decay());
    m.exp_avg.mul_(beta1).add_(grad, 1 - beta1);
    m.exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
    torch::Tensor denom;
    if (options.amsgrad()) {
        torch::max_out(m.max_exp_avg_sq, m.exp_avg_sq, m.max_exp_avg_sq);
        denom = (m.max_exp_avg_sq.sqrt() / std::sqrt(biasCorrection2)).add_(options.eps());
    } else {
        denom = (m.exp_avg_sq.sqrt() / std::sqrt(biasCorrection2)).add_(options.eps());
    }
    const double stepSize = options.lr() / biasCorrection1;
    p.addcdiv_(m.exp_avg, denom, -stepSize);
}

}  // namespace

torch::Tensor BlockedAdam::step(LossClosure closure) {
    torch::NoGradGuard noGrad;
    torch::Tensor loss;
    if (closure != nullptr) {
        at::AutoGradMode enableGrad(true);
        loss = closure();
    }
    auto& states = state();
    using Map = std::decay_t<decltype(states)>;
    for (auto& group : param_groups()) {
        auto& options = static_cast<torch::optim::AdamOptions&>(group.options());
        for (auto& p : group.params()) {
            if (!p.grad().defined()) continue;
            const torch::Tensor grad = p.grad();
            TORCH_CHECK(!grad.is_sparse(), "BlockedAdam does not support sparse gradients");
            const auto key = optimizerStateKey<Map>(p);
            if (states.find(key) == states.end()) {
                auto fresh = std::make_unique<torch::optim::AdamParamState>();
                fresh->step(0);
                fresh->exp_avg(torch::zeros_like(p, at::MemoryFormat::Preserve));
                fresh->exp_avg_sq(torch::zeros_like(p, at::MemoryFormat::Preserve));
                if (options.amsgrad())
                    fresh->max_exp_avg_sq(torch::zeros_like(p, at::MemoryFormat::Preserve));
                states[key] = std::move(fresh);
            }
            auto& s = static_cast<torch::optim::AdamParamState&>(*states[key]);
            s.step(s.step() + 1);
            const double biasCorrection1 = 1 - std::pow(std::get<0>(options.betas()), s.step());
            const double biasCorrection2 = 1 - std::pow(std::get<1>(options.betas()), s.step());
            const Moments m{s.exp_avg(), s.exp_avg_sq(), s.max_exp_avg_sq()};
            const int64_t n = p.numel();
            const bool sliceable = n > kSliceElements && p.is_contiguous() && grad.is_contiguous() &&
                                   m.exp_avg.is_contiguous() && m.exp_avg_sq.is_contiguous() &&
                                   (!options.amsgrad() || m.max_exp_avg_sq.is_contiguous());
            if (!sliceable) {
                update(p, grad, m, options, biasCorrection1, biasCorrection2);
                continue;
            }
            auto flat = [](const torch::Tensor& t) { return t.defined() ? t.view({-1}) : t; };
            const torch::Tensor pf = flat(p), gf = flat(grad);
            const Moments mf{flat(m.exp_avg), flat(m.exp_avg_sq), flat(m.max_exp_avg_sq)};
            for (int64_t begin = 0; begin < n; begin += kSliceElements) {
                const int64_t len = std::min(kSliceElements, n - begin);
                auto slice = [&](const torch::Tensor& t) {
                    return t.defined() ? t.narrow(0, begin, len) : t;
                };
                update(slice(pf), slice(gf),
                       {slice(mf.exp_avg), slice(mf.exp_avg_sq), slice(mf.max_exp_avg_sq)}, options,
                       biasCorrection1, biasCorrection2);
            }
        }
    }
    return loss;
}

void releaseGradients(torch::optim::Optimizer& optimizer) {
    for (auto& group : optimizer.param_groups())
        for (auto& p : group.params()) p.mutable_grad() = torch::Tensor();
}

}  // namespace p2p
