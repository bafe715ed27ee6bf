#pragma once

// Where a training process stands in a data-parallel run, read as torchrun, Slurm scripts and plain shell
// loops pass it: RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT. Torch-free.

#include <functional>
#include <string>

namespace p2p {

// auto: NCCL on CUDA, Gloo otherwise (as torch.distributed's own default).
enum class DistBackend { Auto, Gloo, Nccl };
std::string toString(DistBackend backend);
DistBackend distBackendFromString(const std::string& text);  // throws p2p::Error naming the choices

struct DistOptions {
    int rank = 0;
    int world_size = 1;
    int local_rank = 0;
    int local_world_size = 1;  // ranks on this machine: they share its cores
    std::string master_addr = "127.0.0.1";
    int master_port = 29500;
    DistBackend backend = DistBackend::Auto;
    // How long a rank waits for a peer (rendezvous, each collective) before it gives up.
    int timeout_seconds = 120;

    bool distributed() const { return world_size > 1; }
    bool isMain() const { return rank == 0; }
    // Throws p2p::Error naming the variable or flag that is wrong.
    void validate() const;

    // The torchrun variables; unset ones keep the defaults above. `getenv` is injectable for tests.
    static DistOptions fromEnvironment(const std::function<const char*(const char*)>& getenv = nullptr);
    // True when WORLD_SIZE or RANK is set, i.e. a launcher started this process as one rank.
    static bool launchedAsRank(const std::function<const char*(const char*)>& getenv = nullptr);
};

}  // namespace p2p
