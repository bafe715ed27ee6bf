#include "core/train/reproducibility.h"

#include <iomanip>
#include <sstream>

#include <torch/torch.h>

#include "core/common/error.h"
#include "core/common/runtime.h"

namespace p2p {

namespace {

const char* const kNotBitIdentical = "the result will not be bit-identical to an uninterrupted run";

TrainOptions withDevice(TrainOptions options, const Device& device) {
    options.device = device;  // an older run recorded "auto"; the summary knows what it resolved to
    return options;
}

std::string onOff(bool on) {
    return on ? "on" : "off";
}

}  // namespace

NumericsEnvironment NumericsEnvironment::current() {
    // Fixed for the life of the process; asked at every checkpoint.
    static const NumericsEnvironment here = [] {
        NumericsEnvironment e;
        e.hardware_threads = hardwareThreads();
        e.cuda_devices = cudaDeviceCount();
        e.cpu_capability = cpuCapability();
        e.cpu_bf16 = cpuBf16Support().describe();
        e.blas = activeBlas();
        e.torch_version = TORCH_VERSION;
        return e;
    }();
    return here;
}

nlohmann::json NumericsEnvironment::toJson() const {
    return {{"hardware_threads", hardware_threads},
            {"cuda_devices", cuda_devices},
            {"cpu_capability", cpu_capability},
            {"cpu_bf16", cpu_bf16},
            {"blas", blas},
            {"torch_version", torch_version}};
}

NumericsEnvironment NumericsEnvironment::fromJson(const nlohmann::json& j) {
    NumericsEnvironment e;
    if (!j.is_object()) return e;
    auto text = [&](const char* key) {
        const auto it = j.find(key);
        return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    auto number = [&](const char* key) {
        const auto it = j.find(key);
        return it != j.end() && it->is_number_integer() ? it->get<int>() : 0;
    };
    e.hardware_threads = number("hardware_threads");
    e.cuda_devices = number("cuda_devices");
    e.cpu_capability = text("cpu_capability");
    e.cpu_bf16 = text("cpu_bf16");
    e.blas = text("blas");
    e.torch_version = text("torch_version");
    return e;
}

ResumeReport planResume(TrainOptions& options, const Device& savedDevice, const NumericsEnvironment* saved,
                        const ExecutionChange& change, const NumericsEnvironment& here) {
    ResumeReport report;
    auto overridden = [&](const std::string& setting, const std::string& from, const std::string& to) {
        report.overrides.push_back(setting + ": saved " + from + ", now " + to + " (given with the resume; " +
                                   kNotBitIdentical + ")");
        report.numerics_overridden = true;
    };

    // Compute threads: another count splits the reductions differently.
    const int savedThreads = options.compute_threads;
    const int cores = std::max(1, here.hardware_threads);
    if (change.compute_threads) {
        const int now = *change.compute_threads > 0 ? *change.compute_threads : cores;
        if (now != savedThreads)
            overridden("compute_threads", savedThreads > 0 ? std::to_string(savedThreads) : "unrecorded",
                       std::to_string(now));
        options.compute_threads = now;
    } else if (savedThreads <= 0) {
        options.compute_threads = cores;
        report.differences.push_back(
            "compute_threads: the run did not record its thread count (it predates the record); continuing "
            "with " + std::to_string(cores) + " (one per core): if it used another count, " + kNotBitIdentical);
    } else if (savedThreads > cores) {
        // More threads than cores would still add up the same way, but slowly: the user chooses that.
        options.compute_threads = cores;
        report.differences.push_back("compute_threads: the run used " + std::to_string(savedThreads) +
                                     ", this machine has " + std::to_string(cores) + " cores, so it continues with " +
                                     std::to_string(cores) + ": " + kNotBitIdentical + " (--threads " +
                                     std::to_string(savedThreads) + " keeps the saved count, slowly)");
    }

    // Device: a run that trained on the CPU stays there even where "auto" would now pick a GPU. Runs that
    // predate the record may say "auto".
    const Device before = savedDevice.isAuto() ? options.device : savedDevice;
    if (change.device) {
        const Device now = change.device->resolvedOn(here.cuda_devices);
        if (now != before) overridden("device", before.str(), now.str());
        options.device = now;
    } else if (before.isCuda() && here.cuda_devices == 0) {
        options.device = Device::cpu();
        report.differences.push_back("device: the run trained on " + before.str() +
                                     ", this machine has no CUDA GPU, so it continues on the CPU: " +
                                     kNotBitIdentical);
    } else if (before.isCuda() && before.index() >= here.cuda_devices) {
        options.device = Device::cuda();
        report.differences.push_back("device: the run trained on " + before.str() + ", this machine has " +
                                     std::to_string(here.cuda_devices) + " GPU(s), so it continues on cuda:0: " +
                                     "if that is another GPU model, " + kNotBitIdentical);
    } else {
        options.device = before.resolvedOn(here.cuda_devices);
    }

    if (change.fast_path && *change.fast_path != options.fast_path) {
        overridden("fast_path", onOff(options.fast_path), onOff(*change.fast_path));
        options.fast_path = *change.fast_path;
    }

    // Precision: the saved one (what auto resolved to when the run started), unless overridden.
    const bool hereHasBf16 = !here.cpu_bf16.empty() && here.cpu_bf16 != "none";
    if (change.precision) {
        const TrainPrecision now = resolvePrecision(*change.precision, options.device, hereHasBf16);
        if (now != options.precision) overridden("precision", toString(options.precision), toString(now));
        options.precision = now;
    } else {
        options.precision = resolvePrecision(options.precision, options.device, hereHasBf16);
    }

    // What the machine itself decides. Unrecorded (older checkpoints) is not compared.
    if (saved) {
        auto compare = [&](const std::string& what, const std::string& then, const std::string& now) {
            if (!then.empty() && !now.empty() && then != now)
                report.differences.push_back(what + ": the run used " + then + ", this machine has " + now +
                                             ": " + kNotBitIdentical);
        };
        if (!options.device.isCuda()) {
            compare("CPU kernels", saved->cpu_capability, here.cpu_capability);
            // oneDNN picks its bf16 convolutions by these instructions (AMX tiles, AVX512_BF16, emulation).
            if (options.precision == TrainPrecision::BF16)
                compare("CPU bf16 instructions", saved->cpu_bf16, here.cpu_bf16);
            // Only LibTorch's own ConvTranspose2d goes through BLAS; the fast path runs it on oneDNN.
            if (!options.fast_path) compare("BLAS", saved->blas, here.blas);
        }
        compare("LibTorch", saved->torch_version, here.torch_version);
    }
    return report;
}

std::string CheckpointSummary::describe() const {
    std::ostringstream s;
    s << std::setprecision(6);
    const auto& o = options;
    s << "checkpoint:    " << path << "\n"
      << "format:        Pix2Pix Studio training checkpoint (.ckpt)\n"
      << "position:      iteration " << iteration << ", ";
    if (epoch > o.totalEpochs())
        s << "finished (" << o.totalEpochs() << " of " << o.totalEpochs() << " epochs)\n";
    else
        s << "epoch " << epoch << " of " << o.totalEpochs() << " (" << epoch_iteration << " of "
          << iterations_per_epoch << " steps done in it), next lr " << lr << "\n";
    s
      << "trained for:   " << std::fixed << std::setprecision(1) << elapsed_seconds << " s\n"
      << std::defaultfloat << std::setprecision(6)
      << "data:          " << o.dataroot << " (" << dataset_size << " training pairs, " << o.direction << ")\n"
      << "generator:     " << o.generatorOptions().describe() << "\n"
      << "discriminator: " << o.discriminatorOptions().describe() << "\n"
      << "numerics:      " << withDevice(o, device).describeNumerics() << "\n";
    if (environment)
        s << "recorded on:   " << environment->hardware_threads << " cores, " << environment->cuda_devices
          << " GPU(s), CPU kernels " << environment->cpu_capability << ", CPU bf16 "
          << (environment->cpu_bf16.empty() ? "unrecorded" : environment->cpu_bf16) << ", LibTorch "
          << environment->torch_version << ", " << environment->blas << "\n";
    else
        s << "recorded on:   (not recorded: an older checkpoint)\n";
    s << "options:       " << o.toJson().dump() << "\n";
    if (resume_here.bitIdentical()) {
        s << "resume here:   bit-identical on this machine\n";
    } else {
        s << "resume here:   not bit-identical on this machine:\n";
        for (const auto& line : resume_here.differences) s << "               " << line << "\n";
    }
    return s.str();
}

nlohmann::json CheckpointSummary::toJson() const {
    return {{"path", path},
            {"format", "training-checkpoint"},
            {"epoch", epoch},
            {"iteration", iteration},
            {"epoch_iteration", epoch_iteration},
            {"iterations_per_epoch", iterations_per_epoch},
            {"dataset_size", dataset_size},
            {"lr", lr},
            {"elapsed_seconds", elapsed_seconds},
            {"device", device.str()},
            {"options", options.toJson()},
            {"environment", environment ? environment->toJson() : nlohmann::json()},
            {"resume_bit_identical_here", resume_here.bitIdentical()},
            {"resume_differences_here", resume_here.differences}};
}

}  // namespace p2p
