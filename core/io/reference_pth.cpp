#include "core/io/reference_pth.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "core/common/error.h"

namespace fs = std::filesystem;

namespace p2p {

namespace {

bool startsWith(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}
bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

const char* const kRunningStats[] = {".running_mean", ".running_var", ".num_batches_tracked"};

bool isRunningStatistic(const std::string& key) {
    for (const char* suffix : kRunningStats)
        if (endsWith(key, suffix)) return true;
    return false;
}

std::map<std::string, torch::Tensor> byKey(const StateDict& dict) {
    std::map<std::string, torch::Tensor> keys;
    for (const auto& [key, value] : dict) keys.emplace(key, value);
    return keys;
}

std::string shapeOf(const torch::Tensor& t) {
    std::string s = "[";
    for (int64_t d = 0; d < t.dim(); ++d) s += (d ? ", " : "") + std::to_string(t.size(d));
    return s + "]";
}

StateDict normalized(const StateDict& dict) {
    StateDict copy = dict;
    normalizeReferenceStateDict(copy);
    return copy;
}

template <typename Options>
std::optional<Options> refuse(std::string* reason, const std::string& why) {
    if (reason) *reason = why;
    return std::nullopt;
}

int64_t learnableElements(const StateDict& dict) {
    int64_t n = 0;
    for (const auto& [key, value] : dict)
        if (!isRunningStatistic(key)) n += value.numel();
    return n;
}

std::string storedDtype(const StateDict& dict) {
    std::set<std::string> kinds;
    for (const auto& [key, value] : dict)
        if (value.is_floating_point()) kinds.insert(c10::toString(value.scalar_type()));
    if (kinds.empty()) return "unknown";
    if (kinds.size() > 1) return "mixed";
    const std::string kind = *kinds.begin();
    if (kind == "Float") return "float32";
    if (kind == "Half") return "float16";
    if (kind == "BFloat16") return "bfloat16";
    if (kind == "Double") return "float64";
    return kind;
}

// The reference writes its options to checkpoints/<name>/train_opt.txt as "   key: value  \t[default: x]".
std::map<std::string, std::string> readTrainOptions(const fs::path& folder) {
    std::map<std::string, std::string> options;
    std::ifstream in(folder / "train_opt.txt");
    std::string line;
    int lines = 0;
    while (in && std::getline(in, line) && ++lines < 1000) {
        const size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        auto trim = [](std::string s) {
            const size_t b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
            return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
        };
        std::string value = line.substr(colon + 1);
        const size_t dflt = value.find("[default:");
        if (dflt != std::string::npos) value.resize(dflt);
        const std::string key = trim(line.substr(0, colon));
        if (!key.empty() && key.find(' ') == std::string::npos) options[key] = trim(value);
    }
    return options;
}

bool sameArchitecture(const GeneratorOptions& a, const GeneratorOptions& b) {
    GeneratorOptions x = a;
    x.dropout = b.dropout;
    return x == b;
}

std::string modelName(const fs::path& path) {
    const std::string stem = path.stem().string();
    const std::string folder = path.parent_path().filename().string();
    return endsWith(stem, "net_G") && !folder.empty() ? folder : stem;
}

// The part shared by inspect and load: everything but the networks.
ModelInfo describe(const std::string& path, const StateDict& dict, const ModelLoadOptions& options) {
    ModelInfo info;
    info.path = path;
    info.name = modelName(path);
    info.format = "reference-pth";
    info.generator_parameters = learnableElements(dict);
    info.stored_dtype = storedDtype(dict);
    info.metadata["source"] = "reference PyTorch checkpoint (torch.save state dict)";
    info.metadata["tensors"] = dict.size();

    std::string why;
    const auto inferred = inferGeneratorOptions(dict, &why);
    const auto trainOptions = readTrainOptions(fs::path(path).parent_path());
    if (options.generator_override) {
        info.generator = *options.generator_override;
        info.architecture_inferred = inferred && sameArchitecture(*inferred, info.generator);
        info.metadata["dropout_source"] = "given by the caller";
    } else if (inferred) {
        info.generator = *inferred;
        if (auto it = trainOptions.find("no_dropout"); it != trainOptions.end()) {
            info.generator.dropout = it->second != "True";
            info.metadata["dropout_source"] = "train_opt.txt";
        } else {
            info.metadata["dropout_source"] =
                "assumed on (the reference default; a state dict does not record it)";
        }
    } else {
        std::string d;
        if (const auto disc = inferDiscriminatorOptions(dict, &d))
            throw Error(
                path + " is a discriminator checkpoint (" + disc->describe() +
                "), not a generator: open the matching *_net_G.pth (its *_net_D.pth is found beside it)");
        throw Error(path + ": cannot infer the generator architecture (" + why +
                    "); pass --netG, --ngf and --norm to say what it is");
    }
    if (auto it = trainOptions.find("direction");
        it != trainOptions.end() && (it->second == "AtoB" || it->second == "BtoA"))
        info.direction = it->second;
    if (!trainOptions.empty()) {
        nlohmann::json opt = nlohmann::json::object();
        for (const char* key :
             {"name", "dataroot", "netG", "ngf", "norm", "no_dropout", "netD", "ndf", "n_layers_D",
              "direction", "n_epochs", "n_epochs_decay", "lambda_L1", "gan_mode", "preprocess"})
            if (auto it = trainOptions.find(key); it != trainOptions.end()) opt[key] = it->second;
        info.metadata["train_opt"] = opt;
    }
    return info;
}

void warn(ModelInfo& info, const std::string& message) {
    if (!info.metadata.contains("warnings")) info.metadata["warnings"] = nlohmann::json::array();
    info.metadata["warnings"].push_back(message);
}

// Multi-line load errors (missing keys, ...) as one line for a warning list.
std::string oneLine(const std::string& s) {
    std::string out;
    bool newline = false;
    for (char c : s) {
        if (c == '\n') {
            newline = true;
        } else if (newline && c == ' ') {
            continue;
        } else {
            if (newline) out += " ";
            newline = false;
            out += c;
        }
    }
    return out;
}

}  // namespace

void normalizeReferenceStateDict(StateDict& dict) {
    const bool allPrefixed = !dict.empty() && std::all_of(dict.begin(), dict.end(), [](const auto& item) {
        return startsWith(item.first, "module.");
    });
    if (allPrefixed)
        for (auto& [key, value] : dict) key.erase(0, 7);

    std::set<std::string> keys;
    for (const auto& [key, value] : dict) keys.insert(key);
    dict.erase(std::remove_if(dict.begin(), dict.end(),
                              [&](const auto& item) {
                                  for (const char* suffix : kRunningStats) {
                                      if (!endsWith(item.first, suffix)) continue;
                                      const std::string layer =
                                          item.first.substr(0, item.first.size() - std::strlen(suffix));
                                      // BatchNorm in the reference is always affine; a layer with statistics
                                      // but no weight is an old InstanceNorm.
                                      return !keys.count(layer + ".weight");
                                  }
                                  return false;
                              }),
               dict.end());
}

std::optional<GeneratorOptions> inferGeneratorOptions(const StateDict& input, std::string* reason) {
    const auto keys = byKey(normalized(input));
    auto has = [&](const std::string& key) { return keys.count(key) > 0; };
    auto anyStartsWith = [&](const std::string& prefix) {
        auto it = keys.lower_bound(prefix);
        return it != keys.end() && startsWith(it->first, prefix);
    };
    using R = GeneratorOptions;
    if (!has("model.model.0.weight"))
        return refuse<R>(reason, "no 'model.model.0.weight', so it is not a U-Net generator's state dict");
    const auto first = keys.at("model.model.0.weight");
    if (first.dim() != 4) return refuse<R>(reason, "'model.model.0.weight' is not a convolution weight");
    // The reference's up layers are ConvTranspose2d ("model.model.3.weight", [in, out, 4, 4]); our
    // Upsample::Resize variant's hold a Conv2d at ".1." ("model.model.3.1.weight", [out, in, 3, 3]).
    const bool resize = !has("model.model.3.weight") && has("model.model.3.1.weight");
    const std::string lastKey = resize ? "model.model.3.1.weight" : "model.model.3.weight";
    if (!has(lastKey) || keys.at(lastKey).dim() != 4)
        return refuse<R>(reason, "no outermost up-convolution 'model.model.3.weight'");
    const auto last = resize ? keys.at(lastKey).transpose(0, 1) : keys.at(lastKey);  // as [in, out, kH, kW]

    // Outermost block: model.model.*; the next one model.model.1.model.*; deeper ones add "3.model.".
    int levels = 1;
    std::string prefix = "model.model.1.model.";
    while (levels < 64 && anyStartsWith(prefix)) {
        ++levels;
        prefix += "3.model.";
    }
    GeneratorOptions o;
    if (levels == 8)
        o.netG = "unet_256";
    else if (levels == 7)
        o.netG = "unet_128";
    else
        return refuse<R>(reason, "a U-Net with " + std::to_string(levels) +
                                     " levels; only unet_256 (8) and unet_128 (7) are supported");
    o.ngf = int(first.size(0));
    o.input_nc = int(first.size(1));
    o.output_nc = int(last.size(1));
    if (resize) o.upsample = Upsample::Resize;
    if (last.size(0) != 2 * first.size(0))
        return refuse<R>(reason, "the outermost up-convolution " + shapeOf(last) + " does not match ngf " +
                                     std::to_string(o.ngf));
    if (has("model.model.1.model.2.weight") || has("model.model.1.model.2.running_mean"))
        o.norm = Norm::Batch;
    else if (has("model.model.1.model.1.bias"))
        o.norm = Norm::Instance;
    else
        o.norm = Norm::None;
    o.dropout = true;
    try {
        o.validate();
    } catch (const Error& e) {
        return refuse<R>(reason, e.what());
    }
    return o;
}

std::optional<DiscriminatorOptions> inferDiscriminatorOptions(const StateDict& input, std::string* reason) {
    const auto keys = byKey(normalized(input));
    auto has = [&](const std::string& key) { return keys.count(key) > 0; };
    using R = DiscriminatorOptions;
    DiscriminatorOptions o;
    if (has("net.0.weight")) {
        const auto first = keys.at("net.0.weight");
        if (first.dim() != 4) return refuse<R>(reason, "'net.0.weight' is not a convolution weight");
        o.netD = "pixel";
        o.ndf = int(first.size(0));
        o.input_nc = int(first.size(1));
        o.norm = has("net.3.weight") ? Norm::Batch : has("net.2.bias") ? Norm::Instance : Norm::None;
    } else {
        if (!has("model.0.weight"))
            return refuse<R>(reason, "no 'model.0.weight' or 'net.0.weight', so it is not a discriminator");
        const auto first = keys.at("model.0.weight");
        if (first.dim() != 4) return refuse<R>(reason, "'model.0.weight' is not a convolution weight");
        // Convs sit at model.0 and model.2, 5, 8, ...: n_layers + 2 of them.
        std::vector<int> convs;
        for (const auto& [key, value] : keys) {
            if (!startsWith(key, "model.") || !endsWith(key, ".weight") || value.dim() != 4) continue;
            if (key.size() <= 13) return refuse<R>(reason, "unexpected key '" + key + "'");
            const std::string index = key.substr(6, key.size() - 6 - 7);
            if (index.empty() || index.size() > 3 ||
                index.find_first_not_of("0123456789") != std::string::npos)
                return refuse<R>(reason, "unexpected key '" + key + "'");
            convs.push_back(std::stoi(index));
        }
        std::sort(convs.begin(), convs.end());
        const int n = int(convs.size()) - 2;
        bool layout = n >= 1 && convs[0] == 0;
        for (int k = 0; layout && k <= n; ++k) layout = convs[size_t(k) + 1] == 2 + 3 * k;
        if (!layout)
            return refuse<R>(reason, "the convolutions are not laid out as in an NLayerDiscriminator");
        o.netD = n == 3 ? "basic" : "n_layers";
        o.n_layers = n;
        o.ndf = int(first.size(0));
        o.input_nc = int(first.size(1));
        o.norm = has("model.3.weight") ? Norm::Batch : has("model.2.bias") ? Norm::Instance : Norm::None;
    }
    try {
        o.validate();
    } catch (const Error& e) {
        return refuse<R>(reason, e.what());
    }
    return o;
}

std::string referenceDiscriminatorPath(const std::string& generatorPath) {
    const fs::path path(generatorPath);
    std::string file = path.filename().string();
    const size_t at = file.rfind("net_G");
    if (at == std::string::npos || (at > 0 && file[at - 1] != '_')) return "";
    file.replace(at, 5, "net_D");
    return (path.parent_path() / file).string();
}

ReferenceCheckpointSummary summarizeReferenceCheckpoint(const std::string& path) {
    TorchReadOptions read;
    read.shapes_only = true;
    StateDict dict = readTorchStateDict(path, read);
    normalizeReferenceStateDict(dict);
    ReferenceCheckpointSummary summary;
    summary.tensors = dict.size();
    summary.parameters = learnableElements(dict);
    summary.stored_dtype = storedDtype(dict);
    std::string whyG, whyD;
    summary.generator = inferGeneratorOptions(dict, &whyG);
    summary.discriminator = inferDiscriminatorOptions(dict, &whyD);
    if (summary.generator)
        summary.kind = "generator";
    else if (summary.discriminator)
        summary.kind = "discriminator";
    else
        summary.reason = "as a generator: " + whyG + "; as a discriminator: " + whyD;
    return summary;
}

ModelInfo inspectReferenceModel(const std::string& path, const ModelLoadOptions& options) {
    TorchReadOptions read;
    read.shapes_only = true;
    StateDict dict = readTorchStateDict(path, read);
    normalizeReferenceStateDict(dict);
    ModelInfo info = describe(path, dict, options);

    const std::string dPath = referenceDiscriminatorPath(path);
    if (options.load_discriminator && !dPath.empty() && fs::is_regular_file(dPath)) {
        try {
            StateDict d = readTorchStateDict(dPath, read);
            normalizeReferenceStateDict(d);
            std::string why;
            info.discriminator = inferDiscriminatorOptions(d, &why);
            if (!info.discriminator) throw Error(dPath + ": " + why);
            info.metadata["discriminator_file"] = dPath;
        } catch (const Error& e) {
            warn(info, "the discriminator beside it cannot be used: " + oneLine(e.what()));
        }
    }
    return info;
}

LoadedModel loadReferenceModel(const std::string& path, const ModelLoadOptions& options) {
    StateDict g = readTorchStateDict(path);
    normalizeReferenceStateDict(g);
    ModelInfo info = describe(path, g, options);

    StateDict d;
    bool withD = false;
    const std::string dPath = referenceDiscriminatorPath(path);
    if (options.load_discriminator && !dPath.empty() && fs::is_regular_file(dPath)) {
        try {
            d = readTorchStateDict(dPath);
            normalizeReferenceStateDict(d);
            std::string why;
            const auto dOptions = inferDiscriminatorOptions(d, &why);
            if (!dOptions) throw Error(dPath + ": " + why);
            PatchDiscriminator probe(*dOptions);  // a bad D must not take the generator down with it
            loadStateDict(*probe, d, dPath);
            info.discriminator = dOptions;
            info.metadata["discriminator_file"] = dPath;
            withD = true;
        } catch (const Error& e) {
            warn(info, "the discriminator beside it cannot be used: " + oneLine(e.what()));
        }
    }
    return assembleModel(std::move(info), g, withD ? &d : nullptr);
}

}  // namespace p2p
