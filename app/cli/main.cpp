// pix2pix: the headless command line over core (train / translate / eval / edges / inspect).

#include <algorithm>
#include <iostream>

#include "app/cli/command_registry.h"
#include "core/common/error.h"
#include "core/common/runtime.h"

namespace p2p::cli {

std::vector<RegisteredCommand>& registeredCommands() {
    static std::vector<RegisteredCommand> commands;
    return commands;
}

CommandRegistration::CommandRegistration(std::string name, CommandFactory factory) {
    registeredCommands().push_back({std::move(name), std::move(factory)});
}

}  // namespace p2p::cli

int main(int argc, char** argv) {
    using namespace p2p::cli;
    CLI::App app{"pix2pix " + p2p::version() +
                 ": image-to-image translation (Isola et al. 2017) - train, translate, evaluate"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "pix2pix " + p2p::version());

    auto commands = registeredCommands();
    std::sort(commands.begin(), commands.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    std::vector<std::pair<CLI::App*, std::function<int()>>> runners;
    for (auto& command : commands) {
        const size_t before = app.get_subcommands({}).size();
        auto runner = command.factory(app);
        auto subs = app.get_subcommands({});
        if (subs.size() > before) runners.emplace_back(subs.back(), std::move(runner));
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? kExitOk : kExitUsage;
    }

    try {
        p2p::configureThreads();
        for (auto& [sub, run] : runners)
            if (sub->parsed()) return run();
    } catch (const p2p::Error& e) {
        std::cerr << "error: " << e.what() << "\n";
        return kExitFailure;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return kExitFailure;
    }
    return kExitUsage;
}
