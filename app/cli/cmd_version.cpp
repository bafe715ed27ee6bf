#include <iostream>

#include "app/cli/command_registry.h"
#include "core/common/device.h"
#include "core/common/runtime.h"

namespace {

P2P_REGISTER_COMMAND("info", [](CLI::App& app) -> std::function<int()> {
    app.add_subcommand("info", "Show the version, the compute device and the active BLAS");
    return [] {
        std::cout << "pix2pix " << p2p::version() << "\n"
                  << "device: " << p2p::Device::automatic().resolved().describe() << "\n"
                  << "BLAS:   " << p2p::activeBlas() << "\n";
        return p2p::cli::kExitOk;
    };
});

}  // namespace
