#pragma once

// Every trainer option, with the reference's defaults (options/base_options.py, train_options.py and
// pix2pix_model.py), validated in one place. Field names follow the reference's flags.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/common/device.h"
#include "core/data/paired_dataset.h"
#include "core/nn/network_options.h"

namespace p2p {

// What the convolutions of G and D (forward and backward) compute in. Master weights, Adam state, losses and
// BatchNorm statistics stay fp32 in every mode but FP64. A run records what Auto resolved to.
enum class TrainPrecision {
    Auto,  // bf16 on a CPU with AVX512_BF16 or AMX (cpuBf16Support), else fp32
    FP32,
    BF16,  // autocast (CPU: oneDNN bf16 kernels; the fast path's transposed convs cast explicitly)
    FP16,  // refused by validate(): it needs a CUDA gradient scaler, which this trainer does not have
    // Everything in double: weights, activations, gradients, Adam, losses. Several times slower; for checking
    // arithmetic, where fp32 rounding would hide what is compared (2 ranks against 1 process, for one).
    // Exported models are fp32.
    FP64,
};
std::string toString(TrainPrecision precision);                    // auto | fp32 | bf16 | fp16 | fp64
TrainPrecision trainPrecisionFromString(const std::string& name);  // throws p2p::Error
// What Auto means for a run on `device` ("cpu", "cuda[:N]") of a machine with (or without) bf16 instructions.
TrainPrecision resolvePrecision(TrainPrecision requested, const Device& device, bool cpuHasBf16);
// One line for logs and the panel: what a run's resolved precision computes in, and on a CPU which bf16
// instructions carry it ("bf16 convolutions; weights, Adam, losses and BatchNorm statistics in fp32 (CPU bf16
// instructions: AMX)").
std::string describePrecision(TrainPrecision resolved, const Device& device);

struct TrainOptions {
    // Data
    std::string dataroot;
    std::string direction = "AtoB";  // facades are photo|label: label->photo is BtoA
    std::string preprocess = "resize_and_crop";
    int load_size = 286;
    int crop_size = 256;
    bool no_flip = false;
    int batch_size = 1;
    int num_threads = 2;  // background decoding threads
    // A and B of different sizes but the same aspect ratio: resize B to A instead of skipping the pair.
    bool pair_resize = false;
    // Networks
    std::string netG = "unet_256";
    std::string netD = "basic";
    int n_layers_D = 3;
    int ngf = 64;
    int ndf = 64;
    std::string norm = "batch";
    bool dropout = true;  // the reference's --no_dropout off
    // Not a reference flag: G's up layers as nearest x2 + 3x3 conv instead of ConvTranspose2d. In JSON only
    // when Resize, so options of reference-shaped runs stay readable by binaries that predate it.
    Upsample upsample = Upsample::Transposed;
    double init_gain = 0.02;
    // Optimisation
    std::string gan_mode = "vanilla";  // vanilla (BCE with logits) | lsgan
    double lambda_L1 = 100.0;
    double lr = 0.0002;
    double beta1 = 0.5;
    int n_epochs = 100;        // constant lr
    int n_epochs_decay = 100;  // then linear decay to zero
    uint64_t seed = 0;
    // A run records what "auto" resolved to, and the thread count it used: both change the arithmetic, so a
    // resume restores them (core/train/reproducibility.h).
    Device device;  // auto: CUDA when the machine has it, else the CPU
    int compute_threads = 0;  // LibTorch/oneDNN intra-op threads; 0: one per core
    // On CPU, G's transposed convolutions run on oneDNN's convolution path (convTranspose2dOnConvPath: the
    // same arithmetic as ConvTranspose2d, whose forward and backward LibTorch 1.13 runs through BLAS).
    // pix2pix-bench: the default unet_256 step goes from 0.99 s to 0.51 s. Ignored on CUDA.
    bool fast_path = true;
    TrainPrecision precision = TrainPrecision::Auto;
    // Output and cadence (iterations unless named epochs)
    std::string run_dir;
    int save_epoch_freq = 5;  // keep a model snapshot (checkpoints/epoch_N.p2pm) every N epochs besides `latest`
    int keep_checkpoints = 0;  // keep only the newest N epoch snapshots; 0: all
    bool snapshot_half = false;  // epoch snapshots in float16 (half the size; latest.ckpt stays exact)
    int save_latest_freq = 500;
    int sample_freq = 100;
    int log_freq = 10;

    void validate() const;  // throws p2p::Error naming the option
    GeneratorOptions generatorOptions() const;
    DiscriminatorOptions discriminatorOptions() const;
    TransformOptions transformOptions() const;
    ScanOptions scanOptions() const;
    Direction directionValue() const;
    int totalEpochs() const { return n_epochs + n_epochs_decay; }
    // Whether the CPU fast path computes: asked for, on the CPU, and not in fp64 (oneDNN has no double kernels).
    bool fastPathActive() const { return fast_path && !device.isCuda() && precision != TrainPrecision::FP64; }
    // "compute_threads 2, device cpu, fast_path on, precision bf16, seed 1": the settings that decide a run's
    // arithmetic, as the logs and `pix2pix inspect` print them.
    std::string describeNumerics() const;
    // The reference's linear rule: lr * (1 - max(0, epoch + 1 - n_epochs) / (n_epochs_decay + 1)), epoch
    // 0-based.
    double learningRateAt(int epoch) const;

    nlohmann::json toJson() const;
    static TrainOptions fromJson(const nlohmann::json& j);  // unknown keys are refused
};

}  // namespace p2p
