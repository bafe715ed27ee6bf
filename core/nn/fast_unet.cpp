#include "core/nn/fast_unet.h"

#include <chrono>

#include <ATen/autocast_mode.h>

#include "core/common/error.h"
#include "core/nn/mixed_precision.h"

namespace p2p {

namespace nn = torch::nn;
using Kind = UnetSkipConnectionBlockImpl::Kind;

namespace {

constexpr double kNormEps = 1e-5;  // BatchNorm2d and InstanceNorm2d defaults, as the reference uses them

double nowMs() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

// Row (or column) taps of the 4x4 kernel that feed output phase `a` (0: even rows, 1: odd rows) when the
// 2x2 conv runs with padding 1: output row 2m+a reads padded rows m+a, m+a+1 = input rows m+a-1, m+a.
torch::Tensor phaseTaps(int a, const torch::Device& device) {
    return a == 0 ? torch::tensor({3, 1}, torch::TensorOptions(torch::kLong).device(device))
                  : torch::tensor({2, 0}, torch::TensorOptions(torch::kLong).device(device));
}

}  // namespace

torch::Tensor subpixelKernel(const torch::Tensor& transposedWeight) {
    TORCH_CHECK(transposedWeight.dim() == 4 && transposedWeight.size(2) == 4 && transposedWeight.size(3) == 4,
                "subpixelKernel expects a [Cin, Cout, 4, 4] transposed-convolution weight");
    const auto w = transposedWeight.transpose(0, 1);  // [Cout, Cin, 4, 4]
    std::vector<torch::Tensor> phases;
    for (int a = 0; a < 2; ++a)
        for (int b = 0; b < 2; ++b)
            phases.push_back(
                w.index_select(2, phaseTaps(a, w.device())).index_select(3, phaseTaps(b, w.device())));
    return torch::cat(phases, 0);  // [4*Cout, Cin, 2, 2]
}

torch::Tensor fastConvTranspose2d(const torch::Tensor& x, const torch::Tensor& weight,
                                  const torch::Tensor& bias) {
    TORCH_CHECK(x.dim() == 4, "fastConvTranspose2d expects NCHW input");
    const int64_t n = x.size(0), c = weight.size(1), h = x.size(2), w = x.size(3);
    const auto kernel = subpixelKernel(weight);
    const auto phases = torch::conv2d(x, kernel, bias.defined() ? bias.repeat({4}) : torch::Tensor(), 1, 1);
    const auto p = phases.view({n, 2, 2, c, h + 1, w + 1});
    std::vector<torch::Tensor> rows;
    for (int a = 0; a < 2; ++a) {
        auto even = p.select(1, a).select(1, 0).narrow(2, a, h).narrow(3, 0, w);
        auto odd = p.select(1, a).select(1, 1).narrow(2, a, h).narrow(3, 1, w);
        rows.push_back(torch::stack({even, odd}, -1).reshape({n, c, h, 2 * w}));  // columns interleaved
    }
    return torch::stack(rows, 3).reshape({n, c, 2 * h, 2 * w});  // rows interleaved
}

torch::Tensor resizeConvAsTransposedKernel(const torch::Tensor& weight) {
    TORCH_CHECK(weight.dim() == 4 && weight.size(2) == 3 && weight.size(3) == 3,
                "resizeConvAsTransposedKernel expects a [Cout, Cin, 3, 3] convolution weight");
    // Output row 2m reads upsampled rows 2m-1, 2m, 2m+1 = input rows m-1, m, m: k0 x[m-1] + (k1 + k2) x[m];
    // row 2m+1 reads m, m, m+1: (k0 + k1) x[m] + k2 x[m+1]. The transposed conv (k4, s2, p1) gives row 2m
    // W1 x[m] + W3 x[m-1] and row 2m+1 W0 x[m+1] + W2 x[m], so W = (k2, k1 + k2, k0 + k1, k0) per axis:
    // W = T k T' per channel pair, with T this 4x3 0/1 matrix.
    // The trainer derives the kernel at every step, and its gradient in the backward: as one GEMM each way
    // ([Cin*Cout, 9] x [9, 16], the Kronecker product of T with itself), written straight in the transposed
    // conv's [Cin, Cout] order, 3-4x faster than per-tap sums and stacks. In fp32 (autocast off): the taps
    // are summed exactly as the weight's dtype sums them, then cast like any weight.
    const auto options = weight.options().requires_grad(false);
    const auto taps = torch::tensor({0., 0., 1., 0., 1., 1., 1., 1., 0., 1., 0., 0.}, options.dtype(torch::kDouble))
                          .view({4, 3})
                          .to(weight.dtype());
    const auto expansion = torch::kron(taps, taps).t();  // [9, 16]: (row tap, column tap) -> (row, column)
    AutocastScope exact(torch::kFloat32, weight.device());
    const int64_t cout = weight.size(0), cin = weight.size(1);
    return torch::mm(weight.transpose(0, 1).reshape({cin * cout, 9}), expansion).view({cin, cout, 4, 4});
}

FastConvTranspose2dImpl::FastConvTranspose2dImpl(int64_t in_channels, int64_t out_channels, bool withBias) {
    // The same shapes and initialisation as torch::nn::ConvTranspose2d(in, out, 4).
    nn::ConvTranspose2d reference(nn::ConvTranspose2dOptions(in_channels, out_channels, 4).bias(withBias));
    weight = register_parameter("weight", reference->weight.detach().clone());
    if (withBias) bias = register_parameter("bias", reference->bias.detach().clone());
}

torch::Tensor FastConvTranspose2dImpl::forward(const torch::Tensor& x) {
    return fastConvTranspose2d(x, weight, bias);
}

namespace {

using TransposedConv = torch::Tensor (*)(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&);

// The transposed convolution (k4, s2, p1) as Conv2d(weight)'s backward-data; see convTranspose2dOnConvPath.
class TransposedConvOnConvPath : public torch::autograd::Function<TransposedConvOnConvPath> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                                 const torch::Tensor& weight) {
        ctx->save_for_backward({x, weight});
        const auto outputShape = at::empty({x.size(0), weight.size(1), 2 * x.size(2), 2 * x.size(3)},
                                           x.options().memory_format(x.suggest_memory_format()));
        return std::get<0>(at::convolution_backward(x, outputShape, weight, c10::nullopt, {2, 2}, {1, 1},
                                                    {1, 1}, false, {0, 0}, 1, {true, false, false}));
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const torch::Tensor& x = saved[0];
        const torch::Tensor& weight = saved[1];
        const torch::Tensor& gradOutput = grads[0];
        torch::Tensor gradX, gradWeight;
        if (ctx->needs_input_grad(0)) gradX = at::conv2d(gradOutput, weight, {}, 2, 1);
        if (ctx->needs_input_grad(1))
            gradWeight =
                std::get<1>(at::convolution_backward(x, gradOutput, weight, c10::nullopt, {2, 2}, {1, 1},
                                                     {1, 1}, false, {0, 0}, 1, {false, true, false}));
        return {gradX, gradWeight};
    }
};

