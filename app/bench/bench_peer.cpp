#include "app/bench/bench_peer.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <vector>

namespace p2p::bench {

namespace {

// Single quotes for sh: the paths come from the command line.
std::string shellQuoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// Runs `command` with sh, returns its stdout and exit status.
std::pair<std::string, int> capture(const std::string& command) {
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return {"", -1};
    std::string out;
    std::array<char, 4096> buffer{};
    size_t n;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
    const int status = ::pclose(pipe);
    return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

bool importsTorch(const std::string& python) {
    return capture(shellQuoted(python) + " -c 'import torch' >/dev/null 2>&1").second == 0;
}

}  // namespace

nlohmann::json runPytorchPeer(const PeerOptions& options) {
    std::string python = options.python;
    if (python.empty()) {
        for (const char* candidate : {"python3", "/usr/bin/python3"})
            if (importsTorch(candidate)) {
                python = candidate;
                break;
            }
        if (python.empty()) return {{"skipped", "no python3 that can import torch (Debian: python3-torch)"}};
    } else if (!importsTorch(python)) {
        return {{"skipped", python + " cannot import torch"}};
    }
    if (!std::filesystem::exists(options.script)) return {{"skipped", options.script + " not found"}};
    const std::string command = shellQuoted(python) + " " + shellQuoted(options.script) + " --threads " +
                                std::to_string(options.threads) + " --iterations " +
                                std::to_string(options.iterations);
    const auto [out, status] = capture(command);
    if (status != 0) return {{"skipped", command + " exited with " + std::to_string(status)}};
    try {
        nlohmann::json j = nlohmann::json::parse(out);
        j["python"] = python;
        j["script"] = options.script;
        return j;
    } catch (const nlohmann::json::exception& e) {
        return {{"skipped", command + " printed no JSON: " + e.what()}};
    }
}

}  // namespace p2p::bench
