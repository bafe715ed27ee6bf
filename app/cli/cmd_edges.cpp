// pix2pix edges: turns a folder of photos into an aligned edges|photo dataset (edges -> photo is AtoB).

#include <iostream>
#include <memory>

#include "app/cli/command_registry.h"
#include "core/common/error.h"
#include "core/edges/edges.h"

namespace {

struct EdgesArgs {
    std::string input;
    std::string output;
    std::string side = "whole";
    p2p::EdgeDatasetOptions options;
};

// One line redrawn in place on stderr, so stdout keeps only the summary.
void drawProgress(int done, int total) {
    constexpr int kWidth = 40;
    const int filled = total > 0 ? done * kWidth / total : kWidth;
    std::cerr << "\r[" << std::string(static_cast<size_t>(filled), '#')
              << std::string(static_cast<size_t>(kWidth - filled), ' ') << "] " << done << "/" << total
              << std::flush;
    if (done == total) std::cerr << "\n";
}

P2P_REGISTER_COMMAND("edges", [](CLI::App& app) -> std::function<int()> {
    auto args = std::make_shared<EdgesArgs>();
    CLI::App* sub = app.add_subcommand(
        "edges",
        "Make a paired edges->photo dataset: Canny edges (black on white) | photo, side by side, as PNG.\n"
        "Split folders (train/, test/, val/) are kept. Train it with --direction AtoB.");
    sub->add_option("--input", args->input, "Folder of photos (or of aligned pairs, with --side)")
        ->required();
    sub->add_option("--output", args->output, "Folder to write the paired dataset to")->required();
    sub->add_option("--low", args->options.edges.low, "Canny low threshold")->capture_default_str();
    sub->add_option("--high", args->options.edges.high, "Canny high threshold")->capture_default_str();
    sub->add_option("--blur", args->options.edges.blur, "Gaussian blur kernel before Canny (odd, 0 = none)")
        ->capture_default_str();
    sub->add_option("--thickness", args->options.edges.thickness, "Edge line width in pixels")
        ->capture_default_str();
    sub->add_option("--side", args->side,
                    "Which part of each image is the photo: whole, or left/right half of an aligned pair\n"
                    "(the pix2pix facades set has its photo on the left)")
        ->check(CLI::IsMember({"whole", "left", "right"}))
        ->capture_default_str();
    // Values that parse but make no sense are usage errors too (exit 2).
    sub->callback([args] {
        try {
            args->options.side = p2p::photoSideFromString(args->side);
            args->options.validate();
        } catch (const p2p::Error& e) {
            throw CLI::ValidationError("edges", e.what());
        }
    });
    return [args] {
        const p2p::EdgeDatasetSummary summary =
            p2p::makeEdgesDataset(args->input, args->output, args->options, [](int done, int total) {
                drawProgress(done, total);
                return true;
            });
        std::cout << summary.text();
        return p2p::cli::kExitOk;
    };
});

}  // namespace
