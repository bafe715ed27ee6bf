#include "core/io/model_io.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/error_text.h"
#include "core/io/pickle_state_dict.h"
#include "core/io/reference_pth.h"
#include "core/io/torch_archive.h"
#include "core/io/zip_reader.h"

namespace fs = std::filesystem;

namespace p2p {

namespace {

constexpr const char* kFormatTag = "pix2pix-studio-model/1";

c10::Dict<std::string, at::Tensor> toDict(const torch::nn::Module& module, bool half) {
    c10::Dict<std::string, at::Tensor> dict;
    for (const auto& [key, value] : stateDictOf(module)) {
        auto t = value.detach().to(torch::kCPU).contiguous().clone();
        if (half && t.is_floating_point()) t = t.to(torch::kFloat16);
        if (t.scalar_type() == torch::kFloat64) t = t.to(torch::kFloat32);  // an fp64 run's model is fp32
        dict.insert(key, t);
    }
    return dict;
}

StateDict fromDict(const c10::IValue& value, const std::string& what) {
    if (!value.isGenericDict()) throw Error(what + " is not a tensor dictionary");
    StateDict dict;
    for (const auto& entry : value.toGenericDict()) {
        if (!entry.key().isString() || !entry.value().isTensor())
            throw Error(what + " holds a non-tensor entry");
        dict.emplace_back(entry.key().toStringRef(), entry.value().toTensor());
    }
    return dict;
}

struct OurFile {
    nlohmann::json header;
    torch::serialize::InputArchive archive;
};

// Neither format could open the file: say what it is instead, in words (not LibTorch's).
std::string whyNotAModel(const std::string& path, const std::string& torchError) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (!ec && size == 0) return "the file is empty (0 bytes)";
    char head[4] = {};
    std::ifstream in(path, std::ios::binary);
    if (!in.read(head, sizeof head) || !startsLikeZip(std::string_view(head, sizeof head)))
        return "neither a Pix2Pix Studio model (.p2pm) nor a PyTorch state dict (.pth): both are zip "
               "archives, "
               "and this file is not one";
    in.close();
    try {  // a zip: the state-dict reader says what is wrong with it as a checkpoint
        TorchReadOptions shapes;
        shapes.shapes_only = true;
        readTorchStateDict(path, shapes);
    } catch (const Error& e) {
        std::string reason = e.what();
        if (reason.rfind(path, 0) == 0) reason = reason.substr(path.size());
        while (!reason.empty() && (reason.front() == ':' || reason.front() == ' ')) reason.erase(0, 1);
        return "not a Pix2Pix Studio model (.p2pm), and as a PyTorch state dict it " +
               (reason.rfind("is ", 0) == 0 ? reason : "fails: " + reason);
    } catch (const std::exception&) {
    }
    return "a zip archive, but not a Pix2Pix Studio model (.p2pm): " + readableReason(torchError);
}

void readOurFile(const std::string& path, OurFile& file) {
    try {
        checkTorchArchiveOpens(path);
        file.archive.load_from(path);
        c10::IValue format, header;
        file.archive.read("format", format);
        if (!format.isString() || format.toStringRef() != kFormatTag)
            throw Error(path + " is not a Pix2Pix Studio model (unknown format tag)");
        file.archive.read("header", header);
        file.header = nlohmann::json::parse(header.toStringRef());
    } catch (const Error&) {
        throw;
    } catch (const nlohmann::json::exception& e) {
        throw Error(path + ": the model header is not valid JSON (" + e.what() + ")");
    } catch (const std::exception& e) {
        throw Error(path + " is not a readable model file: " + whyNotAModel(path, e.what()));
    }
}

ModelInfo infoFromHeader(const std::string& path, const nlohmann::json& h) {
    ModelInfo info;
    info.path = path;
    info.format = "p2pm";
    try {
        info.name = h.value("name", fs::path(path).stem().string());
        info.generator = GeneratorOptions::fromJson(h.at("generator"));
        if (h.contains("discriminator") && !h["discriminator"].is_null())
            info.discriminator = DiscriminatorOptions::fromJson(h["discriminator"]);
        info.direction = h.value("direction", "");
        info.input_kind = h.value("input_kind", "");
        info.generator_parameters = h.value("generator_parameters", int64_t(0));
        info.stored_dtype = h.value("stored_dtype", "float32");
        info.metadata = h.value("metadata", nlohmann::json::object());
    } catch (const nlohmann::json::exception& e) {
        throw Error(path + ": the model header is incomplete (" + e.what() + ")");
    }
    return info;
}

}  // namespace