// Runs `conv` on h in fp32 where autocast is on but bf16 does not pay for the layer (lowPrecisionPays); as
// autocast would, otherwise.
template <typename Conv>
torch::Tensor convWithPrecisionFor(const torch::Tensor& h, int64_t weightUses, int64_t outChannels,
                                   const Conv& conv) {
    if (!autocastDtypeFor(h.device()) || lowPrecisionPays(weightUses, h.size(1), outChannels)) return conv(h);
    AutocastScope fp32(torch::kFloat32, h.device());
    return conv(h.to(torch::kFloat32));
}

// G's up layer as the transposed convolution (k4, s2, p1) it is or equals: [Cin, Cout, 4, 4] kernel and bias
// (a resize layer's derived from its 3x3 weight, differentiably, at each call); nothing for other layers.
struct TransposedUp {
    torch::Tensor weight, bias;
};
c10::optional<TransposedUp> upLayerAsTransposed(nn::Module& layer) {
    if (auto* deconv = layer.as<nn::ConvTranspose2dImpl>()) return TransposedUp{deconv->weight, deconv->bias};
    // 16 products per input position and channel pair, not the 36 of upsampling then convolving.
    if (auto* resize = layer.as<ResizeConvImpl>())
        return TransposedUp{resizeConvAsTransposedKernel(resize->conv().weight), resize->conv().bias};
    return c10::nullopt;
}

