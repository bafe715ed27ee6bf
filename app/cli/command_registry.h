#pragma once

// Each subcommand lives in its own file and registers itself here, so commands never share a file.

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace p2p::cli {

// Adds the subcommand to `app` and returns the function that runs it once parsing succeeded.
// The runner returns the process exit code.
using CommandFactory = std::function<std::function<int()>(CLI::App& app)>;

struct CommandRegistration {
    CommandRegistration(std::string name, CommandFactory factory);
};

struct RegisteredCommand {
    std::string name;
    CommandFactory factory;
};
std::vector<RegisteredCommand>& registeredCommands();

// Exit codes shared by every subcommand.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;  // a p2p::Error or other runtime failure
constexpr int kExitUsage = 2;    // a bad flag or value
constexpr int kExitInterrupted = 130;

}  // namespace p2p::cli

#define P2P_CLI_CONCAT2(a, b) a##b
#define P2P_CLI_CONCAT(a, b) P2P_CLI_CONCAT2(a, b)
#define P2P_REGISTER_COMMAND(name, factory) \
    static const ::p2p::cli::CommandRegistration P2P_CLI_CONCAT(p2pCommand_, __LINE__)(name, factory)
