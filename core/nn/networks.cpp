#include "core/nn/networks.h"

#include "core/common/error.h"

namespace p2p {

namespace nn = torch::nn;

nn::AnyModule makeNorm(Norm norm, int64_t channels) {
    switch (norm) {
        case Norm::Batch: return nn::AnyModule(nn::BatchNorm2d(channels));
        case Norm::Instance:
            return nn::AnyModule(
                nn::InstanceNorm2d(nn::InstanceNorm2dOptions(channels).affine(false).track_running_stats(false)));
        case Norm::None: return nn::AnyModule(nn::Identity());
    }
    throw Error("unknown norm");
}

namespace {

nn::Conv2d downConv(int64_t in, int64_t out, bool bias) {
    return nn::Conv2d(nn::Conv2dOptions(in, out, 4).stride(2).padding(1).bias(bias));
}

nn::AnyModule upConv(Upsample upsample, int64_t in, int64_t out, bool bias) {
    if (upsample == Upsample::Resize) return nn::AnyModule(ResizeConv(in, out, bias));
    return nn::AnyModule(
        nn::ConvTranspose2d(nn::ConvTranspose2dOptions(in, out, 4).stride(2).padding(1).bias(bias)));
}

nn::LeakyReLU leaky() { return nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)); }

}  // namespace

ResizeConvImpl::ResizeConvImpl(int64_t in_channels, int64_t out_channels, bool bias) {
    push_back(
        nn::Upsample(nn::UpsampleOptions().scale_factor(std::vector<double>{2, 2}).mode(torch::kNearest)));
    push_back(nn::Conv2d(nn::Conv2dOptions(in_channels, out_channels, 3).stride(1).padding(1).bias(bias)));
}

nn::Conv2dImpl& ResizeConvImpl::conv() const {
    return *ptr<nn::Conv2dImpl>(1);
}

UnetSkipConnectionBlockImpl::UnetSkipConnectionBlockImpl(int64_t outer_nc, int64_t inner_nc, int64_t input_nc,
                                                         Kind kind_, Norm norm, bool dropout_,
                                                         nn::AnyModule submodule, Upsample upsample)
    : kind(kind_), dropout(dropout_) {
    const bool bias = convBias(norm);
    model = nn::Sequential();
    switch (kind) {
        case Kind::Outermost:
            // [downconv, submodule, uprelu, upconv(bias), tanh]
            model->push_back(downConv(input_nc, inner_nc, bias));
            model->push_back(std::move(submodule));
            model->push_back(nn::ReLU());
            model->push_back(upConv(upsample, inner_nc * 2, outer_nc, true));
            model->push_back(nn::Tanh());
            break;
        case Kind::Innermost:
            // [downrelu, downconv, uprelu, upconv, upnorm]
            model->push_back(leaky());
            model->push_back(downConv(input_nc, inner_nc, bias));
            model->push_back(nn::ReLU());
            model->push_back(upConv(upsample, inner_nc, outer_nc, bias));
            model->push_back(makeNorm(norm, outer_nc));
            break;
        case Kind::Middle:
            // [downrelu, downconv, downnorm, submodule, uprelu, upconv, upnorm, (dropout)]
            model->push_back(leaky());
            model->push_back(downConv(input_nc, inner_nc, bias));
            model->push_back(makeNorm(norm, inner_nc));
            model->push_back(std::move(submodule));
            model->push_back(nn::ReLU());
            model->push_back(upConv(upsample, inner_nc * 2, outer_nc, bias));
            model->push_back(makeNorm(norm, outer_nc));
            if (dropout) model->push_back(nn::Dropout(0.5));
            break;
    }
    register_module("model", model);
}

torch::Tensor UnetSkipConnectionBlockImpl::forward(const torch::Tensor& x) {
    if (kind == Kind::Outermost) return model->forward(x);
    return torch::cat({x, model->forward(x)}, 1);
}

UnetGeneratorImpl::UnetGeneratorImpl(const GeneratorOptions& options) : options_(options) {
    options_.validate();
    const int64_t ngf = options_.ngf;
    const Norm norm = options_.norm;
    const Upsample up = options_.upsample;
    using Kind = UnetSkipConnectionBlockImpl::Kind;
    auto block =
        UnetSkipConnectionBlock(ngf * 8, ngf * 8, ngf * 8, Kind::Innermost, norm, false, nn::AnyModule(), up);
    for (int i = 0; i < options_.numDowns() - 5; ++i)
        block = UnetSkipConnectionBlock(ngf * 8, ngf * 8, ngf * 8, Kind::Middle, norm, options_.dropout,
                                        nn::AnyModule(block), up);
    block = UnetSkipConnectionBlock(ngf * 4, ngf * 8, ngf * 4, Kind::Middle, norm, false,
                                    nn::AnyModule(block), up);
    block = UnetSkipConnectionBlock(ngf * 2, ngf * 4, ngf * 2, Kind::Middle, norm, false,
                                    nn::AnyModule(block), up);
    block = UnetSkipConnectionBlock(ngf, ngf * 2, ngf, Kind::Middle, norm, false, nn::AnyModule(block), up);
    model = UnetSkipConnectionBlock(options_.output_nc, ngf, options_.input_nc, Kind::Outermost, norm, false,
                                    nn::AnyModule(block), up);
    register_module("model", model);
}