torch::Tensor blockForwardWith(UnetSkipConnectionBlockImpl& block, const torch::Tensor& x,
                               TransposedConv transposedConv) {
    torch::Tensor h = x;
    for (auto& layer : *block.model) {
        if (const auto up = upLayerAsTransposed(*layer.ptr())) {
            const int64_t uses = h.size(0) * h.size(2) * h.size(3);  // once per input position
            h = convWithPrecisionFor(h, uses, up->weight.size(1), [&](const torch::Tensor& in) {
                return transposedConv(in, up->weight, up->bias);
            });
        } else if (auto* sub = layer.ptr()->as<UnetSkipConnectionBlockImpl>()) {
            h = blockForwardWith(*sub, h, transposedConv);
        } else if (auto* conv = layer.ptr()->as<nn::Conv2dImpl>()) {
            const int64_t uses = h.size(0) * (h.size(2) / 2) * (h.size(3) / 2);  // k4 s2 p1: H/2 x W/2 out
            h = convWithPrecisionFor(h, uses, conv->weight.size(0),
                                     [&](const torch::Tensor& in) { return layer.forward(in); });
        } else {
            h = layer.forward(h);
        }
    }
    return block.kind == Kind::Outermost ? h : torch::cat({x, h}, 1);
}

}  // namespace

torch::Tensor unetForwardFast(const UnetGenerator& generator, const torch::Tensor& x) {
    return blockForwardWith(*generator.ptr()->model, x, &fastConvTranspose2d);
}

torch::Tensor convTranspose2dOnConvPath(const torch::Tensor& x, const torch::Tensor& weight,
                                        const torch::Tensor& bias) {
    TORCH_CHECK(x.dim() == 4 && weight.dim() == 4 && weight.size(2) == 4 && weight.size(3) == 4,
                "convTranspose2dOnConvPath expects NCHW input and a [Cin, Cout, 4, 4] weight");
    // LibTorch 1.13's CPU autocast keeps conv_transpose2d in fp32 and never sees convolution_backward, so
    // under autocast the casts are made here, as autocast makes them for conv2d (the weight's copy cached
    // for the scope). The casts are differentiable: the weight's gradient arrives in fp32.
    torch::Tensor y;
    if (const auto dtype = autocastDtypeFor(x.device()))
        y = TransposedConvOnConvPath::apply(at::autocast::cached_cast(*dtype, x, x.device().type()),
                                            at::autocast::cached_cast(*dtype, weight, x.device().type()));
    else
        y = TransposedConvOnConvPath::apply(x, weight);
    // An fp32 bias promotes a low-precision result to fp32: G's output layer (the only biased one with
    // BatchNorm) gives its tanh and the L1 term fp32 values.
    return bias.defined() ? y + bias.view({1, -1, 1, 1}) : y;
}

torch::Tensor unetForwardOnConvPath(const UnetGenerator& generator, const torch::Tensor& x) {
    return blockForwardWith(*generator.ptr()->model, x, &convTranspose2dOnConvPath);
}

