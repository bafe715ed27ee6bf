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

// Runs body; a failure in it (Gloo's "connection closed by peer", a timeout) becomes a DistributedFailure
// naming the peer this rank lost.
template <typename Body>
auto namingLostPeer(DistributedContext& context, const char* what, Body body) {
    try {
        return body();
    } catch (const DistributedFailure&) {
        throw;
    } catch (const std::exception& e) {
        throw DistributedFailure(context.lostPeerMessage(what, e.what()));
    }
}

// Runs a collective to its end, naming the peer on failure, and times it.
template <typename Launch>
void runCollective(DistributedContext& context, const char* what, Launch launch) {
    const auto start = Clock::now();
    namingLostPeer(context, what, [&] { launch(groupOf(context))->wait(); });
    context.addCollectiveSeconds(std::chrono::duration<double>(Clock::now() - start).count());
}

// Groups tensors (by dtype and device, in order) into flat buckets of at most bucketBytes each: the indices
// of each bucket's tensors.
std::vector<std::vector<size_t>> bucketIndicesOf(const std::vector<torch::Tensor>& tensors, int64_t bucketBytes) {
    std::vector<std::vector<size_t>> buckets;
    std::map<std::pair<int, std::string>, size_t> open;  // (dtype, device) -> index of its open bucket
    std::vector<int64_t> bytes;
    for (size_t i = 0; i < tensors.size(); ++i) {
        const auto& t = tensors[i];
        const auto key = std::make_pair(static_cast<int>(t.scalar_type()), t.device().str());
        const int64_t size = t.numel() * static_cast<int64_t>(t.element_size());
        auto it = open.find(key);
        if (it == open.end() || bytes[it->second] + size > bucketBytes) {
            buckets.emplace_back();
            bytes.push_back(0);
            it = open.insert_or_assign(key, buckets.size() - 1).first;
        }
        buckets[it->second].push_back(i);
        bytes[it->second] += size;
    }
    return buckets;
}

std::vector<std::vector<torch::Tensor>> bucketsOf(const std::vector<torch::Tensor>& tensors,
                                                  int64_t bucketBytes) {
    std::vector<std::vector<torch::Tensor>> buckets;
    for (const auto& indices : bucketIndicesOf(tensors, bucketBytes)) {
        buckets.emplace_back();
        for (size_t i : indices) buckets.back().push_back(tensors[i]);
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
    namingLostPeer(context, "all-reducing the gradients", [&] {
        std::vector<c10::intrusive_ptr<c10d::Work>> works;
        for (auto& flat : flats) works.push_back(groupOf(context).allreduce(flat));
        for (auto& work : works) work->wait();
    });
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
    : context_(std::move(context)), parameters_(std::move(parameters)) {
    constexpr size_t npos = static_cast<size_t>(-1);
    where_.assign(parameters_.size(), {npos, npos});
    // Reverse order: a backward reaches the last layers first.
    std::vector<size_t> used;
    std::vector<torch::Tensor> tensors;
    for (size_t i = parameters_.size(); i-- > 0;)
        if (parameters_[i].requires_grad()) {
            used.push_back(i);
            tensors.push_back(parameters_[i]);
        }
    for (const auto& indices : bucketIndicesOf(tensors, bucketBytes)) {
        Bucket b;
        int64_t numel = 0;
        for (size_t k : indices) {
            where_[used[k]] = {buckets_.size(), b.members.size()};
            b.members.push_back(used[k]);
            b.offsets.push_back(numel);
            numel += tensors[k].numel();
        }
        b.flat = torch::empty({numel}, tensors[indices.front()].options());
        b.arrived.assign(b.members.size(), false);
        buckets_.push_back(std::move(b));
    }
    for (size_t i : used)
        hooks_.emplace_back(i, parameters_[i].register_hook(
                                   [this, i](const torch::Tensor& gradient) { onGradient(i, gradient); }));
}

GradientAllReducer::~GradientAllReducer() {
    // The parameters outlive the reducer (a resume builds a new one): their hooks must not call into it.
    for (const auto& [i, handle] : hooks_) parameters_[i].remove_hook(handle);
}

int64_t GradientAllReducer::payloadBytes() const {
    int64_t bytes = 0;
    for (const auto& b : buckets_) bytes += b.flat.numel() * static_cast<int64_t>(b.flat.element_size());
    return bytes;
}

void GradientAllReducer::beginBackward() {
    for (auto& b : buckets_) {
        std::fill(b.arrived.begin(), b.arrived.end(), false);
        b.remaining = b.members.size();
        b.work.reset();
    }
    armed_ = true;
}

void GradientAllReducer::onGradient(size_t parameter, const torch::Tensor& gradient) {
    if (!armed_) return;
    auto& bucket = buckets_[where_[parameter].first];
    const size_t member = where_[parameter].second;
    if (bucket.arrived[member] || bucket.work)
        throw Error("a parameter's gradient arrived twice in one backward pass: the gradient all-reduce "
                    "expects one gradient per parameter and step");
    torch::NoGradGuard noGrad;
    bucket.flat.narrow(0, bucket.offsets[member], gradient.numel()).copy_(gradient.reshape({-1}));
    bucket.arrived[member] = true;
    if (--bucket.remaining == 0) launch(bucket);
}

void GradientAllReducer::launch(Bucket& bucket) {
    namingLostPeer(*context_, "all-reducing the gradients", [&] {
        std::vector<torch::Tensor> flat{bucket.flat};
        bucket.work = groupOf(*context_).allreduce(flat);
    });
}

void GradientAllReducer::averageGradients() {
    torch::NoGradGuard noGrad;
    if (!armed_) beginBackward();  // not armed: every gradient is taken from .grad now
    armed_ = false;
    for (auto& bucket : buckets_) {
        if (bucket.work) continue;
        for (size_t m = 0; m < bucket.members.size(); ++m) {
            if (bucket.arrived[m]) continue;
            const torch::Tensor& p = parameters_[bucket.members[m]];
            torch::Tensor slot = bucket.flat.narrow(0, bucket.offsets[m], p.numel());
            // A parameter this rank's backward did not reach counts as zero: every rank sends the same layout.
            if (p.grad().defined())
                slot.copy_(p.grad().reshape({-1}));
            else
                slot.zero_();
        }
        launch(bucket);
    }
    const auto start = Clock::now();
    namingLostPeer(*context_, "all-reducing the gradients", [&] {
        for (auto& bucket : buckets_) bucket.work->wait();
    });
    context_->addCollectiveSeconds(std::chrono::duration<double>(Clock::now() - start).count());
    const double world = context_->worldSize();
    for (auto& bucket : buckets_) {
        bucket.work.reset();
        bucket.flat.div_(world);
        for (size_t m = 0; m < bucket.members.size(); ++m) {
            torch::Tensor& p = parameters_[bucket.members[m]];
            torch::Tensor mean = bucket.flat.narrow(0, bucket.offsets[m], p.numel()).view(p.sizes());
            if (p.is_contiguous()) {
                p.mutable_grad() = mean;  // a view of the bucket until the next backward releases it
            } else {
                if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
                p.mutable_grad().copy_(mean);
            }
        }
    }
}

}  // namespace p2p
