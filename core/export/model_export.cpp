#include "core/export/model_export.h"

#include <filesystem>

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/runtime.h"
#include "core/export/model_source.h"
#include "core/export/torch_save.h"

namespace fs = std::filesystem;

namespace p2p {

namespace {

using Kind = UnetSkipConnectionBlockImpl::Kind;

// Builds the U-Net as an ONNX graph, block by block, from the outermost in. Weights become initializers,
// named as in the state dict, so a reader can match them with the .pth.
class OnnxUnetWriter {
public:
    OnnxUnetWriter(onnx::GraphProto& graph, NormStats norm, Norm kind) : graph_(graph), norm_(norm), kind_(kind) {}

    std::string block(const UnetSkipConnectionBlock& b, const std::string& prefix, const std::string& x) {
        auto layer = [&](size_t i) { return b->model->ptr(i); };
        const std::string p = prefix + "model.";
        switch (b->kind) {
            case Kind::Outermost: {  // [downconv, submodule, uprelu, upconv, tanh]
                const std::string d = conv(*layer(0), p + "0.", x);
                const std::string s = block(sub(b, 1), p + "1.", d);
                const std::string u = up(*layer(3), p + "3.", unary("Relu", s));
                return unary("Tanh", u, "output");
            }
            case Kind::Innermost: {  // [downrelu, downconv, uprelu, upconv, upnorm]
                const std::string d = conv(*layer(1), p + "1.", leaky(x));
                const std::string u = up(*layer(3), p + "3.", unary("Relu", d));
                return concat(x, normalize(*layer(4), p + "4.", u));
            }
            case Kind::Middle: {  // [downrelu, downconv, downnorm, submodule, uprelu, upconv, upnorm, (dropout)]
                const std::string d = normalize(*layer(2), p + "2.", conv(*layer(1), p + "1.", leaky(x)));
                const std::string s = block(sub(b, 3), p + "3.", d);
                const std::string u = up(*layer(5), p + "5.", unary("Relu", s));
                return concat(x, normalize(*layer(6), p + "6.", u));  // dropout: left out (deterministic form)
            }
        }
        throw Error("unknown U-Net block kind");
    }

private:
    static UnetSkipConnectionBlock sub(const UnetSkipConnectionBlock& b, size_t index) {
        return UnetSkipConnectionBlock(std::dynamic_pointer_cast<UnetSkipConnectionBlockImpl>(b->model->ptr(index)));
    }

    std::string fresh(const std::string& what) { return what + "_" + std::to_string(++counter_); }

    onnx::NodeProto& node(const std::string& op, std::initializer_list<std::string> inputs, const std::string& out) {
        onnx::NodeProto& n = *graph_.add_node();
        n.set_op_type(op);
        n.set_name(out);
        for (const auto& i : inputs) n.add_input(i);
        n.add_output(out);
        return n;
    }

