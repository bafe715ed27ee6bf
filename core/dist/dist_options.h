#pragma once

// Where a training process stands in a data-parallel run, read as torchrun, Slurm scripts and plain shell
// loops pass it: RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT, and torchrun's
// TORCHELASTIC_USE_AGENT_STORE and TORCHELASTIC_RESTART_COUNT. Torch-free.

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
    // TORCHELASTIC_USE_AGENT_STORE=True (torchrun of torch 2.x; 1.13's with --master_addr, its static
    // rendezvous): the launcher's agent already serves the rendezvous store on MASTER_ADDR:MASTER_PORT, so
    // every rank, 0 included, joins it as a client. Otherwise (1.13's --standalone or c10d rendezvous,
    // --nproc, a shell loop) rank 0 opens the store there itself.
    bool join_launcher_store = false;
    // TORCHELASTIC_RESTART_COUNT: how many times torchrun has restarted the workers (0 the first time).
    int restart_count = 0;

    bool distributed() const { return world_size > 1; }
    bool isMain() const { return rank == 0; }
    // "/worker/attempt_N": the prefix of every key the ranks write into the launcher's store, as
    // torch.distributed's env:// rendezvous of torch 1.13 to about 2.4 puts it (later ones use none; the
    // ranks of a run are all pix2pix and agree on it). A restarted attempt so never reads the keys of the
    // attempt before, which the agent's store still holds.
    std::string launcherStorePrefix() const;
    // Throws p2p::Error naming the variable or flag that is wrong.
    void validate() const;

    // The torchrun variables; unset ones keep the defaults above. `getenv` is injectable for tests.
    static DistOptions fromEnvironment(const std::function<const char*(const char*)>& getenv = nullptr);
    // True when WORLD_SIZE or RANK is set, i.e. a launcher started this process as one rank.
    static bool launchedAsRank(const std::function<const char*(const char*)>& getenv = nullptr);
};

}  // namespace p2p
