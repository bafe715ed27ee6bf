#pragma once

// The pix2pix GAN trainer. Torch-free interface (pimpl) so ui/ can drive it. run() blocks the calling thread;
// pause/resume/stop are atomics checked between steps.

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "core/data/paired_dataset.h"
#include "core/train/reproducibility.h"
#include "core/train/train_options.h"
#include "core/train/training_observer.h"

namespace p2p {

class DistributedContext;

// Data parallelism (core/dist): given a DistributedContext, the trainer is one rank of a multi-process run.
// Every rank starts from rank 0's weights, trains on its shard of each epoch's order and all-reduces the
// gradients after each backward (D, then G); only rank 0 writes the run folder. BatchNorm keeps per-rank
// batch statistics (as torch DDP without SyncBatchNorm). Pause is a single-process feature; stop() is agreed
// between the ranks at the end of a step, so that every rank saves at the same iteration.
class Trainer {
public:
    // A new run: creates options.run_dir (options.json, losses.jsonl, checkpoints/, samples/). Refuses a
    // folder that already holds a run (options.json or checkpoints/latest.ckpt). Ranks other than 0 create
    // and check nothing there.
    explicit Trainer(TrainOptions options, std::shared_ptr<DistributedContext> distributed = nullptr);
    // What a resumed run may change, as the reference's --continue_train does: the length of the schedule and
    // the cadences. Anything else would make the run a different experiment.
    struct ScheduleChange {
        std::optional<int> n_epochs, n_epochs_decay;
        std::optional<int> save_epoch_freq, save_latest_freq, sample_freq, log_freq, keep_checkpoints;
        bool empty() const;
    };
    // Continues the run in runDir from its latest checkpoint, exactly (weights, Adam, RNG, data order, and
    // the compute threads and device it ran with). With a schedule change, the new learning-rate rule applies
    // from the next epoch on. `execution` overrides how the arithmetic runs (then it is no longer
    // bit-identical). Either rewrites options.json. resumeReport() says what was overridden or could not be
    // restored here. `dataroot` points at data that moved: it must hold the same files (names and sizes, as
    // recorded in the checkpoint's fingerprint), else this throws p2p::Error saying so. With `distributed`,
    // every rank reads the checkpoint (the folder must be visible to each): a checkpoint of an N-rank run
    // resumes on any number of ranks from the same iteration, exactly when the number is N.
    static std::unique_ptr<Trainer> resume(const std::string& runDir, const ScheduleChange& change = {},
                                           const ExecutionChange& execution = {},
                                           const std::optional<std::string>& dataroot = std::nullopt,
                                           std::shared_ptr<DistributedContext> distributed = nullptr);
    ~Trainer();

    // Of a resumed run: one line per override (setting, saved value, new value) and per setting this machine
    // could not restore. Empty for a new run.
    const ResumeReport& resumeReport() const;

    // Trains until done or stopped; stop() saves. Returns the final state. Throws p2p::Error on failure
    // (bad data, non-finite loss) after keeping the last good checkpoint.
    TrainingState run(TrainingObserver& observer);
    // Trains at most `steps` iterations then returns (tests, benchmarks). Saves nothing unless asked
    // (no checkpoints, no model export); losses.jsonl and samples are still written at their cadence.
    void runSteps(int64_t steps, TrainingObserver& observer);

    void pause();
    void resumeTraining();
    void stop();  // finishes the current step, saves, returns from run()
    bool isPaused() const;

    const TrainOptions& options() const;
    const DatasetScan& dataset() const;  // the scan of options().dataroot
    int64_t datasetSize() const;         // training pairs
    int64_t iterationsPerEpoch() const;
    int64_t iteration() const;           // steps completed (safe to call from any thread)
    int epoch() const;                   // 1-based epoch of the next step
    double learningRate() const;         // what the next step uses
    Device device() const;               // resolved: cpu or cuda[:N]
    int worldSize() const;               // ranks training together (1: a single process)
    int rank() const;
    // Seconds of training spent inside collectives (gradient all-reduce, loss and checkpoint exchange).
    double collectiveSeconds() const;
    std::string saveCheckpoint();        // writes latest (atomically) and returns its path
    std::string lastCheckpoint() const;  // path of the last checkpoint written or resumed from; "" if none
    // Writes a model file (generator plus D) for the studio and `pix2pix translate`.
    void exportModel(const std::string& path, bool half = false) const;

    // Test hook: the input of the given 1-based iteration is replaced by NaN, as corrupt data would be.
    void injectNonFiniteInputAt(int64_t iteration);

private:
    Trainer();
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

struct ExportSettings {
    bool half = false;        // float16 weights (the embedded models)
    std::string name;         // shown in the UI; default: the run folder's name
    std::string input_kind;   // "facade-labels" | "edges" | "photo" (a photo -> label model) | "" (unknown)
    bool generator_only = false;  // leave the discriminator out (a segmenter: nobody asks for its patch maps)
    nlohmann::json metadata;  // merged over the provenance the export writes (e.g. label_palette, preview_norm)
};

// Exports any training checkpoint file as a model file.
void exportCheckpoint(const std::string& checkpointPath, const std::string& modelPath, bool half = false);
void exportCheckpoint(const std::string& checkpointPath, const std::string& modelPath, const ExportSettings& settings);

}  // namespace p2p
