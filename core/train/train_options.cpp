#include "core/train/train_options.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "core/common/error.h"
#include "core/common/runtime.h"

namespace p2p {

namespace {

[[noreturn]] void fail(const std::string& field, const std::string& reason) {
    throw Error("training option " + field + ": " + reason);
}

void requireRange(const std::string& field, long long value, long long low, long long high) {
    if (value < low || value > high)
        fail(field, "must be in " + std::to_string(low) + ".." + std::to_string(high) + ", got " +
                        std::to_string(value));
}

void requireFinite(const std::string& field, double value, double low, double high, bool lowInclusive) {
    if (!std::isfinite(value) || value > high || (lowInclusive ? value < low : value <= low)) {
        std::string range =
            (lowInclusive ? "[" : "(") + std::to_string(low) + ", " + std::to_string(high) + "]";
        fail(field, "must be a finite number in " + range + ", got " + std::to_string(value));
    }
}

}  // namespace

std::string toString(TrainPrecision precision) {
    switch (precision) {
        case TrainPrecision::Auto: return "auto";
        case TrainPrecision::FP32: return "fp32";
        case TrainPrecision::BF16: return "bf16";
        case TrainPrecision::FP16: return "fp16";
        case TrainPrecision::FP64: return "fp64";
    }
    return "auto";
}

TrainPrecision trainPrecisionFromString(const std::string& name) {
    if (name == "auto") return TrainPrecision::Auto;
    if (name == "fp32") return TrainPrecision::FP32;
    if (name == "bf16") return TrainPrecision::BF16;
    if (name == "fp16") return TrainPrecision::FP16;
    if (name == "fp64") return TrainPrecision::FP64;
    throw Error("unknown precision '" + name + "' (expected auto, fp32, bf16 or fp64)");
}

TrainPrecision resolvePrecision(TrainPrecision requested, const Device& device, bool cpuHasBf16) {
    if (requested != TrainPrecision::Auto) return requested;
    // On CUDA, fp32 until fp16 has its gradient scaler; bf16 there is chosen explicitly.
    return device.isCpu() && cpuHasBf16 ? TrainPrecision::BF16 : TrainPrecision::FP32;
}

std::string describePrecision(TrainPrecision resolved, const Device& device) {
    std::string text = toString(resolved);
    if (resolved == TrainPrecision::FP64)
        return text + ": weights, activations, gradients, Adam and losses in double (slow; for checking arithmetic)";
    if (resolved != TrainPrecision::BF16) return text;
    text += " convolutions; weights, Adam, losses and BatchNorm statistics in fp32";
    if (device.isCpu()) text += " (CPU bf16 instructions: " + cpuBf16Support().describe() + ")";
    return text;
}

void TrainOptions::validate() const {
    if (dataroot.empty()) fail("dataroot", "the data folder is not set");
    if (direction != "AtoB" && direction != "BtoA")
        fail("direction", "must be AtoB or BtoA, got '" + direction + "'");
    static const std::set<std::string> preprocesses = {"resize_and_crop", "crop", "scale_width",
                                                       "scale_width_and_crop", "none"};
    if (!preprocesses.count(preprocess))
        fail("preprocess", "must be resize_and_crop, crop, scale_width, scale_width_and_crop or none, got '" +
                               preprocess + "'");
    requireRange("load_size", load_size, 1, 8192);
    requireRange("crop_size", crop_size, 1, 8192);
    if ((preprocess == "resize_and_crop" || preprocess == "scale_width_and_crop") && crop_size > load_size)
        fail("crop_size", "(" + std::to_string(crop_size) + ") must not exceed load_size (" +
                              std::to_string(load_size) + ") when preprocess is " + preprocess);
    requireRange("batch_size", batch_size, 1, 1024);
    requireRange("num_threads", num_threads, 0, 64);

    if (netG != "unet_256" && netG != "unet_128")
        fail("netG", "must be unet_256 or unet_128, got '" + netG + "'");
    if (netD != "basic" && netD != "n_layers" && netD != "pixel")
        fail("netD", "must be basic, n_layers or pixel, got '" + netD + "'");
    requireRange("n_layers_D", n_layers_D, 1, 5);
    requireRange("ngf", ngf, 1, 512);
    requireRange("ndf", ndf, 1, 512);
    if (norm != "batch" && norm != "instance" && norm != "none")
        fail("norm", "must be batch, instance or none, got '" + norm + "'");
    // The rest of the generator's rules (upsample among them) live with its options, checked once there.
    try {
        generatorOptions().validate();
    } catch (const Error& e) {
        fail("generator", e.what());
    }
    requireFinite("init_gain", init_gain, 0.0, 1.0, false);
    // The U-Net's skip connections need the crop to be a multiple of 2^downs; scale_width and none produce
    // sizes that depend on the images, and the data loader pads or resizes those to the multiple.
    const int multiple = generatorOptions().sizeMultiple();
    if ((preprocess == "resize_and_crop" || preprocess == "crop" || preprocess == "scale_width_and_crop") &&
        crop_size % multiple != 0)
        fail("crop_size", std::to_string(crop_size) + " is not a multiple of " + std::to_string(multiple) +
                              ", which " + netG + " needs (" + std::to_string(generatorOptions().numDowns()) +
                              " stride-2 downsamplings)");

    if (gan_mode != "vanilla" && gan_mode != "lsgan")
        fail("gan_mode", "must be vanilla or lsgan, got '" + gan_mode + "'");
    requireFinite("lambda_L1", lambda_L1, 0.0, 1e6, true);
    requireFinite("lr", lr, 0.0, 1.0, false);
    requireFinite("beta1", beta1, 0.0, 0.999999, true);
    requireRange("n_epochs", n_epochs, 0, 100000);
    requireRange("n_epochs_decay", n_epochs_decay, 0, 100000);
    if (totalEpochs() < 1) fail("n_epochs", "n_epochs + n_epochs_decay must be at least 1");
    requireRange("compute_threads", compute_threads, 0, 1024);
    if (precision == TrainPrecision::FP16)
        fail("precision",
             "fp16 training is not available: on a CPU there are no fast fp16 convolutions, and on CUDA it "
             "needs a gradient scaler, which LibTorch 1.13's C++ API does not have; use bf16 or fp32");

    if (run_dir.empty()) fail("run_dir", "the run folder is not set");
    requireRange("save_epoch_freq", save_epoch_freq, 0, 1000000);
    requireRange("keep_checkpoints", keep_checkpoints, 0, 1000000);
    requireRange("save_latest_freq", save_latest_freq, 0, 1000000000);
    requireRange("sample_freq", sample_freq, 0, 1000000000);
    requireRange("log_freq", log_freq, 1, 1000000000);
}

GeneratorOptions TrainOptions::generatorOptions() const {
    GeneratorOptions g;
    g.netG = netG;
    g.ngf = ngf;
    g.norm = normFromString(norm);
    g.dropout = dropout;
    g.upsample = upsample;
    return g;
}

DiscriminatorOptions TrainOptions::discriminatorOptions() const {
    DiscriminatorOptions d;
    d.netD = netD;
    d.ndf = ndf;
    d.n_layers = n_layers_D;
    d.norm = normFromString(norm);
    d.input_nc = 6;  // conditional D: cat(input, output)
    return d;
}

TransformOptions TrainOptions::transformOptions() const {
    TransformOptions t;
    t.preprocess = preprocessFromString(preprocess);
    t.load_size = load_size;
    t.crop_size = crop_size;
    t.flip = !no_flip;
    t.size_multiple = generatorOptions().sizeMultiple();
    return t;
}

ScanOptions TrainOptions::scanOptions() const {
    ScanOptions s;
    s.pair_resize = pair_resize;
    return s;
}

Direction TrainOptions::directionValue() const {
    return directionFromString(direction);
}

double TrainOptions::learningRateAt(int epoch) const {
    // The reference builds LambdaLR with lambda_rule and calls scheduler.step() once at the end of each
    // epoch, so the 0-based epoch e trains with lr * lambda_rule(e); epoch_count is 1.
    const int e = std::max(epoch, 0);
    const double factor = 1.0 - std::max(0, e + 1 - n_epochs) / static_cast<double>(n_epochs_decay + 1);
    return lr * factor;
}

nlohmann::json TrainOptions::toJson() const {
    nlohmann::json j = {{"dataroot", dataroot},
                        {"direction", direction},
                        {"preprocess", preprocess},
                        {"load_size", load_size},
                        {"crop_size", crop_size},
                        {"no_flip", no_flip},
                        {"batch_size", batch_size},
                        {"num_threads", num_threads},
                        {"pair_resize", pair_resize},
                        {"netG", netG},
                        {"netD", netD},
                        {"n_layers_D", n_layers_D},
                        {"ngf", ngf},
                        {"ndf", ndf},
                        {"norm", norm},
                        {"dropout", dropout},
                        {"init_gain", init_gain},
                        {"gan_mode", gan_mode},
                        {"lambda_L1", lambda_L1},
                        {"lr", lr},
                        {"beta1", beta1},
                        {"n_epochs", n_epochs},
                        {"n_epochs_decay", n_epochs_decay},
                        {"seed", seed},
                        {"device", device.str()},
                        {"compute_threads", compute_threads},
                        {"fast_path", fast_path},
                        {"precision", toString(precision)},
                        {"run_dir", run_dir},
                        {"save_epoch_freq", save_epoch_freq},
                        {"keep_checkpoints", keep_checkpoints},
                        {"snapshot_half", snapshot_half},
                        {"save_latest_freq", save_latest_freq},
                        {"sample_freq", sample_freq},
                        {"log_freq", log_freq}};
    if (upsample != Upsample::Transposed) j["upsample"] = toString(upsample);
    return j;
}

namespace {

template <typename T>
void readField(const nlohmann::json& j, const char* key, T& field) {
    auto it = j.find(key);
    if (it == j.end()) return;  // keeps the default, so older option files still load
    try {
        if constexpr (std::is_same_v<T, bool>) {
            if (!it->is_boolean()) throw Error("expected true or false");
        } else if constexpr (std::is_same_v<T, std::string>) {
            if (!it->is_string()) throw Error("expected a string");
        } else if constexpr (std::is_integral_v<T>) {
            if (!it->is_number_integer()) throw Error("expected an integer");
            if constexpr (std::is_unsigned_v<T>) {
                if (!it->is_number_unsigned()) throw Error("expected a non-negative integer");
            } else {
                const bool inRange = it->is_number_unsigned()
                                         ? it->get<unsigned long long>() <=
                                               static_cast<unsigned long long>(std::numeric_limits<T>::max())
                                         : (it->get<long long>() >= std::numeric_limits<T>::min() &&
                                            it->get<long long>() <= std::numeric_limits<T>::max());
                if (!inRange) throw Error("the integer is out of range");
            }
        } else {
            if (!it->is_number()) throw Error("expected a number");
        }
        field = it->get<T>();
    } catch (const Error& e) {
        throw Error(std::string("training option ") + key + " in JSON: " + e.what() + ", got " + it->dump());
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("training option ") + key + " in JSON: " + e.what());
    }
}

void readField(const nlohmann::json& j, const char* key, Device& field) {
    std::string text;
    readField(j, key, text);
    if (text.empty()) return;
    try {
        field = Device::parse(text);
    } catch (const Error& e) {
        throw Error(std::string("training option ") + key + " in JSON: " + e.what());
    }
}

// A named value ("bf16", "resize") of an enum, through its fromString.
template <typename Enum>
void readField(const nlohmann::json& j, const char* key, Enum& field,
               Enum (*fromString)(const std::string&)) {
    if (!j.contains(key)) return;
    std::string name;
    readField(j, key, name);
    try {
        field = fromString(name);
    } catch (const Error& e) {
        throw Error(std::string("training option ") + key + " in JSON: " + e.what());
    }
}

}  // namespace

