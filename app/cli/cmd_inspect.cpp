// pix2pix inspect: what a model file (ours or a reference .pth) or a training checkpoint holds, without running it.

#include <filesystem>
#include <iostream>

#include "app/cli/architecture_flags.h"
#include "app/cli/command_registry.h"
#include "core/common/error.h"
#include "core/io/model_io.h"
#include "core/io/reference_pth.h"
#include "core/train/reproducibility.h"

namespace {

namespace fs = std::filesystem;

struct InspectArgs {
    std::string model;
    p2p::cli::ArchitectureFlags architecture;
    bool json = false;
};

nlohmann::json toJson(const p2p::ModelInfo& info) {
    return {{"path", info.path},
            {"name", info.name},
            {"format", info.format},
            {"generator", info.generator.toJson()},
            {"architecture_inferred", info.architecture_inferred},
            {"generator_parameters", info.generator_parameters},
            {"discriminator", info.discriminator ? info.discriminator->toJson() : nlohmann::json()},
            {"direction", info.direction},
            {"input_kind", info.input_kind},
            {"stored_dtype", info.stored_dtype},
            {"metadata", info.metadata}};
}

int run(const InspectArgs& args) {
    // A training checkpoint: where the run stands, its saved settings, and whether it resumes bit-identically here.
    if (p2p::isTrainingCheckpoint(args.model) || fs::path(args.model).extension() == ".ckpt") {
        const p2p::CheckpointSummary summary = p2p::summarizeTrainingCheckpoint(args.model);
        std::cout << (args.json ? summary.toJson().dump(2) + "\n" : summary.describe());
        return p2p::cli::kExitOk;
    }
    // A lone net_D.pth has no generator to describe; say what it is instead.
    if (p2p::isTorchZipCheckpoint(args.model)) {
        const auto summary = p2p::summarizeReferenceCheckpoint(args.model);
        if (summary.kind == "discriminator" && !args.architecture.given()) {
            if (args.json) {
                std::cout << nlohmann::json{{"path", args.model},
                                            {"format", "reference-pth"},
                                            {"kind", "discriminator"},
                                            {"discriminator", summary.discriminator->toJson()},
                                            {"parameters", summary.parameters},
                                            {"tensors", summary.tensors},
                                            {"stored_dtype", summary.stored_dtype}}
                                 .dump(2)
                          << "\n";
            } else {
                std::cout
                    << "file:          " << args.model << "\n"
                    << "format:        reference PyTorch state dict (.pth)\n"
                    << "discriminator: " << summary.discriminator->describe() << "\n"
                    << "parameters:    " << summary.parameters << "\n"
                    << "tensors:       " << summary.tensors << "\n"
                    << "stored as:     " << summary.stored_dtype << "\n"
                    << "(a discriminator alone cannot translate images; open the *_net_G.pth beside it)\n";
            }
            return p2p::cli::kExitOk;
        }
    }

    const p2p::ModelInfo info = p2p::inspectModel(args.model, args.architecture.loadOptions(args.model));
    if (args.json)
        std::cout << toJson(info).dump(2) << "\n";
    else
        std::cout << info.describe();
    return p2p::cli::kExitOk;
}

P2P_REGISTER_COMMAND("inspect", [](CLI::App& app) -> std::function<int()> {
    auto args = std::make_shared<InspectArgs>();
    auto* cmd = app.add_subcommand(
        "inspect", "Show what a model file holds (architecture, parameter count, format, discriminator), or a training "
        "checkpoint (position, saved settings, whether it resumes bit-identically here)");
    cmd->add_option("--model,--checkpoint", args->model,
                    "A .p2pm model, a reference latest_net_G.pth / latest_net_D.pth, or a training checkpoint "
                    "(RUN/checkpoints/latest.ckpt; epoch_N.p2pm snapshots are models)")
        ->required()
        ->check(CLI::ExistingFile);
    args->architecture.addTo(*cmd);
    cmd->add_flag("--json", args->json, "Print JSON instead of text");
    return [args] { return run(*args); };
});

}  // namespace
