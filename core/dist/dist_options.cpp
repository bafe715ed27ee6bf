#include "core/dist/dist_options.h"

#include <cstdlib>

#include "core/common/error.h"

namespace p2p {

namespace {

const char* readVariable(const std::function<const char*(const char*)>& getenv, const char* name) {
    return getenv ? getenv(name) : std::getenv(name);
}

int parseInteger(const char* name, const std::string& text) {
    size_t used = 0;
    long value = 0;
    try {
        value = std::stol(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != text.size() || value < -2147483647L || value > 2147483647L)
        throw Error(std::string("the environment variable ") + name + " must be an integer, got '" + text +
                    "'");
    return static_cast<int>(value);
}

// Python's str(True) / str(False), as torchrun writes them, and the usual spellings of a switch.
bool parseBoolean(const char* name, const std::string& text) {
    if (text == "True" || text == "true" || text == "1") return true;
    if (text == "False" || text == "false" || text == "0") return false;
    throw Error(std::string("the environment variable ") + name + " must be True or False, got '" + text +
                "'");
}

}  // namespace

std::string toString(DistBackend backend) {
    switch (backend) {
        case DistBackend::Gloo:
            return "gloo";
        case DistBackend::Nccl:
            return "nccl";
        case DistBackend::Auto:
            break;
    }
    return "auto";
}

DistBackend distBackendFromString(const std::string& text) {
    if (text == "auto") return DistBackend::Auto;
    if (text == "gloo") return DistBackend::Gloo;
    if (text == "nccl") return DistBackend::Nccl;
    throw Error("unknown distributed backend '" + text + "' (auto, gloo or nccl)");
}

void DistOptions::validate() const {
    if (world_size < 1) throw Error("WORLD_SIZE must be at least 1, got " + std::to_string(world_size));
    if (rank < 0 || rank >= world_size)
        throw Error("RANK must be in [0, WORLD_SIZE) = [0, " + std::to_string(world_size) + "), got " +
                    std::to_string(rank));
    if (local_world_size < 1)
        throw Error("LOCAL_WORLD_SIZE must be at least 1, got " + std::to_string(local_world_size));
    if (local_rank < 0) throw Error("LOCAL_RANK must not be negative, got " + std::to_string(local_rank));
    if (distributed() && master_addr.empty()) throw Error("MASTER_ADDR is empty: name rank 0's host");
    if (master_port < 1 || master_port > 65535)
        throw Error("MASTER_PORT must be a TCP port (1-65535), got " + std::to_string(master_port));
    if (timeout_seconds < 1) throw Error("the distributed timeout must be at least 1 s");
    if (restart_count < 0)
        throw Error("TORCHELASTIC_RESTART_COUNT must not be negative, got " + std::to_string(restart_count));
}

std::string DistOptions::launcherStorePrefix() const {
    return "/worker/attempt_" + std::to_string(restart_count);
}

bool DistOptions::launchedAsRank(const std::function<const char*(const char*)>& getenv) {
    return readVariable(getenv, "WORLD_SIZE") != nullptr || readVariable(getenv, "RANK") != nullptr;
}

DistOptions DistOptions::fromEnvironment(const std::function<const char*(const char*)>& getenv) {
    DistOptions o;
    auto integer = [&](const char* name, int& field) {
        if (const char* v = readVariable(getenv, name)) field = parseInteger(name, v);
    };
    integer("RANK", o.rank);
    integer("WORLD_SIZE", o.world_size);
    o.local_rank = o.rank;
    integer("LOCAL_RANK", o.local_rank);
    // torchrun sets LOCAL_WORLD_SIZE; a plain launcher that does not is taken as one machine.
    o.local_world_size = o.world_size;
    integer("LOCAL_WORLD_SIZE", o.local_world_size);
    if (const char* v = readVariable(getenv, "MASTER_ADDR")) o.master_addr = v;
    integer("MASTER_PORT", o.master_port);
    if (const char* v = readVariable(getenv, "TORCHELASTIC_USE_AGENT_STORE"))
        o.join_launcher_store = parseBoolean("TORCHELASTIC_USE_AGENT_STORE", v);
    integer("TORCHELASTIC_RESTART_COUNT", o.restart_count);
    return o;
}

}  // namespace p2p
