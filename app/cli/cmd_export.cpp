// pix2pix export: a training checkpoint -> a model file for the studio and `pix2pix translate`.

#include <iostream>

#include "app/cli/command_registry.h"
#include "core/io/model_file.h"
#include "core/train/trainer.h"

namespace {

struct ExportFlags {
    std::string checkpoint;
    std::string output;
    bool half = false;
};

std::function<int()> addExportCommand(CLI::App& app) {
    auto flags = std::make_shared<ExportFlags>();
    auto* sub = app.add_subcommand("export", "Export a training checkpoint (.ckpt) as a model file (.p2pm)");
    sub->add_option("--checkpoint", flags->checkpoint,
                    "Training checkpoint, e.g. RUN/checkpoints/latest.ckpt")
        ->required();
    sub->add_option("--output,-o", flags->output, "Model file to write (.p2pm)")->required();
    sub->add_flag("--half", flags->half, "Store the weights as float16 (half the size)");
    return [flags]() -> int {
        p2p::exportCheckpoint(flags->checkpoint, flags->output, flags->half);
        std::cout << p2p::inspectModel(flags->output).describe();
        return p2p::cli::kExitOk;
    };
}

P2P_REGISTER_COMMAND("export", addExportCommand);

}  // namespace