void interleavePhases(const torch::Tensor& phases, const torch::Tensor& out) {
    const int64_t n = out.size(0), c = out.size(1), h = out.size(2) / 2, w = out.size(3) / 2;
    TORCH_CHECK(phases.size(1) == 4 * c && phases.size(2) == h + 1 && phases.size(3) == w + 1,
                "interleavePhases: phase tensor does not match the output");
    const auto p = phases.view({n, 2, 2, c, h + 1, w + 1});
    const auto o = out.view({n, c, h, 2, w, 2});
    for (int a = 0; a < 2; ++a)
        for (int b = 0; b < 2; ++b)
            o.select(5, b).select(3, a).copy_(p.select(2, b).select(1, a).narrow(2, a, h).narrow(3, b, w));
}

FastUnet::FastUnet(const UnetGenerator& generator, FastUnetOptions options)
    : generator_(generator->options()), options_(std::move(options)) {
    torch::NoGradGuard noGrad;
    for (const auto& block : generator->blocks()) {
        Block b;
        b.kind = block->kind;
        bool seenUp = false, seenDown = false;
        for (const auto& child : block->model->children()) {
            if (auto* conv = child->as<nn::Conv2dImpl>()) {
                b.down_w = conv->weight.detach();
                if (conv->bias.defined()) b.down_b = conv->bias.detach();
                seenDown = true;
            } else if (const auto up = upLayerAsTransposed(*child)) {
                // A resize layer from here on is a transposed convolution like the reference's (NoGradGuard
                // above: its derived kernel is detached too), folded and rewritten the same.
                b.up_w = up->weight.detach();
                if (up->bias.defined()) b.up_b = up->bias.detach();
                b.up_channels = b.up_w.size(1);
                seenUp = true;
            } else if (auto* bn = child->as<nn::BatchNorm2dImpl>()) {
                Norm& norm = seenUp ? b.up_norm : b.down_norm;
                norm.kind = p2p::Norm::Batch;
                norm.gamma = bn->weight.detach().clone();
                norm.beta = bn->bias.detach().clone();
                norm.running_mean = bn->running_mean.detach().clone();
                norm.running_var = bn->running_var.detach().clone();
            } else if (child->as<nn::InstanceNorm2dImpl>()) {
                (seenUp ? b.up_norm : b.down_norm).kind = p2p::Norm::Instance;
            } else if (child->as<nn::DropoutImpl>()) {
                b.dropout = true;
            }
        }
        if (!seenDown || !seenUp) throw Error("FastUnet: a U-Net block without its convolutions");
        blocks_.push_back(std::move(b));
    }
    can_prepack_ = options_.prepack && options_.device.is_cpu() && at::hasMKLDNN() &&
                   options_.channels_last &&
                   (options_.dtype == torch::kFloat32 || options_.dtype == torch::kBFloat16);
    // Norm layers in forward order (down norms outer to inner, then up norms inner to outer).
    for (auto& b : blocks_)
        if (b.down_norm.kind != p2p::Norm::None) b.down_norm.index = norm_layers_++;
    for (auto it = blocks_.rbegin(); it != blocks_.rend(); ++it)
        if (it->up_norm.kind != p2p::Norm::None) it->up_norm.index = norm_layers_++;
}

int FastUnet::normLayers() const {
    return norm_layers_;
}

