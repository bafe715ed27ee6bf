#pragma once

// Background decoding for training (internal: uses torch). Worker threads decode, transform and stack whole
// batches ahead of the training loop into a bounded window, delivered strictly in order.
//
// Deterministic for exact resume: the epoch's order is a permutation drawn from (seed, epoch), and each
// sample's TransformParams from (seed, epoch, dataset index); thread count and timing change nothing.
// A file that fails to load is left out of its batch and reported once through the skip callback.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <torch/torch.h>

#include "core/data/paired_dataset.h"

namespace p2p {

struct TrainingBatch {
    torch::Tensor input;   // N x 3 x H x W, RGB, [-1, 1]
    torch::Tensor target;  // same shape
    std::vector<std::string> names;
    int epoch = 0;
    int64_t batch_index = 0;  // within the epoch
};

// For benchmarks: how much the training loop waited on decoding.
struct PrefetchStats {
    int64_t batches_delivered = 0;
    int64_t blocked_calls = 0;  // next() calls that found their batch not ready yet
    double wait_seconds = 0;    // total time next() spent waiting (or decoding, with no worker threads)
    int64_t samples_loaded = 0;
    int64_t samples_skipped = 0;  // files that failed to load (each counted every time it is met)
};

// (path, reason): called from a worker thread, once per bad file.
using SampleSkipCallback = std::function<void(const std::string& path, const std::string& reason)>;

class PairPrefetcher {
public:
    // threads == 0 decodes synchronously in next(). queueDepth: batches decoded ahead (0: 2 per thread, min
    // 2).
    PairPrefetcher(DatasetScan scan, std::string split, Direction direction, TransformOptions options,
                   int batchSize, uint64_t seed, int threads, int queueDepth = 0);
    ~PairPrefetcher();
    PairPrefetcher(const PairPrefetcher&) = delete;
    PairPrefetcher& operator=(const PairPrefetcher&) = delete;

    void setSkipCallback(SampleSkipCallback callback);

    // Begins an epoch (abandoning any batches of the previous one). skipBatches resumes mid-epoch: the same
    // batches follow as if the first ones had been taken.
    void startEpoch(int epoch, int64_t skipBatches = 0);
    // The next batch of the epoch, or nullopt at its end. Throws p2p::Error when a batch cannot be formed
    // (e.g. images of different sizes with batch size > 1).
    std::optional<TrainingBatch> next();

    // Data parallelism: from the next startEpoch() on, this prefetcher delivers only rank's shard of each
    // epoch's order (shardOf). Every rank draws the same order from the seed.
    void setShard(int rank, int worldSize);

    int64_t batchesPerEpoch() const;  // ceil(shard / batchSize), like the reference's DataLoader
    size_t size() const;              // pairs in the split
    PrefetchStats stats() const;

    // The epoch's order of dataset indices.
    static std::vector<size_t> epochOrder(size_t count, uint64_t seed, int epoch);
    // One rank's share of an epoch's order, as torch's DistributedSampler (without its shuffle) takes it: the
    // order padded with its own first indices to a multiple of worldSize, then every worldSize-th from rank.
    static std::vector<size_t> shardOf(const std::vector<size_t>& order, int rank, int worldSize);
    // The seed of one sample's TransformParams.
    static uint64_t sampleSeed(uint64_t seed, int epoch, size_t datasetIndex);

private:
    struct Result {
        std::optional<TrainingBatch> batch;  // empty: every file of the batch failed
        std::string error;                   // a batch that cannot be formed
    };
    Result buildBatch(int epoch, int64_t batchIndex, const std::vector<size_t>& indices);
    void workerLoop();
    void stopWorkers();

    DatasetScan scan_;
    std::vector<PairEntry> pairs_;
    Direction direction_;
    TransformOptions options_;
    int batch_size_;
    uint64_t seed_;
    int rank_ = 0, world_size_ = 1;
    int depth_;

    mutable std::mutex mutex_;
    std::condition_variable work_cv_;
    std::condition_variable ready_cv_;
    bool stop_ = false;
    bool active_ = false;
    uint64_t generation_ = 0;
    int epoch_ = 0;
    std::vector<size_t> order_;
    int64_t next_to_claim_ = 0;
    int64_t next_to_deliver_ = 0;
    std::map<int64_t, Result> results_;
    std::set<std::string> reported_;
    SampleSkipCallback on_skip_;
    PrefetchStats stats_;
    std::vector<std::thread> workers_;
};

// One evaluation pair: preprocessing as given, no randomness (centre crop, no flip), as tensors and images.
struct EvalSample {
    torch::Tensor input;  // 1 x 3 x H x W
    torch::Tensor target;
    cv::Mat input_image;  // BGR after preprocessing
    cv::Mat target_image;
    std::string name;
    std::vector<std::string> notes;
};
TransformParams evalTransformParams(const TransformOptions& options, cv::Size size);
EvalSample loadEvalPair(const PairEntry& entry, DatasetLayout layout, Direction direction,
                        const TransformOptions& options);

}  // namespace p2p
