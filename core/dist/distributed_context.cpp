#include "core/dist/distributed_context.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <mutex>

#include "core/dist/collectives.h"
#include "core/dist/process_group.h"

#ifdef P2P_WITH_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef P2P_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>

namespace p2p {

namespace {

std::string firstLine(const std::string& s) {
    return s.substr(0, s.find('\n'));
}

std::string hostName() {
    char name[256] = {};
    if (gethostname(name, sizeof(name) - 1) != 0) return "unknown-host";
    return name;
}

bool isLoopback(const std::string& address) {
    return address == "localhost" || address.rfind("127.", 0) == 0 || address == "::1";
}

bool mentions(const std::string& text, const char* what) {
    return text.find(what) != std::string::npos;
}

}  // namespace

struct DistributedContext::Impl {
    DistOptions options;
    DistBackend backend = DistBackend::Gloo;
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<compat::CollectiveGroup> group;
    std::vector<std::string> rankNames;  // "host X, pid N" per rank
    std::mutex timeMutex;
    double collectiveSeconds = 0;
};

bool glooAvailable() {
#ifdef P2P_WITH_GLOO
    return true;
#else
    return false;
#endif
}

bool ncclAvailable() {
#ifdef P2P_WITH_NCCL
    return true;
#else
    return false;
#endif
}

DistributedContext::DistributedContext() : impl_(std::make_unique<Impl>()) {}
DistributedContext::~DistributedContext() = default;

std::shared_ptr<DistributedContext> DistributedContext::join(const DistOptions& options,
                                                             const Device& device) {
    options.validate();
    std::shared_ptr<DistributedContext> context(new DistributedContext());
    auto& m = *context->impl_;
    m.options = options;
    m.backend = options.backend == DistBackend::Auto
                    ? (device.isCuda() ? DistBackend::Nccl : DistBackend::Gloo)
                    : options.backend;
    if (m.backend == DistBackend::Nccl && !device.isCuda())
        throw Error(
            "--dist-backend nccl needs --device cuda: NCCL only moves CUDA tensors (use gloo on the CPU)");
    if (m.backend == DistBackend::Gloo && !glooAvailable())
        throw Error("this build of pix2pix has no Gloo backend (it was built without Gloo's headers)");
    if (m.backend == DistBackend::Nccl && !ncclAvailable())
        throw Error(
            "this build of pix2pix has no NCCL backend (it needs a CUDA LibTorch and NCCL's headers)");

    const auto timeout = std::chrono::milliseconds(int64_t(options.timeout_seconds) * 1000);
    const std::string where = options.master_addr + ":" + std::to_string(options.master_port);
    const std::string seconds = std::to_string(options.timeout_seconds) + " s";
    // When torchrun's agent serves the store, every rank is a client there and the keys go under the
    // attempt's prefix. Otherwise rank 0 serves the store and waits until every rank has connected.
    const bool launcherStore = options.join_launcher_store;
    c10d::TCPStoreOptions storeOptions;
    storeOptions.port = static_cast<std::uint16_t>(options.master_port);
    storeOptions.isServer = options.rank == 0 && !launcherStore;
    storeOptions.numWorkers = static_cast<std::size_t>(options.world_size);
    storeOptions.waitWorkers = !launcherStore;
    storeOptions.timeout = timeout;
    try {
        auto tcpStore = c10::make_intrusive<c10d::TCPStore>(options.master_addr, storeOptions);
        if (launcherStore)
            m.store = c10::make_intrusive<c10d::PrefixStore>(options.launcherStorePrefix(), tcpStore);
        else
            m.store = tcpStore;
    } catch (const std::exception& e) {
        const std::string message = e.what();
        if (launcherStore)
            throw DistributedFailure(
                "rank " + std::to_string(options.rank) + " cannot reach torchrun's rendezvous store at " +
                where + " within " + seconds +
                " (TORCHELASTIC_USE_AGENT_STORE=True: the launcher serves it): check that torchrun still "
                "runs, that it is the torchrun of the torch this pix2pix was built with (the store's "
                "protocol differs between torch 1.13 and 2.x), and that no firewall blocks the port (" +
                firstLine(message) + ")");
        if (options.rank == 0 && (mentions(message, "in use") || mentions(message, "failed to listen") ||
                                  mentions(message, "bind")))
            throw DistributedFailure("rank 0 cannot open the rendezvous on port " +
                                     std::to_string(options.master_port) +
                                     ": the port is taken by another program (or another run); choose a free "
                                     "MASTER_PORT (" +
                                     firstLine(message) + ")");
        if (options.rank == 0)
            throw DistributedFailure(
                "rank 0 waited " + seconds + " at " + where + " for all " +
                std::to_string(options.world_size) +
                " ranks, and not all arrived: start every rank with the same MASTER_ADDR, "
                "MASTER_PORT and WORLD_SIZE (" +
                firstLine(message) + ")");
        throw DistributedFailure(
            "rank " + std::to_string(options.rank) + " cannot reach rank 0's rendezvous at " + where +
            " within " + seconds +
            ": check MASTER_ADDR and MASTER_PORT, that rank 0 runs, and that no firewall "
            "blocks the port (" +
            firstLine(message) + ")");
    }

    // Every rank announces itself, so a rank that is lost later can be named.
    try {
        const std::string me = "host " + hostName() + ", pid " + std::to_string(getpid());
        m.store->set("p2p/rank/" + std::to_string(options.rank), std::vector<uint8_t>(me.begin(), me.end()));
        for (int r = 0; r < options.world_size; ++r) {
            const auto bytes = m.store->get("p2p/rank/" + std::to_string(r));
            m.rankNames.emplace_back(bytes.begin(), bytes.end());
        }
    } catch (const std::exception& e) {
        // A store of another torch version accepts the connection, then does not understand the requests.
        const std::string launcherHint =
            launcherStore ? ", and launch with the torchrun of the torch this pix2pix was built with" : "";
        throw DistributedFailure("rank " + std::to_string(options.rank) + " waited " + seconds + " at " +
                                 where + " for all " + std::to_string(options.world_size) +
                                 " ranks, and not all arrived: start every rank with the same MASTER_ADDR, "
                                 "MASTER_PORT and WORLD_SIZE" +
                                 launcherHint + " (" + firstLine(e.what()) + ")");
    }

    try {
        if (m.backend == DistBackend::Gloo) {
#ifdef P2P_WITH_GLOO
            auto glooOptions = c10d::ProcessGroupGloo::Options::create(timeout);
            // As torch.distributed: GLOO_SOCKET_IFNAME picks the network interface; otherwise the address
            // this host's name resolves to, or loopback for a single-machine run on 127.0.0.1.
            if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"))
                glooOptions->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(interface));
            else if (isLoopback(options.master_addr))
                glooOptions->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
            else
                glooOptions->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
            glooOptions->threads = 2;
            m.group = c10::make_intrusive<c10d::ProcessGroupGloo>(m.store, options.rank, options.world_size,
                                                                  glooOptions);
#endif
        } else {
#ifdef P2P_WITH_NCCL
            auto ncclOptions = c10d::ProcessGroupNCCL::Options::create();
            ncclOptions->timeout = timeout;
            m.group = c10::make_intrusive<c10d::ProcessGroupNCCL>(m.store, options.rank, options.world_size,
                                                                  ncclOptions);
#endif
        }
    } catch (const std::exception& e) {
        throw DistributedFailure(
            context->lostPeerMessage("connecting the " + toString(m.backend) + " process group", e.what()));
    }
    // The first collective proves the group works end to end (and catches a device on the wrong network).
    barrier(*context);
    return context;
}

