#pragma once

// Collectives over a DistributedContext's process group. Internal to core: uses torch. Each throws
// DistributedFailure naming the peer it lost, within the context's timeout.

#include <vector>

#include <torch/torch.h>

#include "core/dist/distributed_context.h"

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
// DDP does: flattened into buckets of at most bucketBytes, all in flight at once. The buckets live as long as
// the reducer (no allocation per step), and after the all-reduce each parameter's gradient is a view of its
// bucket (no copy back; the next backward releases it). (Sending the gradients of bf16 convolutions as bf16
// was tried: the trainer's fast path keeps the largest layers in fp32 and not every bf16 layer's gradient is
// an exact bf16 value at every step, so it saved 5% of the bytes and would not have been exact.)
class GradientAllReducer {
public:
    GradientAllReducer(std::shared_ptr<DistributedContext> context, std::vector<torch::Tensor> parameters,
                       int64_t bucketBytes = 25 << 20);
    void averageGradients();
    // Bytes this rank sends per call, once planned (0 before the first call): for the log.
    int64_t payloadBytes() const;

private:
    struct Bucket {
        std::vector<size_t> members;  // indices into parameters_
        torch::Tensor flat;
    };
    void plan();

    std::shared_ptr<DistributedContext> context_;
    std::vector<torch::Tensor> parameters_;
    int64_t bucket_bytes_;
    std::vector<Bucket> buckets_;
    bool planned_ = false;
};

}  // namespace p2p