TrainOptions TrainOptions::fromJson(const nlohmann::json& j) {
    if (!j.is_object())
        throw Error("training options: expected a JSON object, got " + std::string(j.type_name()));
    TrainOptions o;
    const nlohmann::json known = o.toJson();
    for (const auto& item : j.items())
        if (!known.contains(item.key()) && item.key() != "upsample")
            throw Error("training options: unknown key '" + item.key() + "'");
    readField(j, "dataroot", o.dataroot);
    readField(j, "direction", o.direction);
    readField(j, "preprocess", o.preprocess);
    readField(j, "load_size", o.load_size);
    readField(j, "crop_size", o.crop_size);
    readField(j, "no_flip", o.no_flip);
    readField(j, "batch_size", o.batch_size);
    readField(j, "num_threads", o.num_threads);
    readField(j, "pair_resize", o.pair_resize);
    readField(j, "netG", o.netG);
    readField(j, "netD", o.netD);
    readField(j, "n_layers_D", o.n_layers_D);
    readField(j, "ngf", o.ngf);
    readField(j, "ndf", o.ndf);
    readField(j, "norm", o.norm);
    readField(j, "dropout", o.dropout);
    readField(j, "upsample", o.upsample, &upsampleFromString);
    readField(j, "init_gain", o.init_gain);
    readField(j, "gan_mode", o.gan_mode);
    readField(j, "lambda_L1", o.lambda_L1);
    readField(j, "lr", o.lr);
    readField(j, "beta1", o.beta1);
    readField(j, "n_epochs", o.n_epochs);
    readField(j, "n_epochs_decay", o.n_epochs_decay);
    readField(j, "seed", o.seed);
    readField(j, "device", o.device);
    readField(j, "compute_threads", o.compute_threads);
    readField(j, "fast_path", o.fast_path);
    // Runs recorded before the setting existed computed in fp32: without the key, they resume in fp32.
    o.precision = TrainPrecision::FP32;
    readField(j, "precision", o.precision, &trainPrecisionFromString);
    readField(j, "run_dir", o.run_dir);
    readField(j, "save_epoch_freq", o.save_epoch_freq);
    readField(j, "keep_checkpoints", o.keep_checkpoints);
    readField(j, "snapshot_half", o.snapshot_half);
    readField(j, "save_latest_freq", o.save_latest_freq);
    readField(j, "sample_freq", o.sample_freq);
    readField(j, "log_freq", o.log_freq);
    return o;
}

std::string TrainOptions::describeNumerics() const {
    std::string fast = fastPathActive() ? "on" : "off";
    if (fast_path && !fastPathActive()) fast += precision == TrainPrecision::FP64 ? " (fp64 runs eager)" : " (CUDA)";
    return "compute_threads " + std::to_string(compute_threads) + ", device " + device.str() + ", fast_path " + fast +
           ", precision " + toString(precision) + ", seed " + std::to_string(seed);
}

}  // namespace p2p