torch::Tensor UnetGeneratorImpl::forward(const torch::Tensor& x) { return model->forward(x); }

std::vector<UnetSkipConnectionBlock> UnetGeneratorImpl::blocks() const {
    std::vector<UnetSkipConnectionBlock> result;
    UnetSkipConnectionBlock block = model;
    while (true) {
        result.push_back(block);
        if (block->kind == UnetSkipConnectionBlockImpl::Kind::Innermost) break;
        const size_t sub = block->kind == UnetSkipConnectionBlockImpl::Kind::Outermost ? 1 : 3;
        block = UnetSkipConnectionBlock(std::dynamic_pointer_cast<UnetSkipConnectionBlockImpl>(block->model->ptr(sub)));
    }
    return result;
}

PatchDiscriminatorImpl::PatchDiscriminatorImpl(const DiscriminatorOptions& options)
    : options_(options), geometry_(discriminatorGeometry(options)) {
    const int64_t ndf = options_.ndf;
    const Norm norm = options_.norm;
    const bool bias = convBias(norm);
    // Kernel, stride and padding come from discriminatorGeometry(), in order, so receptive fields computed
    // from it describe exactly this network.
    size_t next = 0;
    auto conv = [this, &next](int64_t in, int64_t out, bool withBias) {
        const ConvGeometry& g = geometry_.at(next++);
        return nn::Conv2d(
            nn::Conv2dOptions(in, out, g.kernel).stride(g.stride).padding(g.padding).bias(withBias));
    };
    layers = nn::Sequential();
    if (options_.netD == "pixel") {
        layers->push_back(conv(options_.input_nc, ndf, true));
        layers->push_back(leaky());
        layers->push_back(conv(ndf, ndf * 2, bias));
        layers->push_back(makeNorm(norm, ndf * 2));
        layers->push_back(leaky());
        layers->push_back(conv(ndf * 2, 1, bias));
        register_module("net", layers);
    } else {
        const int n_layers = options_.effectiveLayers();
        layers->push_back(conv(options_.input_nc, ndf, true));
        layers->push_back(leaky());
        int64_t mult = 1;
        for (int n = 1; n < n_layers; ++n) {
            const int64_t prev = mult;
            mult = std::min<int64_t>(int64_t(1) << n, 8);
            layers->push_back(conv(ndf * prev, ndf * mult, bias));
            layers->push_back(makeNorm(norm, ndf * mult));
            layers->push_back(leaky());
        }
        const int64_t prev = mult;
        mult = std::min<int64_t>(int64_t(1) << n_layers, 8);
        layers->push_back(conv(ndf * prev, ndf * mult, bias));
        layers->push_back(makeNorm(norm, ndf * mult));
        layers->push_back(leaky());
        layers->push_back(conv(ndf * mult, 1, true));
        register_module("model", layers);
    }
    if (next != geometry_.size())
        throw Error("discriminator: built " + std::to_string(next) + " convolutions but the layer list has " +
                    std::to_string(geometry_.size()));
}

torch::Tensor PatchDiscriminatorImpl::forward(const torch::Tensor& x) { return layers->forward(x); }

std::vector<ConvGeometry> PatchDiscriminatorImpl::convGeometry() const { return geometry_; }

void initWeights(nn::Module& module, double gain) {
    torch::NoGradGuard noGrad;
    for (auto& m : module.modules(/*include_self=*/true)) {
        if (auto* conv = m->as<nn::Conv2dImpl>()) {
            conv->weight.normal_(0.0, gain);
            if (conv->bias.defined()) conv->bias.zero_();
        } else if (auto* deconv = m->as<nn::ConvTranspose2dImpl>()) {
            deconv->weight.normal_(0.0, gain);
            if (deconv->bias.defined()) deconv->bias.zero_();
        } else if (auto* bn = m->as<nn::BatchNorm2dImpl>()) {
            bn->weight.normal_(1.0, gain);
            bn->bias.zero_();
        }
    }
}

int64_t parameterCount(const nn::Module& module) {
    int64_t n = 0;
    for (const auto& p : module.parameters()) n += p.numel();
    return n;
}

}  // namespace p2p
