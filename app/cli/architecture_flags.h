#pragma once

// --netG / --ngf / --norm (and --no-dropout) for a reference .pth whose architecture cannot be inferred from
// its keys, or is to be overridden: one definition for every command that opens a model.

#include <string>

#include <CLI/CLI.hpp>

#include "core/io/model_file.h"

namespace p2p::cli {

struct ArchitectureFlags {
    std::string netG, norm;
    int ngf = 0;
    bool noDropout = false;

    // Adds the flags to `command`; --no-dropout only where it matters (formats that are written back).
    void addTo(CLI::App& command, bool withDropout = false);
    bool given() const { return !netG.empty() || ngf > 0 || !norm.empty() || noDropout; }
    // Load options for `modelPath`: the architecture starts from what the file says (when it can be read), so
    // one flag changes one thing. Throws p2p::Error for an invalid combination.
    ModelLoadOptions loadOptions(const std::string& modelPath) const;
};

}  // namespace p2p::cli
