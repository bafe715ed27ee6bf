#pragma once

// One process's membership in a data-parallel run: the rendezvous (a c10d TCPStore on MASTER_PORT, served by
// rank 0 or by torchrun's agent) and the process group (Gloo on the CPU, NCCL on CUDA) that the trainer
// all-reduces gradients over. Torch-free interface, so the CLI can join before it builds a Trainer; the
// collectives are in core/dist/collectives.h.

#include <memory>
#include <string>
#include <vector>

#include "core/common/device.h"
#include "core/common/error.h"
#include "core/dist/dist_options.h"

namespace p2p {

// A peer was lost (died, or silent past the timeout) or the rendezvous failed. The message names the rank(s)
// and host(s) involved.
class DistributedFailure : public Error {
public:
    using Error::Error;
};

// The backends this build can create (Gloo needs c10d's Gloo headers at build time, NCCL a CUDA LibTorch).
bool glooAvailable();
bool ncclAvailable();

class DistributedContext {
public:
    // Joins the run. Rank 0 opens the rendezvous on MASTER_PORT and waits for the others, unless the
    // launcher serves it there (DistOptions::join_launcher_store: every rank is then its client, under the
    // attempt's key prefix); every rank then creates the process group. Throws DistributedFailure with a
    // message that says what to do: the port is taken, MASTER_ADDR cannot be reached, or not every rank
    // arrived within the timeout.
    static std::shared_ptr<DistributedContext> join(const DistOptions& options, const Device& device);
    ~DistributedContext();
    DistributedContext(const DistributedContext&) = delete;
    DistributedContext& operator=(const DistributedContext&) = delete;

    const DistOptions& options() const;
    int rank() const;
    int worldSize() const;
    bool isMain() const;
    DistBackend backend() const;  // resolved: gloo or nccl
    // "rank 1 (host node2, pid 4242)", as that rank announced itself at the rendezvous.
    std::string describeRank(int rank) const;
    // A failed collective's message: which peers this rank may have lost, and the backend's own words.
    std::string lostPeerMessage(const std::string& what, const std::string& backendMessage) const;

    // Seconds this process spent inside collectives (all-reduce, broadcast), for the speed breakdown.
    double collectiveSeconds() const;
    void addCollectiveSeconds(double seconds);

    struct Impl;
    Impl& impl() const { return *impl_; }

private:
    DistributedContext();
    std::unique_ptr<Impl> impl_;
};

}  // namespace p2p
