#include "core/data/prefetcher.h"

#include <algorithm>
#include <chrono>

#include "core/common/error.h"
#include "core/data/deterministic_random.h"
#include "core/data/tensor_image.h"

namespace p2p {

namespace {

std::string sizeText(const torch::Tensor& t) {
    return std::to_string(t.size(3)) + "x" + std::to_string(t.size(2));
}

}  // namespace

PairPrefetcher::PairPrefetcher(DatasetScan scan, std::string split, Direction direction,
                               TransformOptions options, int batchSize, uint64_t seed, int threads,
                               int queueDepth)
    : scan_(std::move(scan)), direction_(direction), options_(options), batch_size_(batchSize), seed_(seed) {
    options_.validate();
    if (batchSize < 1) throw Error("batch_size must be at least 1, got " + std::to_string(batchSize));
    if (threads < 0)
        throw Error("the number of decoding threads must not be negative, got " + std::to_string(threads));
    pairs_ = scan_.split(split);
    if (pairs_.empty()) throw Error("the split '" + split + "' of " + scan_.root + " has no pairs");
    depth_ = queueDepth > 0 ? queueDepth : std::max(2, 2 * threads);
    workers_.reserve(static_cast<size_t>(threads));
    for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { workerLoop(); });
}

PairPrefetcher::~PairPrefetcher() {
    stopWorkers();
}

void PairPrefetcher::stopWorkers() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    work_cv_.notify_all();
    ready_cv_.notify_all();
    for (auto& t : workers_)
        if (t.joinable()) t.join();
    workers_.clear();
}

void PairPrefetcher::setSkipCallback(SampleSkipCallback callback) {
    std::lock_guard<std::mutex> lock(mutex_);
    on_skip_ = std::move(callback);
}

std::vector<size_t> PairPrefetcher::epochOrder(size_t count, uint64_t seed, int epoch) {
    return detail::permutation(count, detail::deriveSeed(seed, 0x6F72646572ull /* "order" */,
                                                         static_cast<uint64_t>(static_cast<int64_t>(epoch))));
}

uint64_t PairPrefetcher::sampleSeed(uint64_t seed, int epoch, size_t datasetIndex) {
    return detail::deriveSeed(
        seed, static_cast<uint64_t>(static_cast<int64_t>(epoch)) + 0x7472616E73ull /* "trans" */,
        static_cast<uint64_t>(datasetIndex));
}

std::vector<size_t> PairPrefetcher::shardOf(const std::vector<size_t>& order, int rank, int worldSize) {
    // torch's DistributedSampler: pad with the order's first indices to a multiple of the world size, then
    // rank r takes every worldSize-th index from r on.
    const size_t world = static_cast<size_t>(worldSize);
    const size_t perRank = (order.size() + world - 1) / world;
    std::vector<size_t> shard;
    shard.reserve(perRank);
    for (size_t i = static_cast<size_t>(rank); i < perRank * world; i += world)
        shard.push_back(order[i % order.size()]);
    return shard;
}

void PairPrefetcher::setShard(int rank, int worldSize) {
    if (worldSize < 1 || rank < 0 || rank >= worldSize)
        throw Error("invalid data shard: rank " + std::to_string(rank) + " of " + std::to_string(worldSize));
    std::lock_guard<std::mutex> lock(mutex_);
    rank_ = rank;
    world_size_ = worldSize;
    active_ = false;  // startEpoch() draws the shard's order
}

int64_t PairPrefetcher::batchesPerEpoch() const {
    const int64_t world = world_size_;
    const int64_t perRank = (static_cast<int64_t>(pairs_.size()) + world - 1) / world;
    return (perRank + batch_size_ - 1) / batch_size_;
}

size_t PairPrefetcher::size() const {
    return pairs_.size();
}

PrefetchStats PairPrefetcher::stats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
}

void PairPrefetcher::startEpoch(int epoch, int64_t skipBatches) {
    if (skipBatches < 0) throw Error("cannot skip a negative number of batches");
    {
        std::lock_guard<std::mutex> lock(mutex_);
        ++generation_;  // workers still decoding the old epoch drop their results
        epoch_ = epoch;
        order_ = epochOrder(pairs_.size(), seed_, epoch);
        if (world_size_ > 1) order_ = shardOf(order_, rank_, world_size_);
        const int64_t start = std::min(skipBatches, batchesPerEpoch());
        next_to_claim_ = start;
        next_to_deliver_ = start;
        results_.clear();
        active_ = true;
    }
    work_cv_.notify_all();
}

PairPrefetcher::Result PairPrefetcher::buildBatch(int epoch, int64_t batchIndex,
                                                  const std::vector<size_t>& indices) {
    std::vector<torch::Tensor> inputs, targets;
    std::vector<std::string> names;
    for (size_t index : indices) {
        const PairEntry& entry = pairs_[index];
        try {
            ImagePair pair = loadPair(entry, scan_.layout, direction_);
            if (pair.input.size() != pair.target.size())
                throw Error(entry.a_path + ": input and target differ in size after loading");
            const TransformParams params =
                drawTransformParams(options_, pair.input.size(), sampleSeed(seed_, epoch, index));
            inputs.push_back(imageToTensor(applyTransform(pair.input, options_, params)));
            targets.push_back(imageToTensor(applyTransform(pair.target, options_, params)));
            names.push_back(entry.name);
        } catch (const std::exception& e) {
            // Report each bad file once; it stays out of every batch it belongs to.
            SampleSkipCallback callback;
            bool first = false;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                ++stats_.samples_skipped;
                first = reported_.insert(entry.a_path + "\n" + entry.b_path).second;
                callback = on_skip_;
            }
            if (first && callback) callback(entry.a_path, e.what());
        }
    }
    Result result;
    if (inputs.empty()) return result;
    for (size_t i = 1; i < inputs.size(); ++i)
        if (inputs[i].sizes() != inputs[0].sizes()) {
            result.error = "batch " + std::to_string(batchIndex) +
                           " mixes image sizes after preprocessing (" + names[0] + " is " +
                           sizeText(inputs[0]) + ", " + names[i] + " is " + sizeText(inputs[i]) +
                           "); use batch size 1 or a preprocess that crops to one size";
            return result;
        }
    TrainingBatch batch;
    batch.input = inputs.size() == 1 ? inputs[0] : torch::cat(inputs, 0);
    batch.target = targets.size() == 1 ? targets[0] : torch::cat(targets, 0);
    batch.names = std::move(names);
    batch.epoch = epoch;
    batch.batch_index = batchIndex;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stats_.samples_loaded += static_cast<int64_t>(batch.names.size());
    }
    result.batch = std::move(batch);
    return result;
}