    static void ints(onnx::NodeProto& n, const std::string& name, std::initializer_list<int64_t> values) {
        auto* a = n.add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::INTS);
        for (int64_t v : values) a->add_ints(v);
    }
    static void text(onnx::NodeProto& n, const std::string& name, const std::string& value) {
        auto* a = n.add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::STRING);
        a->set_s(value);
    }
    static void real(onnx::NodeProto& n, const std::string& name, float value) {
        auto* a = n.add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::FLOAT);
        a->set_f(value);
    }

    std::string initializer(const std::string& name, const torch::Tensor& value) {
        const torch::Tensor t = value.detach().to(torch::kFloat32).contiguous().cpu();
        onnx::TensorProto& init = *graph_.add_initializer();
        init.set_name(name);
        init.set_data_type(onnx::TensorProto::FLOAT);
        for (int64_t s : t.sizes()) init.add_dims(s);
        init.set_raw_data(t.data_ptr(), size_t(t.numel()) * sizeof(float));
        return name;
    }

    std::string unary(const std::string& op, const std::string& x, const std::string& out = "") {
        return node(op, {x}, out.empty() ? fresh(op) : out).output(0);
    }

    std::string leaky(const std::string& x) {
        onnx::NodeProto& n = node("LeakyRelu", {x}, fresh("LeakyRelu"));
        real(n, "alpha", 0.2f);
        return n.output(0);
    }

    std::string concat(const std::string& skip, const std::string& up) {
        onnx::NodeProto& n = node("Concat", {skip, up}, fresh("Concat"));
        auto* a = n.add_attribute();
        a->set_name("axis");
        a->set_type(onnx::AttributeProto::INT);
        a->set_i(1);
        return n.output(0);
    }

    std::string conv(const torch::nn::Module& m, const std::string& name, const std::string& x) {
        const auto& c = dynamic_cast<const torch::nn::Conv2dImpl&>(m);
        return convolution("Conv", c.weight, c.bias, name, x, 4, 2);
    }

    // The up layer: ConvTranspose2d(k4, s2, p1), or Upsample::Resize's nearest x2 and Conv2d(k3, s1, p1).
    std::string up(const torch::nn::Module& m, const std::string& name, const std::string& x) {
        if (const auto* resize = dynamic_cast<const ResizeConvImpl*>(&m)) {
            // PyTorch's nearest reads pixel floor(dst / 2): ONNX's asymmetric coordinates, rounded down.
            onnx::NodeProto& n =
                node("Resize", {x, "", initializer(name + "0.scales", torch::tensor({1.f, 1.f, 2.f, 2.f}))},
                     fresh("Resize"));
            text(n, "mode", "nearest");
            text(n, "coordinate_transformation_mode", "asymmetric");
            text(n, "nearest_mode", "floor");
            const auto& c = resize->conv();
            return convolution("Conv", c.weight, c.bias, name + "1.", n.output(0), 3, 1);
        }
        const auto& c = dynamic_cast<const torch::nn::ConvTranspose2dImpl&>(m);  // [Cin, Cout, 4, 4] in both
        return convolution("ConvTranspose", c.weight, c.bias, name, x, 4, 2);
    }

    // The U-Net's convolutions: padding 1; the bias only where the layer has one.
    std::string convolution(const std::string& op, const torch::Tensor& weight, const torch::Tensor& bias,
                            const std::string& name, const std::string& x, int64_t kernel, int64_t stride) {
        const std::string w = initializer(name + "weight", weight);
        onnx::NodeProto& n = bias.defined() ? node(op, {x, w, initializer(name + "bias", bias)}, fresh(op))
                                            : node(op, {x, w}, fresh(op));
        ints(n, "kernel_shape", {kernel, kernel});
        ints(n, "strides", {stride, stride});
        ints(n, "pads", {1, 1, 1, 1});
        return n.output(0);
    }

    std::string normalize(const torch::nn::Module& m, const std::string& name, const std::string& x) {
        if (kind_ == Norm::None) return x;
        if (kind_ == Norm::Instance) {  // affine-free InstanceNorm2d, eps 1e-5
            const auto& in = dynamic_cast<const torch::nn::InstanceNorm2dImpl&>(m);
            const int64_t channels = in.options.num_features();
            onnx::NodeProto& n = node("InstanceNormalization",
                                      {x, initializer(name + "scale", torch::ones({channels})),
                                       initializer(name + "B", torch::zeros({channels}))},
                                      fresh("InstanceNormalization"));
            real(n, "epsilon", float(in.options.eps()));
            return n.output(0);
        }
        const auto& bn = dynamic_cast<const torch::nn::BatchNorm2dImpl&>(m);
        const float eps = float(bn.options.eps());
        if (norm_ == NormStats::Image) {  // batch statistics at batch 1 = instance statistics, then BN's affine
            onnx::NodeProto& n = node("InstanceNormalization",
                                      {x, initializer(name + "weight", bn.weight), initializer(name + "bias", bn.bias)},
                                      fresh("InstanceNormalization"));
            real(n, "epsilon", eps);
            return n.output(0);
        }
        onnx::NodeProto& n = node("BatchNormalization",
                                  {x, initializer(name + "weight", bn.weight), initializer(name + "bias", bn.bias),
                                   initializer(name + "running_mean", bn.running_mean),
                                   initializer(name + "running_var", bn.running_var)},
                                  fresh("BatchNormalization"));
        real(n, "epsilon", eps);
        return n.output(0);
    }

    onnx::GraphProto& graph_;
    NormStats norm_;
    Norm kind_;
    int counter_ = 0;
};

void describeTensor(onnx::ValueInfoProto& value, const std::string& name, int64_t channels, int64_t multiple) {
    value.set_name(name);
    auto* type = value.mutable_type()->mutable_tensor_type();
    type->set_elem_type(onnx::TensorProto::FLOAT);
    auto* shape = type->mutable_shape();
    shape->add_dim()->set_dim_param("batch");
    shape->add_dim()->set_dim_value(channels);
    shape->add_dim()->set_dim_param("height");  // a multiple of `multiple`
    shape->add_dim()->set_dim_param("width");
    value.set_doc_string("float32 NCHW RGB in [-1, 1]; height and width multiples of " + std::to_string(multiple));
}

void addMetadata(onnx::ModelProto& model, const std::string& key, const std::string& value) {
    if (value.empty()) return;
    auto* p = model.add_metadata_props();
    p->set_key(key);
    p->set_value(value);
}

}  // namespace

void OnnxExportOptions::validate() const {
    if (opset < 13 || opset > 17) throw Error("ONNX opset " + std::to_string(opset) + " is not supported (13 to 17)");
}

