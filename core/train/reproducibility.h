#pragma once

// What decides a training run's arithmetic, and whether a resume can repeat it bit for bit.
// The settings a run chooses (compute_threads, device, fast_path, precision) are TrainOptions: a run records
// what they resolved to and a resume restores them. The machine's own properties (CPU kernels, BLAS,
// LibTorch) are recorded with every checkpoint as a NumericsEnvironment: a resume can only compare them and
// say what differs. Torch-free, so that the CLI and ui/ can ask.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/train/train_options.h"

namespace p2p {

struct NumericsEnvironment {
    int hardware_threads = 0;  // cores the machine offered
    int cuda_devices = 0;
    std::string cpu_capability;  // ATen's vector kernels: DEFAULT, AVX2 or AVX512
    std::string cpu_bf16;        // CpuBf16Support::describe(): oneDNN's bf16 kernels differ with it
    std::string blas;            // what libblas.so.3 resolves to
    std::string torch_version;

    static NumericsEnvironment current();
    nlohmann::json toJson() const;
    // Missing keys stay empty (checkpoints written before the record): they are then not compared.
    static NumericsEnvironment fromJson(const nlohmann::json& j);
};

// The settings a resume may change without making the run another experiment: they only change how the
// arithmetic runs. Unset keeps the saved value.
struct ExecutionChange {
    std::optional<int> compute_threads;  // 0: one per core
    std::optional<Device> device;
    std::optional<bool> fast_path;
    std::optional<TrainPrecision> precision;  // auto resolves on this machine
    bool empty() const { return !compute_threads && !device && !fast_path && !precision; }
};

// How a resumed run will compute compared with how it computed so far. Each line names the setting, the saved
// value and the new one.
struct ResumeReport {
    std::vector<std::string> overrides;    // settings given with the resume, e.g. "compute_threads: saved 1, now 2 ..."
    std::vector<std::string> differences;  // what this machine cannot restore, and that the result will differ
    bool numerics_overridden = false;      // an override changed the arithmetic (not just the schedule)
    bool bitIdentical() const { return differences.empty() && !numerics_overridden; }
};

// Decides the execution settings of a resumed run, in `options` (the saved options, changed in place):
// restores the saved thread count and device where this machine can, applies `change`, and reports both.
// `savedDevice` is the device the run resolved to (cpu, cuda[:N]; auto when unknown);
// `saved` is the recorded environment, or nullptr when there is none. Throws p2p::Error for a change this
// machine cannot honour (e.g. --device cuda without CUDA).
ResumeReport planResume(TrainOptions& options, const Device& savedDevice, const NumericsEnvironment* saved,
                        const ExecutionChange& change, const NumericsEnvironment& here);

// What a training checkpoint holds, for `pix2pix inspect` and `pix2pix export`.
struct CheckpointSummary {
    std::string path;
    TrainOptions options;
    int epoch = 1;  // 1-based epoch of the next step
    int64_t iteration = 0;
    int64_t epoch_iteration = 0;
    int64_t iterations_per_epoch = 0;
    int64_t dataset_size = 0;
    double lr = 0;
    double elapsed_seconds = 0;
    Device device;  // what the run resolved to
    std::optional<NumericsEnvironment> environment;
    ResumeReport resume_here;  // resuming it on this machine with no flags

    std::string describe() const;
    nlohmann::json toJson() const;
};

// Loads the checkpoint (throws p2p::Error naming the file when it is not one) and compares it with this machine.
CheckpointSummary summarizeTrainingCheckpoint(const std::string& path);
// True when `path` is a Pix2Pix Studio training checkpoint, judged from its zip directory and record
// (cheap: reads no weights). Never throws.
bool isTrainingCheckpoint(const std::string& path);

}  // namespace p2p
