#pragma once

// The pix2pix GAN trainer. Torch-free interface (pimpl) so ui/ can drive it. run() blocks the calling thread;
// pause/resume/stop are atomics checked between steps.

#include <atomic>
#include <memory>
#include <string>

#include "core/train/train_options.h"
#include "core/train/training_observer.h"

namespace p2p {

class Trainer {
public:
    // A new run: creates options.run_dir (options.json, losses.jsonl, checkpoints/, samples/).
    explicit Trainer(TrainOptions options);
    // Continues the run in runDir from its latest checkpoint, exactly (weights, Adam, RNG, data order).
    static std::unique_ptr<Trainer> resume(const std::string& runDir);
    ~Trainer();

    // Trains until done or stopped; stop() saves. Returns the final state. Throws p2p::Error on failure
    // (bad data, non-finite loss) after keeping the last good checkpoint.
    TrainingState run(TrainingObserver& observer);
    // Trains at most `steps` iterations then returns (tests, benchmarks). Saves nothing unless asked.
    void runSteps(int64_t steps, TrainingObserver& observer);

    void pause();
    void resumeTraining();
    void stop();  // finishes the current step, saves, returns from run()
    bool isPaused() const;

    const TrainOptions& options() const;
    int64_t iteration() const;
    int epoch() const;
    std::string saveCheckpoint();  // writes latest (atomically) and returns its path
    // Writes a generator-only model file (plus D) for the studio.
    void exportModel(const std::string& path, bool half = false) const;

private:
    Trainer();
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Exports any training checkpoint file as a model file.
void exportCheckpoint(const std::string& checkpointPath, const std::string& modelPath, bool half = false);

}  // namespace p2p