ExportResult exportOnnx(const std::string& source, const std::string& output, const OnnxExportOptions& options,
                        const ModelLoadOptions& load) {
    options.validate();
    OpenedModel opened = openModelSource(source, load);
    const ModelInfo& info = opened.model.info;
    UnetGenerator generator = opened.model.generator;
    generator->eval();
    const NormStats norm = options.norm.value_or(preferredPreviewNorm(info));
    const GeneratorOptions& g = info.generator;

    onnx::ModelProto model;
    model.set_ir_version(onnx::IR_VERSION);
    model.set_producer_name("pix2pix-studio");
    model.set_producer_version(version());
    model.set_doc_string("pix2pix generator (" + g.describe() + "), exported from " + opened.source);
    auto* opset = model.add_opset_import();
    opset->set_domain("");
    opset->set_version(options.opset);

    onnx::GraphProto& graph = *model.mutable_graph();
    graph.set_name("pix2pix_generator");
    const int64_t multiple = int64_t(1) << g.numDowns();
    describeTensor(*graph.add_input(), "input", g.input_nc, multiple);
    describeTensor(*graph.add_output(), "output", g.output_nc, multiple);
    {
        torch::NoGradGuard noGrad;
        OnnxUnetWriter writer(graph, norm, g.norm);
        writer.block(generator->model, "model.", "input");
    }

    addMetadata(model, "name", info.name);
    addMetadata(model, "input_kind", info.input_kind);
    addMetadata(model, "direction", info.direction);
    addMetadata(model, "architecture", g.describe());
    addMetadata(model, "normalization", norm == NormStats::Image
                                            ? "image statistics (the paper's test time; InstanceNormalization)"
                                            : "running statistics (eval mode; BatchNormalization)");
    addMetadata(model, "input_range", "float32 NCHW RGB in [-1, 1]: x / 127.5 - 1");
    addMetadata(model, "size_multiple", std::to_string(multiple));
    if (info.metadata.is_object()) {
        if (info.metadata.contains("label_palette") && info.metadata["label_palette"].is_string())
            addMetadata(model, "label_palette", info.metadata["label_palette"].get<std::string>());
        addMetadata(model, "provenance", info.metadata.dump());
    }
    addMetadata(model, "source", opened.source);

    try {
        onnx::checker::check_model(model);
    } catch (const std::exception& e) {
        throw Error(output + ": the ONNX graph fails onnx::checker: " + e.what());
    }
    std::string bytes;
    if (!model.SerializeToString(&bytes)) throw Error(output + ": cannot serialise the ONNX model");
    writeFileAtomically(output, bytes);

    ExportResult result;
    result.source = opened.source;
    result.summary = "wrote " + output + " (ONNX opset " + std::to_string(options.opset) + ", " + formatBytes(bytes.size()) +
                     "): " + g.describe() + ", " + (norm == NormStats::Image ? "image" : "running") +
                     " statistics, dropout left out; input [N, " + std::to_string(g.input_nc) +
                     ", H, W] RGB in [-1, 1], H and W multiples of " + std::to_string(multiple);
    return result;
}

ExportResult exportModelFile(const std::string& source, const std::string& output, bool half,
                             const ModelLoadOptions& load) {
    OpenedModel opened = openModelSource(source, load);
    const ModelInfo& info = opened.model.info;
    SaveModelOptions save;
    save.half = half;
    save.name = info.name;
    save.direction = info.direction;
    save.input_kind = info.input_kind;
    save.metadata = info.metadata.is_object() ? info.metadata : nlohmann::json::object();
    saveModel(output, opened.model.generator, opened.model.discriminator, save);
    ExportResult result;
    result.source = opened.source;
    result.summary = "wrote " + output + " (" + formatBytes(fs::file_size(output)) + ", " +
                     (half ? "float16" : "float32") + (opened.model.discriminator ? ", with its discriminator" : "") + ")";
    return result;
}

ExportResult exportReferencePth(const std::string& source, const std::string& output, const ModelLoadOptions& load) {
    OpenedModel opened = openModelSource(source, load);
    const StateDict dict = stateDictInModuleOrder(*opened.model.generator);
    const std::string bytes = torchSaveBytes(dict);
    writeFileAtomically(output, bytes);
    const GeneratorOptions& g = opened.model.info.generator;
    ExportResult result;
    result.source = opened.source;
    result.summary = "wrote " + output + " (" + formatBytes(bytes.size()) + ", " +
                     std::to_string(dict.size()) + " tensors): ";
    const std::string defineG = "define_G(input_nc=" + std::to_string(g.input_nc) +
                                ", output_nc=" + std::to_string(g.output_nc) +
                                ", ngf=" + std::to_string(g.ngf) + ", netG='" + g.netG + "', norm='" +
                                toString(g.norm) + "', use_dropout=" + (g.dropout ? "True" : "False") + ")";
    if (g.upsample == Upsample::Transposed)
        result.summary += "the reference's " + defineG + " loads it with load_state_dict";
    else  // the keys say resize, so our own readers take it back
        result.summary += "resize upsampling, not the reference's architecture: its " + defineG +
                          " builds ConvTranspose2d up layers and refuses these weights";
    return result;
}

}  // namespace p2p