std::string ModelInfo::describe() const {
    std::ostringstream s;
    s << "model:         " << name << "\n"
      << "file:          " << path << "\n"
      << "format:        "
      << (format == "p2pm" ? "Pix2Pix Studio model (.p2pm)" : "reference PyTorch state dict (.pth)") << "\n"
      << "generator:     " << generator.describe() << (architecture_inferred ? "" : " (from flags)") << "\n"
      << "parameters:    " << generator_parameters << "\n"
      << "discriminator: " << (discriminator ? discriminator->describe() : std::string("none")) << "\n"
      << "direction:     " << (direction.empty() ? "unknown" : direction) << "\n"
      << "input:         " << (input_kind.empty() ? "unknown" : input_kind) << "\n"
      << "stored as:     " << stored_dtype << "\n";
    if (!metadata.empty()) s << "metadata:      " << metadata.dump() << "\n";
    return s.str();
}

ModelInfo inspectModel(const std::string& path, const ModelLoadOptions& options) {
    if (!fs::exists(path)) throw Error(path + ": no such file");
    if (fs::is_directory(path)) throw Error(path + " is a folder, not a model file");
    if (isTorchZipCheckpoint(path)) return inspectReferenceModel(path, options);
    OurFile file;
    readOurFile(path, file);
    return infoFromHeader(path, file.header);
}

LoadedModel assembleModel(ModelInfo info, const StateDict& generatorWeights,
                          const StateDict* discriminatorWeights) {
    LoadedModel model;
    model.generator = UnetGenerator(info.generator);
    loadStateDict(*model.generator, generatorWeights, info.path + " (generator)");
    info.generator_parameters = parameterCount(*model.generator);
    if (discriminatorWeights && info.discriminator) {
        model.discriminator = PatchDiscriminator(*info.discriminator);
        loadStateDict(*model.discriminator, *discriminatorWeights, info.path + " (discriminator)");
    } else {
        info.discriminator.reset();
    }
    model.info = std::move(info);
    return model;
}

LoadedModel loadModel(const std::string& path, const ModelLoadOptions& options) {
    if (!fs::exists(path)) throw Error(path + ": no such file");
    if (fs::is_directory(path)) throw Error(path + " is a folder, not a model file");
    if (isTorchZipCheckpoint(path)) return loadReferenceModel(path, options);

    OurFile file;
    readOurFile(path, file);
    ModelInfo info = infoFromHeader(path, file.header);
    if (options.generator_override) info.generator.dropout = options.generator_override->dropout;
    try {
        c10::IValue g;
        file.archive.read("generator", g);
        const StateDict gWeights = fromDict(g, path + " (generator)");
        StateDict dWeights;
        const bool wantD = options.load_discriminator && info.discriminator;
        if (wantD) {
            c10::IValue d;
            file.archive.read("discriminator", d);
            dWeights = fromDict(d, path + " (discriminator)");
        }
        return assembleModel(info, gWeights, wantD ? &dWeights : nullptr);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(path + ": cannot read the weights: " + readableReason(e.what()));
    }
}

void saveModel(const std::string& path, const UnetGenerator& generator,
               const PatchDiscriminator& discriminator, const SaveModelOptions& options) {
    nlohmann::json header;
    header["name"] = options.name.empty() ? fs::path(path).stem().string() : options.name;
    header["generator"] = generator->options().toJson();
    header["discriminator"] = discriminator ? discriminator->options().toJson() : nlohmann::json();
    header["direction"] = options.direction;
    header["input_kind"] = options.input_kind;
    header["generator_parameters"] = parameterCount(*generator);
    header["stored_dtype"] = options.half ? "float16" : "float32";
    header["metadata"] = options.metadata;

    torch::serialize::OutputArchive archive;
    archive.write("format", c10::IValue(std::string(kFormatTag)));
    archive.write("header", c10::IValue(header.dump()));
    archive.write("generator", c10::IValue(toDict(*generator, options.half)));
    if (discriminator) archive.write("discriminator", c10::IValue(toDict(*discriminator, options.half)));
    writeFileAtomically(path, [&](const std::string& temporary) { archive.save_to(temporary); });
}

}  // namespace p2p
