#pragma once

// --device for every command: checked by p2p::Device's own rule and stored as a Device, so that no command
// re-parses or re-validates device strings.

#include <string>

#include <CLI/CLI.hpp>

#include "core/common/device.h"

namespace p2p::cli {

// `target` must outlive parsing (a field of the command's long-lived flags).
inline CLI::Option* addDeviceFlag(CLI::App* command, Device& target, const std::string& help) {
    return command
        ->add_option_function<std::string>(
            "--device", [&target](const std::string& text) { target = Device::parse(text); }, help)
        ->check(CLI::Validator([](std::string& text) { return Device::problemWith(text); }, "DEVICE", "device"))
        ->default_str(target.str());
}

}  // namespace p2p::cli
