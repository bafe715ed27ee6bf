#include "core/train/checkpoint.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <type_traits>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/version.h>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/torch_device.h"
#include "core/common/error_text.h"
#include "core/common/runtime.h"
#include "core/io/torch_archive.h"
#include "core/io/zip_reader.h"
#include "core/train/blocked_adam.h"

namespace p2p {

namespace {

constexpr const char* kCheckpointTag = "pix2pix-studio-training-checkpoint/1";

template <typename Optimizer>
auto& stateMap(Optimizer& optimizer) {
    return optimizer.state();
}

c10::Dict<std::string, at::Tensor> toDict(const StateDict& state) {
    c10::Dict<std::string, at::Tensor> dict;
    for (const auto& [key, value] : state) dict.insert(key, value.detach().to(torch::kCPU).contiguous());
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

c10::Dict<std::string, at::Tensor> adamToDict(const AdamStateRecord& record) {
    c10::Dict<std::string, at::Tensor> dict;
    for (const auto& [name, param] : record) {
        dict.insert(name + "/step", torch::tensor(param.step, torch::kInt64));
        dict.insert(name + "/exp_avg", param.exp_avg.detach().to(torch::kCPU).contiguous());
        dict.insert(name + "/exp_avg_sq", param.exp_avg_sq.detach().to(torch::kCPU).contiguous());
    }
    return dict;
}

AdamStateRecord adamFromDict(const c10::IValue& value, const std::string& what) {
    const StateDict flat = fromDict(value, what);
    AdamStateRecord record;  // in the order written: the network's parameter order
    std::map<std::string, size_t> index;
    std::vector<int> seen;
    for (const auto& [key, tensor] : flat) {
        const auto slash = key.rfind('/');
        if (slash == std::string::npos) throw Error(what + " has an unexpected entry '" + key + "'");
        const std::string name = key.substr(0, slash), field = key.substr(slash + 1);
        auto found = index.find(name);
        if (found == index.end()) {
            found = index.emplace(name, record.size()).first;
            record.emplace_back(name, AdamParamRecord{});
            seen.push_back(0);
        }
        auto& param = record[found->second].second;
        if (field == "step") {
            if (tensor.numel() != 1 || tensor.scalar_type() != torch::kInt64)
                throw Error(what + ": '" + key + "' is not an integer step count");
            param.step = tensor.item<int64_t>();
            if (param.step < 0) throw Error(what + ": '" + key + "' is negative");
        } else if (field == "exp_avg") {
            param.exp_avg = tensor;
        } else if (field == "exp_avg_sq") {
            param.exp_avg_sq = tensor;
        } else {
            throw Error(what + " has an unexpected entry '" + key + "'");
        }
        ++seen[found->second];
    }
    for (size_t i = 0; i < record.size(); ++i)
        if (seen[i] != 3 || !record[i].second.exp_avg.defined() || !record[i].second.exp_avg_sq.defined())
            throw Error(what + ": the state of '" + record[i].first + "' is incomplete");
    return record;
}

// A 64-bit content hash over the header and every tensor's bytes, checked on load: the zip container does
// not verify record checksums, so a flipped byte inside a tensor would otherwise load silently.
class ContentHash {
public:
    void add(const void* data, size_t size) {
        const auto* bytes = static_cast<const unsigned char*>(data);
        size_t i = 0;
        for (; i + 8 <= size; i += 8) {
            uint64_t word;
            std::memcpy(&word, bytes + i, 8);
            mix(word);
        }
        uint64_t tail = 0;
        std::memcpy(&tail, bytes + i, size - i);
        mix(tail ^ (uint64_t(size) << 56));
    }
    void add(const std::string& s) { add(s.data(), s.size()); }
    void add(const torch::Tensor& t) {
        const auto c = t.detach().to(torch::kCPU).contiguous();
        add(std::string(c10::toString(c.scalar_type())));
        for (int64_t d : c.sizes()) mix(static_cast<uint64_t>(d));
        add(c.data_ptr(), c.numel() * c.element_size());
    }
    void add(const StateDict& dict) {
        for (const auto& [key, value] : dict) {
            add(key);
            add(value);
        }
    }
    void add(const AdamStateRecord& record) {
        for (const auto& [name, param] : record) {
            add(name);
            mix(static_cast<uint64_t>(param.step));
            add(param.exp_avg);
            add(param.exp_avg_sq);
        }
    }
    std::string hex() const {
        char buffer[17];
        std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(state_));
        return buffer;
    }

private:
    void mix(uint64_t word) {
        state_ ^= word;
        state_ *= 0x100000001b3ULL;
        state_ ^= state_ >> 29;
    }
    uint64_t state_ = 0xcbf29ce484222325ULL;
};

std::string contentHash(const std::string& header, const TrainingCheckpoint& c) {
    ContentHash h;
    h.add(header);
    h.add(c.generator);
    h.add(c.discriminator);
    h.add(c.adam_generator);
    h.add(c.adam_discriminator);
    h.add(c.cpu_rng);
    if (c.cuda_rng.defined()) h.add(c.cuda_rng);
    for (const auto& t : c.rank_cpu_rng) h.add(t);
    for (const auto& t : c.rank_cuda_rng) h.add(t);
    return h.hex();
}

nlohmann::json headerOf(const TrainingCheckpoint& c) {
    nlohmann::json h = {{"options", c.options.toJson()},
                        {"epoch", c.position.epoch},
                        {"iteration", c.position.iteration},
                        {"epoch_iteration", c.position.epoch_iteration},
                        {"lr", c.lr},
                        {"dataset_size", c.dataset_size},
                        {"data_fingerprint", c.data_fingerprint},
                        {"iterations_per_epoch", c.iterations_per_epoch},
                        {"elapsed_seconds", c.elapsed_seconds},
                        {"device", c.device.str()},
                        {"environment", c.environment ? c.environment->toJson() : nlohmann::json()},
                        {"seed", c.options.seed},
                        {"app_version", version()},
                        {"torch_version", TORCH_VERSION}};
    // Only multi-rank runs say so: single-process checkpoints stay as they were.
    if (c.world_size > 1) h["world_size"] = c.world_size;
    return h;
}

c10::List<torch::Tensor> tensorList(const std::vector<torch::Tensor>& tensors) {
    c10::List<torch::Tensor> list;
    for (const auto& t : tensors) list.push_back(t.to(torch::kCPU));
    return list;
}

void checkFinite(const StateDict& dict, const std::string& what) {
    for (const auto& [key, t] : dict)
        if (t.is_floating_point() && !torch::isfinite(t).all().item<bool>())
            throw Error(what + ": '" + key + "' holds NaN or infinite values");
}

}  // namespace

AdamStateRecord captureAdamState(torch::optim::Adam& optimizer, const torch::nn::Module& module,
                                 AdamCapture capture) {
    auto& state = stateMap(optimizer);
    using Map = std::decay_t<decltype(state)>;
    AdamStateRecord record;
    for (const auto& item : module.named_parameters(/*recurse=*/true)) {
        auto it = state.find(optimizerStateKey<Map>(item.value()));
        if (it == state.end()) continue;
        auto& adam = static_cast<torch::optim::AdamParamState&>(*it->second);
        AdamParamRecord param;
        param.step = adam.step();
        param.exp_avg = adam.exp_avg().detach();
        param.exp_avg_sq = adam.exp_avg_sq().detach();
        if (capture == AdamCapture::Copy) {
            param.exp_avg = param.exp_avg.clone();
            param.exp_avg_sq = param.exp_avg_sq.clone();
        }
        record.emplace_back(item.key(), std::move(param));
    }
    return record;
}

void restoreAdamState(torch::optim::Adam& optimizer, const torch::nn::Module& module,
                      const AdamStateRecord& record, const std::string& what) {
    auto& state = stateMap(optimizer);
    using Map = std::decay_t<decltype(state)>;
    const auto parameters = module.named_parameters(/*recurse=*/true);
    // Check everything before touching the optimizer.
    for (const auto& [name, param] : record) {
        const torch::Tensor* p = parameters.find(name);
        if (!p)
            throw Error(what + ": optimizer state for '" + name +
                        "', which is not a parameter of the network");
        if (param.exp_avg.sizes() != p->sizes() || param.exp_avg_sq.sizes() != p->sizes())
            throw Error(what + ": optimizer state for '" + name + "' has the wrong shape");
        if (!torch::isfinite(param.exp_avg).all().item<bool>() ||
            !torch::isfinite(param.exp_avg_sq).all().item<bool>())
            throw Error(what + ": optimizer state for '" + name + "' holds NaN or infinite values");
    }
    state.clear();
    for (const auto& [name, param] : record) {
        const torch::Tensor& p = *parameters.find(name);
        auto adam = std::make_unique<torch::optim::AdamParamState>();
        adam->step(param.step);
        adam->exp_avg(param.exp_avg.to(p.device(), p.scalar_type()).contiguous().clone());
        adam->exp_avg_sq(param.exp_avg_sq.to(p.device(), p.scalar_type()).contiguous().clone());
        state[optimizerStateKey<Map>(p)] = std::move(adam);
    }
}

torch::Tensor captureCpuRng() {
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    return generator.get_state();
}

void restoreCpuRng(const torch::Tensor& state) {
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(state);
}

torch::Tensor captureCudaRng(const Device& device) {
    if (!device.isCuda()) return {};
    auto generator = at::globalContext().defaultGenerator(torchDevice(device));
    std::lock_guard<std::mutex> lock(generator.mutex());
    return generator.get_state();
}

void restoreCudaRng(const Device& device, const torch::Tensor& state) {
    if (!device.isCuda() || !state.defined()) return;
    try {
        auto generator = at::globalContext().defaultGenerator(torchDevice(device));
        std::lock_guard<std::mutex> lock(generator.mutex());
        generator.set_state(state.to(torch::kCPU));
    } catch (const c10::Error& e) {
        const std::string what = e.what();
        throw Error("the checkpoint's CUDA random generator state cannot be restored on " + device.str() +
                    ": " + what.substr(0, what.find('\n')));
    }
}

bool resumeRestoresCudaRng(const Device& device, const Device& savedDevice, const torch::Tensor& state) {
    return device.isCuda() && device == savedDevice && state.defined();
}

void saveTrainingCheckpoint(const TrainingCheckpoint& c, const std::vector<std::string>& paths) {
    torch::serialize::OutputArchive archive;
    archive.write("format", c10::IValue(std::string(kCheckpointTag)));
    const std::string header = headerOf(c).dump();
    archive.write("header", c10::IValue(header));
    archive.write("checksum", c10::IValue(contentHash(header, c)));
    archive.write("generator", c10::IValue(toDict(c.generator)));
    archive.write("discriminator", c10::IValue(toDict(c.discriminator)));
    archive.write("adam_generator", c10::IValue(adamToDict(c.adam_generator)));
    archive.write("adam_discriminator", c10::IValue(adamToDict(c.adam_discriminator)));
    archive.write("rng_cpu", c10::IValue(c.cpu_rng.to(torch::kCPU)));
    if (c.cuda_rng.defined()) archive.write("rng_cuda", c10::IValue(c.cuda_rng.to(torch::kCPU)));
    if (!c.rank_cpu_rng.empty()) archive.write("rng_cpu_ranks", c10::IValue(tensorList(c.rank_cpu_rng)));
    if (!c.rank_cuda_rng.empty()) archive.write("rng_cuda_ranks", c10::IValue(tensorList(c.rank_cuda_rng)));
    if (paths.empty()) return;
    // Straight to the file: serialising to memory first held the checkpoint twice more (the stream and its
    // string), 1.4 GB for the default networks on top of training's own memory.
    writeFileAtomically(paths.front(), [&](const std::string& temporary) { archive.save_to(temporary); });
    for (size_t i = 1; i < paths.size(); ++i)
        writeFileAtomically(paths[i], [&](const std::string& temporary) {
            std::error_code ec;
            std::filesystem::copy_file(paths.front(), temporary,
                                       std::filesystem::copy_options::overwrite_existing, ec);
            if (ec) throw Error("cannot write " + temporary + ": " + ec.message());
        });
}

TrainingCheckpoint loadTrainingCheckpoint(const std::string& path) {
    std::ifstream probe(path, std::ios::binary);
    if (!probe) throw Error(path + ": no such training checkpoint (or it cannot be read)");
    probe.close();
    TrainingCheckpoint c;
    try {
        torch::serialize::InputArchive archive;
        checkTorchArchiveOpens(path);
        archive.load_from(path);
        c10::IValue format, header;
        if (!archive.try_read("format", format) || !format.isString() ||
            format.toStringRef() != kCheckpointTag)
            throw Error(path + " is not a Pix2Pix Studio training checkpoint");
        archive.read("header", header);
        if (!header.isString()) throw Error(path + ": the checkpoint header is missing");
        const auto h = nlohmann::json::parse(header.toStringRef());
        c.options = TrainOptions::fromJson(h.at("options"));
        c.position.epoch = h.at("epoch").get<int>();
        c.position.iteration = h.at("iteration").get<int64_t>();
        c.position.epoch_iteration = h.at("epoch_iteration").get<int64_t>();
        c.lr = h.at("lr").get<double>();
        c.dataset_size = h.at("dataset_size").get<int64_t>();
        if (h.contains("data_fingerprint") && h["data_fingerprint"].is_string())
            c.data_fingerprint = h["data_fingerprint"].get<std::string>();
        c.iterations_per_epoch = h.at("iterations_per_epoch").get<int64_t>();
        c.elapsed_seconds = h.value("elapsed_seconds", 0.0);
        try {
            c.device = Device::parse(h.value("device", "cpu"));
        } catch (const Error& e) {
            throw Error(path + ": the checkpoint's device: " + e.what());
        }
        if (h.contains("environment") && h["environment"].is_object())
            c.environment = NumericsEnvironment::fromJson(h["environment"]);
        if (c.position.epoch < 1 || c.position.iteration < 0 || c.position.epoch_iteration < 0 ||
            !std::isfinite(c.lr) || c.lr < 0 || c.dataset_size < 0 || c.iterations_per_epoch < 0)
            throw Error(path + ": the checkpoint header holds impossible values");

        c10::IValue value;
        archive.read("generator", value);
        c.generator = fromDict(value, path + " (generator)");
        archive.read("discriminator", value);
        c.discriminator = fromDict(value, path + " (discriminator)");
        archive.read("adam_generator", value);
        c.adam_generator = adamFromDict(value, path + " (generator optimizer)");
        archive.read("adam_discriminator", value);
        c.adam_discriminator = adamFromDict(value, path + " (discriminator optimizer)");
        archive.read("rng_cpu", value);
        if (!value.isTensor()) throw Error(path + ": the random generator state is missing");
        c.cpu_rng = value.toTensor();
        if (archive.try_read("rng_cuda", value) && value.isTensor()) c.cuda_rng = value.toTensor();
        c.world_size = h.value("world_size", 1);
        if (c.world_size < 1) throw Error(path + ": the checkpoint header holds impossible values");
        if (archive.try_read("rng_cpu_ranks", value) && value.isTensorList())
            for (const auto& t : value.toTensorVector()) c.rank_cpu_rng.push_back(t);
        if (archive.try_read("rng_cuda_ranks", value) && value.isTensorList())
            for (const auto& t : value.toTensorVector()) c.rank_cuda_rng.push_back(t);
        c10::IValue checksum;
        if (!archive.try_read("checksum", checksum) || !checksum.isString())
            throw Error(path + ": the checkpoint has no checksum");
        if (checksum.toStringRef() != contentHash(header.toStringRef(), c))
            throw Error(path + " is corrupt: its contents do not match the checksum written with it");
    } catch (const Error&) {
        throw;
    } catch (const nlohmann::json::exception& e) {
        throw Error(path + ": the checkpoint header is not valid (" + e.what() + ")");
    } catch (const std::exception& e) {
        throw Error(path + " is not a readable training checkpoint (truncated or corrupt?): " +
                    readableReason(e.what()));
    }
    checkFinite(c.generator, path + " (generator)");
    checkFinite(c.discriminator, path + " (discriminator)");
    return c;
}

bool isTrainingCheckpoint(const std::string& path) {
    try {
        // A TorchScript archive whose pickled attributes (the small data.pkl, not the weights) hold our tag.
        const ZipArchive zip = ZipArchive::openFile(path);
        for (const auto& entry : zip.entries()) {
            const std::string suffix = "/data.pkl";
            if (entry.name.size() < suffix.size() ||
                entry.name.compare(entry.name.size() - suffix.size(), suffix.size(), suffix) != 0 ||
                std::count(entry.name.begin(), entry.name.end(), '/') != 1)
                continue;
            return zip.read(entry, 64u << 20).find(kCheckpointTag) != std::string::npos;
        }
    } catch (const std::exception&) {
    }
    return false;
}

CheckpointSummary summarizeTrainingCheckpoint(const std::string& path) {
    const TrainingCheckpoint c = loadTrainingCheckpoint(path);
    CheckpointSummary s;
    s.path = path;
    s.options = c.options;
    s.epoch = c.position.epoch;
    s.iteration = c.position.iteration;
    s.epoch_iteration = c.position.epoch_iteration;
    s.iterations_per_epoch = c.iterations_per_epoch;
    s.dataset_size = c.dataset_size;
    s.lr = c.lr;
    s.elapsed_seconds = c.elapsed_seconds;
    s.device = c.device;
    s.environment = c.environment;
    TrainOptions planned = c.options;
    s.resume_here = planResume(planned, c.device, c.environment ? &*c.environment : nullptr, {},
                               NumericsEnvironment::current());
    return s;
}

ModelInfo modelInfoOf(const TrainingCheckpoint& c, const std::string& checkpointPath) {
    ModelInfo info;
    info.path = checkpointPath;
    info.format = "checkpoint";
    info.name = std::filesystem::path(c.options.run_dir).filename().string();
    info.generator = c.options.generatorOptions();
    info.discriminator = c.options.discriminatorOptions();
    info.direction = c.options.direction;
    info.architecture_inferred = false;
    info.metadata = {{"trained_with", "pix2pix-studio " + version()},
                     {"iteration", c.position.iteration},
                     {"epochs_completed", c.position.epoch - 1},
                     {"dataroot", c.options.dataroot},
                     {"checkpoint", std::filesystem::path(checkpointPath).filename().string()},
                     {"training_seconds", c.elapsed_seconds},
                     {"options", c.options.toJson()}};
    return info;
}

}  // namespace p2p