compat::CollectiveGroup& processGroupOf(DistributedContext& context) {
    return *context.impl().group;
}

const DistOptions& DistributedContext::options() const {
    return impl_->options;
}
int DistributedContext::rank() const {
    return impl_->options.rank;
}
int DistributedContext::worldSize() const {
    return impl_->options.world_size;
}
bool DistributedContext::isMain() const {
    return impl_->options.rank == 0;
}
DistBackend DistributedContext::backend() const {
    return impl_->backend;
}

std::string DistributedContext::describeRank(int rank) const {
    const auto& names = impl_->rankNames;
    std::string text = "rank " + std::to_string(rank);
    if (rank >= 0 && rank < static_cast<int>(names.size()))
        text += " (" + names[static_cast<size_t>(rank)] + ")";
    return text;
}

std::string DistributedContext::lostPeerMessage(const std::string& what,
                                                const std::string& backendMessage) const {
    const int world = worldSize();
    std::string peers;
    int count = 0;
    for (int r = 0; r < world; ++r) {
        if (r == rank()) continue;
        if (count++ > 0) peers += ", ";
        peers += describeRank(r);
    }
    const std::string lost = count == 1 ? "lost " + peers : "lost at least one of " + peers;
    return "rank " + std::to_string(rank()) + ": " + what + " failed: " + lost +
           " (it died, or did not answer within " + std::to_string(impl_->options.timeout_seconds) +
           " s): " + firstLine(backendMessage);
}

double DistributedContext::collectiveSeconds() const {
    std::lock_guard<std::mutex> lock(impl_->timeMutex);
    return impl_->collectiveSeconds;
}

void DistributedContext::addCollectiveSeconds(double seconds) {
    std::lock_guard<std::mutex> lock(impl_->timeMutex);
    impl_->collectiveSeconds += seconds;
}

}  // namespace p2p