FastUnet::Weights& FastUnet::weights(bool folded) {
    auto& slot = folded ? folded_ : raw_;
    if (slot) return *slot;
    torch::NoGradGuard noGrad;
    Weights w;
    const auto format =
        options_.channels_last ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
    auto finish = [&](torch::Tensor t) {
        if (!t.defined()) return t;
        t = t.to(options_.device, options_.dtype);
        return t.dim() == 4 ? t.contiguous(format) : t.contiguous();
    };
    // Running statistics as a per-channel affine map, computed in double.
    auto affine = [](const Norm& norm) {
        const auto scale =
            norm.gamma.to(torch::kDouble) / (norm.running_var.to(torch::kDouble) + kNormEps).sqrt();
        const auto shift = norm.beta.to(torch::kDouble) - norm.running_mean.to(torch::kDouble) * scale;
        return std::make_pair(scale, shift);
    };
    for (const auto& b : blocks_) {
        auto dw = b.down_w.to(torch::kDouble), uw = b.up_w.to(torch::kDouble);
        torch::Tensor db = b.down_b.defined() ? b.down_b.to(torch::kDouble) : torch::Tensor();
        torch::Tensor ub = b.up_b.defined() ? b.up_b.to(torch::kDouble) : torch::Tensor();
        if (folded && b.down_norm.kind == p2p::Norm::Batch) {
            auto [scale, shift] = affine(b.down_norm);
            dw = dw * scale.view({-1, 1, 1, 1});
            db = db.defined() ? db * scale + shift : shift;
        }
        if (folded && b.up_norm.kind == p2p::Norm::Batch) {
            auto [scale, shift] = affine(b.up_norm);
            uw = uw * scale.view({1, -1, 1, 1});
            ub = ub.defined() ? ub * scale + shift : shift;
        }
        if (options_.subpixel) {
            uw = subpixelKernel(uw);
            if (ub.defined()) ub = ub.repeat({4});
        }
        w.down_w.push_back(finish(dw));
        w.down_b.push_back(finish(db));
        w.up_w.push_back(finish(uw));
        w.up_b.push_back(finish(ub));
    }
    w.down_packed.resize(w.down_w.size());
    w.up_packed.resize(w.up_w.size());
    slot = std::move(w);
    return *slot;
}

void FastUnet::mark(const std::string& name) {
    if (!profiling_) return;
    const double now = nowMs();
    profile_.emplace_back(name, now - mark_time_);
    mark_time_ = now;
}

torch::Tensor FastUnet::conv(const torch::Tensor& x, const torch::Tensor& weight, torch::Tensor& packed,
                             const torch::Tensor& bias, int64_t stride, int64_t padding) {
    // Prepacking pays where reading the weights dominates: at::conv2d reorders them at every call. Where the
    // activations are larger, oneDNN's blocked weights force activation reorders and plain channels-last
    // wins.
    if (can_prepack_ && weight.numel() >= x.numel()) {
        if (!packed.defined())
            packed = at::mkldnn_reorder_conv2d_weight(weight.contiguous().to_mkldnn(), {padding, padding},
                                                      {stride, stride}, {1, 1}, 1);
        return at::mkldnn_convolution(x, packed, bias, {padding, padding}, {stride, stride}, {1, 1}, 1);
    }
    return at::conv2d(x, weight, bias, stride, padding);
}

torch::Tensor FastUnet::down(size_t i, const torch::Tensor& x, Weights& w) {
    return conv(x, w.down_w[i], w.down_packed[i], w.down_b[i], 2, 1);
}

void FastUnet::up(size_t i, const torch::Tensor& x, Weights& w, const torch::Tensor& out) {
    if (options_.subpixel) {
        const auto phases = conv(x, w.up_w[i], w.up_packed[i], w.up_b[i], 1, 1);
        mark("up" + std::to_string(i) + " conv");
        interleavePhases(phases, out);
        mark("up" + std::to_string(i) + " interleave");
    } else {
        out.copy_(at::conv_transpose2d(x, w.up_w[i], w.up_b[i], 2, 1));
        mark("up" + std::to_string(i) + " conv_transpose");
    }
}

