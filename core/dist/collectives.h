#pragma once

// Collectives over a DistributedContext's process group. Internal to core: uses torch. Each throws
// DistributedFailure naming the peer it lost, within the context's timeout.

#include <vector>

#include <torch/torch.h>

#include "core/dist/distributed_context.h"
#include "core/dist/process_group.h"

namespace p2p {

// Copies root's values into every rank's tensors (in place), one flattened buffer per dtype.
void broadcastTensors(DistributedContext& context, const std::vector<torch::Tensor>& tensors, int root = 0);
// The mean over the ranks, in place. Tensors are flattened into buckets of at most bucketBytes (as torch DDP
// does), all of them in flight at once, so the cost is a few messages instead of one per tensor.
void allReduceMean(DistributedContext& context, const std::vector<torch::Tensor>& tensors,
                   int64_t bucketBytes = 25 << 20);
// Returns once every rank has called it.
void barrier(DistributedContext& context);
// Every rank's tensor (same shape and dtype on each), in rank order.
std::vector<torch::Tensor> allGather(DistributedContext& context, const torch::Tensor& tensor);

// Averages the gradients of a fixed set of parameters after each backward, before the optimizer step, as torch
// DDP does: flattened into buckets of at most bucketBytes, in reverse parameter order (the order a backward
// produces them in), that live as long as the reducer. Armed by beginBackward(), a bucket is all-reduced as
// soon as autograd has produced all of its gradients (hooks on the parameters), while the backward goes on;
// averageGradients() then waits for the rest, and leaves each parameter's gradient as a view of its bucket
// (no copy back; the next backward releases it). Every rank builds the same graph, so every rank launches the
// buckets in the same order. (Sending the gradients of bf16 convolutions as bf16 was tried: the trainer's
// fast path keeps the largest layers in fp32, and not every bf16 layer's gradient is an exact bf16 value at
// every step, so it saved 5% of the bytes and would not have been exact.)
class GradientAllReducer {
public:
    GradientAllReducer(std::shared_ptr<DistributedContext> context, std::vector<torch::Tensor> parameters,
                       int64_t bucketBytes = 25 << 20);
    ~GradientAllReducer();
    GradientAllReducer(const GradientAllReducer&) = delete;
    GradientAllReducer& operator=(const GradientAllReducer&) = delete;

    // The next backward's gradients start their all-reduce as they arrive.
    void beginBackward();
    // After the backward: every bucket all-reduced (those not started yet now, with zeros for a parameter
    // the backward did not reach), and the mean in each parameter's gradient.
    void averageGradients();
    // Bytes this rank all-reduces per call: for the log.
    int64_t payloadBytes() const;

private:
    struct Bucket {
        std::vector<size_t> members;  // indices into parameters_
        std::vector<int64_t> offsets;
        torch::Tensor flat;
        std::vector<bool> arrived;
        size_t remaining = 0;
        c10::intrusive_ptr<c10d::Work> work;
    };
    void onGradient(size_t parameter, const torch::Tensor& gradient);
    void launch(Bucket& bucket);

    std::shared_ptr<DistributedContext> context_;
    std::vector<torch::Tensor> parameters_;
    std::vector<Bucket> buckets_;
    std::vector<std::pair<size_t, size_t>> where_;  // parameter -> (bucket, member), or npos
    std::vector<std::pair<size_t, unsigned>> hooks_;  // (parameter, hook handle)
    bool armed_ = false;
};

}  // namespace p2p