void PairPrefetcher::workerLoop() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        work_cv_.wait(lock, [this] {
            return stop_ || (active_ && next_to_claim_ < batchesPerEpoch() &&
                             next_to_claim_ < next_to_deliver_ + depth_);
        });
        if (stop_) return;
        const int64_t batchIndex = next_to_claim_++;
        const uint64_t generation = generation_;
        const int epoch = epoch_;
        const size_t begin = static_cast<size_t>(batchIndex) * static_cast<size_t>(batch_size_);
        const size_t end = std::min(order_.size(), begin + static_cast<size_t>(batch_size_));
        const std::vector<size_t> indices(order_.begin() + static_cast<long>(begin),
                                          order_.begin() + static_cast<long>(end));
        lock.unlock();
        Result result;
        try {
            result = buildBatch(epoch, batchIndex, indices);
        } catch (const std::exception& e) {
            result.batch.reset();
            result.error = e.what();
        }
        lock.lock();
        if (generation != generation_) continue;
        results_[batchIndex] = std::move(result);
        ready_cv_.notify_all();
    }
}

std::optional<TrainingBatch> PairPrefetcher::next() {
    using Clock = std::chrono::steady_clock;
    std::unique_lock<std::mutex> lock(mutex_);
    if (!active_) throw Error("PairPrefetcher::next() called before startEpoch()");
    bool counted = false;
    for (;;) {
        if (next_to_deliver_ >= batchesPerEpoch()) return std::nullopt;
        Result result;
        if (workers_.empty()) {
            // Synchronous: decode here; the loop waits for all of it.
            const int64_t batchIndex = next_to_deliver_;
            const size_t begin = static_cast<size_t>(batchIndex) * static_cast<size_t>(batch_size_);
            const size_t end = std::min(order_.size(), begin + static_cast<size_t>(batch_size_));
            const std::vector<size_t> indices(order_.begin() + static_cast<long>(begin),
                                              order_.begin() + static_cast<long>(end));
            const int epoch = epoch_;
            lock.unlock();
            const auto t0 = Clock::now();
            result = buildBatch(epoch, batchIndex, indices);
            const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
            lock.lock();
            ++stats_.blocked_calls;
            stats_.wait_seconds += seconds;
        } else {
            auto it = results_.find(next_to_deliver_);
            if (it == results_.end()) {
                if (!counted) ++stats_.blocked_calls;
                counted = true;
                const auto t0 = Clock::now();
                ready_cv_.wait(lock, [this] { return stop_ || results_.count(next_to_deliver_) > 0; });
                stats_.wait_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
                if (stop_) return std::nullopt;
                it = results_.find(next_to_deliver_);
            }
            result = std::move(it->second);
            results_.erase(it);
        }
        ++next_to_deliver_;
        work_cv_.notify_all();
        if (!result.error.empty()) throw Error(result.error);
        if (result.batch) {
            ++stats_.batches_delivered;
            return std::move(result.batch);
        }
        // Every file of this batch failed: go on with the next one.
    }
}

TransformParams evalTransformParams(const TransformOptions& options, cv::Size size) {
    cv::Size frame = size;
    if (options.preprocess == Preprocess::ResizeAndCrop) {
        frame = {options.load_size, options.load_size};
    } else if (options.preprocess == Preprocess::ScaleWidthAndCrop) {
        // The size __scale_width produces.
        if (!(size.width == options.load_size && size.height >= options.crop_size))
            frame = {options.load_size, static_cast<int>(std::max(
                                            static_cast<double>(options.load_size) * size.height / size.width,
                                            static_cast<double>(options.crop_size)))};
    }
    TransformParams params;
    params.crop_x = std::max(0, (frame.width - options.crop_size) / 2);
    params.crop_y = std::max(0, (frame.height - options.crop_size) / 2);
    params.flip = false;
    return params;
}

EvalSample loadEvalPair(const PairEntry& entry, DatasetLayout layout, Direction direction,
                        const TransformOptions& options) {
    options.validate();
    ImagePair pair = loadPair(entry, layout, direction);
    TransformOptions noFlip = options;
    noFlip.flip = false;
    const TransformParams params = evalTransformParams(options, pair.input.size());
    EvalSample sample;
    std::string note;
    sample.input_image = applyTransform(pair.input, noFlip, params, &note);
    sample.target_image = applyTransform(pair.target, noFlip, params);
    sample.input = imageToTensor(sample.input_image);
    sample.target = imageToTensor(sample.target_image);
    sample.name = entry.name;
    sample.notes = std::move(pair.notes);
    if (!note.empty()) sample.notes.push_back(note);
    return sample;
}

}  // namespace p2p
