#pragma once

// Training checkpoints: everything needed to continue a run bit for bit (weights, both Adam states, the
// position in the data order, the learning rate, the random generators). Internal to core: includes torch.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "core/io/model_file.h"
#include "core/io/state_dict.h"
#include "core/train/reproducibility.h"
#include "core/train/train_options.h"

namespace p2p {

// One parameter's Adam moments, written explicitly so the file does not depend on LibTorch's own optimizer
// archive layout (which differs between 1.13 and 2.x).
struct AdamParamRecord {
    int64_t step = 0;
    torch::Tensor exp_avg;
    torch::Tensor exp_avg_sq;
};
using AdamStateRecord = std::vector<std::pair<std::string, AdamParamRecord>>;  // by parameter name

// Where the run stands between two steps.
struct TrainingPosition {
    int epoch = 1;                // 1-based epoch that the next step belongs to
    int64_t iteration = 0;        // steps completed in the whole run
    int64_t epoch_iteration = 0;  // steps completed within `epoch`
};

struct TrainingCheckpoint {
    TrainOptions options;
    TrainingPosition position;
    double lr = 0;             // the learning rate the next step uses
    int64_t dataset_size = 0;  // training pairs when the checkpoint was written
    std::string data_fingerprint;  // datasetFingerprint of those pairs; empty in older checkpoints
    int64_t iterations_per_epoch = 0;
    double elapsed_seconds = 0;  // training time so far, pauses excluded
    Device device = Device::cpu();  // the device the run resolved to
    // The machine the checkpoint was written on (CPU kernels, BLAS, LibTorch); unset in older checkpoints.
    std::optional<NumericsEnvironment> environment;
    StateDict generator;
    StateDict discriminator;
    AdamStateRecord adam_generator;
    AdamStateRecord adam_discriminator;
    torch::Tensor cpu_rng;   // the default CPU generator's state (dropout draws)
    torch::Tensor cuda_rng;  // the default CUDA generator's state; undefined on CPU
    // Data-parallel runs (core/dist): how many ranks wrote it, and ranks 1..N-1's generator states (rank 0's
    // are the two above). Empty when a failed run saved without its peers: those ranks then reseed.
    int world_size = 1;
    std::vector<torch::Tensor> rank_cpu_rng, rank_cuda_rng;
};

// Copy: a snapshot. Reference: the optimizer's own tensors, valid until its next step: what a checkpoint
// written between two steps needs, without a second copy of the moments (twice the weights) in memory.
enum class AdamCapture { Copy, Reference };

// Reads the moments of every parameter of `module` from `optimizer`. Parameters without state (no step
// taken yet) are left out.
AdamStateRecord captureAdamState(torch::optim::Adam& optimizer, const torch::nn::Module& module,
                                 AdamCapture capture = AdamCapture::Copy);
// Puts recorded moments back for the parameters of `module`. Every recorded name must be a parameter with
// the same shape; throws p2p::Error naming `what` otherwise.
void restoreAdamState(torch::optim::Adam& optimizer, const torch::nn::Module& module,
                      const AdamStateRecord& record, const std::string& what);

torch::Tensor captureCpuRng();
void restoreCpuRng(const torch::Tensor& state);
// Undefined tensor when `device` is not CUDA.
torch::Tensor captureCudaRng(const Device& device);
// Nothing when `device` is not CUDA or `state` is undefined; throws p2p::Error for a state CUDA refuses.
void restoreCudaRng(const Device& device, const torch::Tensor& state);
// Whether a run resumed on `device` restores the CUDA generator from a checkpoint written on `savedDevice`
// holding `state`: only on the same CUDA device, and only when the checkpoint has a state (one written on
// the CPU has none; the generator then keeps its seeding, and the resume is not bit-identical anyway).
bool resumeRestoresCudaRng(const Device& device, const Device& savedDevice, const torch::Tensor& state);

// Streams the tensors into the first path's temporary file (no copy of the checkpoint in memory), then copies
// that file to the other paths; every path is written atomically (temporary file, fsync, rename).
void saveTrainingCheckpoint(const TrainingCheckpoint& checkpoint, const std::vector<std::string>& paths);
// Throws p2p::Error naming the file for a missing, truncated, corrupt or foreign file.
TrainingCheckpoint loadTrainingCheckpoint(const std::string& path);

// What the generator of a checkpoint says about itself: its name (the run folder's), direction, architecture
// and provenance (the iteration, epochs, data and options it was trained with). One description for the .p2pm
// that `pix2pix export` writes and for the ONNX and .pth exports of a checkpoint (core/export/model_source.h).
ModelInfo modelInfoOf(const TrainingCheckpoint& checkpoint, const std::string& checkpointPath);

}  // namespace p2p
