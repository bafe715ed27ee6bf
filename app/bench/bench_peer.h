#pragma once

// The PyTorch peer: tools/bench/pytorch_peer.py (the reference's training step, eager PyTorch) run by the
// bench beside its own rows, with the same threads.

#include <string>

#include <nlohmann/json.hpp>

namespace p2p::bench {

struct PeerOptions {
    std::string python;  // empty: the first of python3 (PATH) and /usr/bin/python3 that imports torch
    std::string script = P2P_DEFAULT_PEER_SCRIPT;
    int threads = 1;
    int iterations = 5;
};

// The script's JSON ({"fp32": {"p50_ms"...}, "bf16": {...}, "torch_version"...}), or {"skipped": reason}
// when no Python with torch or no script is found, or the script fails.
nlohmann::json runPytorchPeer(const PeerOptions& options);

}  // namespace p2p::bench
