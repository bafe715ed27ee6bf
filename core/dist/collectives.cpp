#include "core/dist/collectives.h"

#include <chrono>
#include <limits>
#include <map>

#include "core/dist/process_group.h"

namespace p2p {

namespace {

using Clock = std::chrono::steady_clock;

compat::CollectiveGroup& groupOf(DistributedContext& context) {
    return processGroupOf(context);
}

// Runs a collective; turns any failure into a DistributedFailure naming the peers, and times it.
template <typename Launch>
void runCollective(DistributedContext& context, const char* what, Launch launch) {
    const auto start = Clock::now();
    try {
        launch(groupOf(context))->wait();
    } catch (const DistributedFailure&) {
        throw;
    } catch (const std::exception& e) {
        throw DistributedFailure(context.lostPeerMessage(what, e.what()));
    }
    context.addCollectiveSeconds(std::chrono::duration<double>(Clock::now() - start).count());
}

// Groups tensors (by dtype and device, in order) into flat buckets of at most bucketBytes each.
std::vector<std::vector<torch::Tensor>> bucketsOf(const std::vector<torch::Tensor>& tensors,
                                                  int64_t bucketBytes) {
    std::vector<std::vector<torch::Tensor>> buckets;
    std::map<std::pair<int, std::string>, size_t> open;  // (dtype, device) -> index of its open bucket
    std::vector<int64_t> bytes;
    for (const auto& t : tensors) {
        const auto key = std::make_pair(static_cast<int>(t.scalar_type()), t.device().str());
        const int64_t size = t.numel() * static_cast<int64_t>(t.element_size());
        auto it = open.find(key);
        if (it == open.end() || bytes[it->second] + size > bucketBytes) {
            buckets.emplace_back();
            bytes.push_back(0);
            it = open.insert_or_assign(key, buckets.size() - 1).first;
        }
        buckets[it->second].push_back(t);
        bytes[it->second] += size;
    }
    return buckets;
}

torch::Tensor flatten(const std::vector<torch::Tensor>& tensors) {
    std::vector<torch::Tensor> flat;
    flat.reserve(tensors.size());
    for (const auto& t : tensors) flat.push_back(t.reshape(-1));
    return flat.size() == 1 ? flat[0].clone() : torch::cat(flat);
}

void unflattenInto(const torch::Tensor& flat, const std::vector<torch::Tensor>& tensors) {
    int64_t offset = 0;
    for (const auto& t : tensors) {
        t.copy_(flat.slice(0, offset, offset + t.numel()).view_as(t));
        offset += t.numel();
    }
}

}  // namespace

void broadcastTensors(DistributedContext& context, const std::vector<torch::Tensor>& tensors, int root) {
    torch::NoGradGuard noGrad;
    for (const auto& bucket : bucketsOf(tensors, std::numeric_limits<int64_t>::max())) {
        std::vector<torch::Tensor> flat{flatten(bucket)};
        c10d::BroadcastOptions options;
        options.rootRank = root;
        runCollective(context, "broadcasting the weights",
                      [&](compat::CollectiveGroup& g) { return g.broadcast(flat, options); });
        unflattenInto(flat[0], bucket);
    }
}

void allReduceMean(DistributedContext& context, const std::vector<torch::Tensor>& tensors,
                   int64_t bucketBytes) {
    torch::NoGradGuard noGrad;
    const auto buckets = bucketsOf(tensors, bucketBytes);
    std::vector<std::vector<torch::Tensor>> flats;
    flats.reserve(buckets.size());
    for (const auto& bucket : buckets) flats.push_back({flatten(bucket)});
    // Every bucket in flight before the first wait: Gloo's threads work on them side by side.
    const auto start = Clock::now();
    try {
        std::vector<c10::intrusive_ptr<c10d::Work>> works;
        for (auto& flat : flats) works.push_back(groupOf(context).allreduce(flat));
        for (auto& work : works) work->wait();
    } catch (const std::exception& e) {
        throw DistributedFailure(context.lostPeerMessage("all-reducing the gradients", e.what()));
    }
    context.addCollectiveSeconds(std::chrono::duration<double>(Clock::now() - start).count());
    const double world = context.worldSize();
    for (size_t i = 0; i < buckets.size(); ++i) {
        flats[i][0].div_(world);
        unflattenInto(flats[i][0], buckets[i]);
    }
}

void barrier(DistributedContext& context) {
    std::vector<torch::Tensor> one{torch::zeros({1}, context.backend() == DistBackend::Nccl
                                                         ? torch::TensorOptions().device(torch::kCUDA)
                                                         : torch::TensorOptions())};
    runCollective(context, "waiting for every rank",
                  [&](compat::CollectiveGroup& g) { return g.allreduce(one); });
}

std::vector<torch::Tensor> allGather(DistributedContext& context, const torch::Tensor& tensor) {
    std::vector<torch::Tensor> input{tensor.contiguous()};
    std::vector<std::vector<torch::Tensor>> output(1);
    for (int r = 0; r < context.worldSize(); ++r) output[0].push_back(torch::empty_like(input[0]));
    runCollective(context, "gathering every rank's state",
                  [&](compat::CollectiveGroup& g) { return g.allgather(output, input); });
    return output[0];
}

GradientAllReducer::GradientAllReducer(std::shared_ptr<DistributedContext> context,
                                       std::vector<torch::Tensor> parameters, int64_t bucketBytes)
    : context_(std::move(context)), parameters_(std::move(parameters)), bucket_bytes_(bucketBytes) {}

void GradientAllReducer::averageGradients() {
    std::vector<torch::Tensor> gradients;
    gradients.reserve(parameters_.size());
    for (auto& p : parameters_) {
        if (!p.requires_grad()) continue;
        // Every rank must send the same layout: a parameter this rank's backward did not reach counts as
        // zero.
        if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
        gradients.push_back(p.grad());
    }
    allReduceMean(*context_, gradients, bucket_bytes_);
}

}  // namespace p2p