void FastUnet::normalize(const torch::Tensor& t, const Norm& norm, bool folded, const UnetRunOptions& run) {
    if (norm.kind == p2p::Norm::None || (norm.kind == p2p::Norm::Batch && folded)) return;
    torch::Tensor mean, var;
    if (run.fixed) {
        TORCH_CHECK(norm.index < static_cast<int>(run.fixed->size()), "FastUnet: missing fixed statistics");
        mean = (*run.fixed)[norm.index].mean.to(t.device());
        var = (*run.fixed)[norm.index].var.to(t.device());
    } else if (norm.kind == p2p::Norm::Batch && !run.batch_stats) {
        mean = norm.running_mean.view({1, -1, 1, 1}).to(t.device());
        var = norm.running_var.view({1, -1, 1, 1}).to(t.device());
    } else {
        const std::vector<int64_t> dims =
            norm.kind == p2p::Norm::Batch ? std::vector<int64_t>{0, 2, 3} : std::vector<int64_t>{2, 3};
        auto [v, m] = at::var_mean(t.to(torch::kFloat32), dims, /*unbiased=*/false, /*keepdim=*/true);
        mean = m;
        var = v;
    }
    if (run.record) {
        if (static_cast<int>(run.record->size()) <= norm.index) run.record->resize(norm.index + 1);
        (*run.record)[norm.index] = {mean.to(torch::kFloat32), var.to(torch::kFloat32)};
    }
    auto scale = (var.to(torch::kFloat32) + kNormEps).rsqrt();
    auto shift = -mean.to(torch::kFloat32) * scale;
    if (norm.kind == p2p::Norm::Batch) {
        const auto gamma = norm.gamma.to(t.device()).view({1, -1, 1, 1});
        scale = scale * gamma;
        shift = shift * gamma + norm.beta.to(t.device()).view({1, -1, 1, 1});
    }
    t.mul_(scale.to(t.scalar_type())).add_(shift.to(t.scalar_type()));
}

torch::Tensor FastUnet::runBlock(size_t i, const torch::Tensor& x, Weights& w, bool folded,
                                 const UnetRunOptions& run) {
    const Block& b = blocks_[i];
    const std::string name = std::to_string(i);
    auto h = down(i, at::leaky_relu(x, 0.2), w);
    mark("down" + name + " conv");
    normalize(h, b.down_norm, folded, run);
    mark("down" + name + " norm");
    torch::Tensor inner;
    if (b.kind == Kind::Innermost) {
        inner = h.relu_();
    } else {
        inner = runBlock(i + 1, h, w, folded, run);  // already relu'd (this block's uprelu)
    }
    const int64_t skip = x.size(1);
    const auto format =
        options_.channels_last ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
    auto cat = at::empty({x.size(0), skip + b.up_channels, x.size(2), x.size(3)}, x.options(), format);
    cat.narrow(1, 0, skip).copy_(x);
    const auto u = cat.narrow(1, skip, b.up_channels);
    up(i, inner, w, u);
    normalize(u, b.up_norm, folded, run);
    if (b.dropout && run.dropout) {
        auto mask = at::empty(u.sizes(), torch::kFloat32).bernoulli_(0.5, *run.dropout).mul_(2.0);
        u.mul_(mask.to(u.device(), u.scalar_type()));
    }
    cat.relu_();  // the parent's uprelu, on the skip and the upsampled half at once
    mark("up" + name + " norm+cat+relu");
    return cat;
}

torch::Tensor FastUnet::forward(const torch::Tensor& input, const UnetRunOptions& run) {
    const int m = generator_.sizeMultiple();
    if (input.dim() != 4 || input.size(1) != generator_.input_nc || input.size(2) % m != 0 ||
        input.size(3) % m != 0)
        throw Error("FastUnet: expected [N, " + std::to_string(generator_.input_nc) +
                    ", H, W] with H and W multiples of " + std::to_string(m));
    if (profiling_) {
        profile_.clear();
        mark_time_ = nowMs();
    }
    const bool hasBatchNorm = generator_.norm == p2p::Norm::Batch;
    const bool folded = options_.fold_batchnorm && hasBatchNorm && !run.batch_stats && !run.fixed;
    Weights& w = weights(folded);
    const auto format =
        options_.channels_last ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
    auto x = input.to(options_.device, options_.dtype).contiguous(format);
    mark("input");
    auto h = down(0, x, w);  // the outermost block has no LeakyReLU before its first conv
    mark("down0 conv");
    auto inner = runBlock(1, h, w, folded, run);
    auto out = at::empty({x.size(0), generator_.output_nc, x.size(2), x.size(3)}, x.options(), format);
    up(0, inner, w, out);
    out.tanh_();
    mark("output tanh");
    return out;
}

}  // namespace p2p
