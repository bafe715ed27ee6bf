#pragma once

// A training run's folder: where each file lives and the one reader/writer of each. The trainer writes through
// it, the studio's training worker and panel read through it, and openModelSource finds a run's newest model
// with it, so that the layout and the rules ("this folder already holds a run") exist once. Torch-free.
//
//   options.json            the run's TrainOptions (as resolved: device, threads)
//   losses.jsonl            one JSON object per logged step
//   checkpoints/latest.ckpt the only file that resumes (weights, Adam moments, RNG, position)
//   checkpoints/epoch_N.p2pm  epoch snapshots (models), pruned to keep_checkpoints
//   samples/epochEEE_iterIIIIIIII.png   input | generated | target
//   model.p2pm              the finished model; model-latest.p2pm: the latest checkpoint exported on request

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/train/train_options.h"
#include "core/train/training_observer.h"

namespace p2p {

class RunFolder {
public:
    explicit RunFolder(std::string root);

    const std::string& root() const { return root_; }
    std::string name() const;  // the folder's own name: what the run is called in menus and model metadata
    std::string optionsFile() const;
    std::string lossLog() const;
    std::string checkpointsDir() const;
    std::string latestCheckpoint() const;
    std::string epochSnapshot(int epoch) const;
    std::string samplesDir() const;
    std::string samplePath(int epoch, int64_t iteration) const;
    std::string model() const;
    std::string latestCheckpointExport() const;

    // A run lives here (options.json or latest.ckpt): a new run must not start in it; resume it instead.
    bool holdsRun() const;
    bool hasCheckpoint() const;
    // The newest model the run has: latest.ckpt when it is newer than model.p2pm, else model.p2pm; empty when
    // the folder has neither.
    std::string newestModel() const;

    void writeOptions(const TrainOptions& options) const;  // atomic
    // Throws p2p::Error naming options.json and what is wrong with it.
    TrainOptions readOptions() const;
    // The data folder the run recorded, or nothing when options.json is missing or unreadable.
    std::optional<std::string> recordedDataroot() const;

    // Appends one line; throws p2p::Error with the system's reason when it cannot.
    void appendLosses(const LossSample& losses, double elapsedSeconds) const;
    // Every well-formed line, in order; a half-written last line (a crash) is skipped. Empty when there is no log.
    std::vector<LossSample> readLosses() const;
    // Drops the lines past `iteration` (steps that no checkpoint holds) and half-written ones.
    void truncateLosses(int64_t iteration) const;
    void removeLosses() const;

    // input | generated | target side by side, atomically; returns the path.
    std::string writeSample(const TrainingSample& sample) const;

    // Epochs that have a snapshot (epoch_N.p2pm, or epoch_N.ckpt from older runs), ascending.
    std::vector<int> snapshotEpochs() const;
    // Keeps the newest `keep` snapshots (0: all). latest.ckpt is never removed.
    void pruneSnapshots(int keep) const;
    // What a killed process was writing (".name.tmp.*") in the folder, checkpoints/ and samples/.
    void removeStaleTemporaries() const;

private:
    std::string root_;
};

}  // namespace p2p
