// pix2pix export: a training checkpoint -> a model file for the studio and `pix2pix translate`.

#include <iostream>

#include "app/cli/command_registry.h"
#include "core/io/model_file.h"
#include "core/train/reproducibility.h"
#include "core/train/trainer.h"

namespace {

struct ExportFlags {
    std::string checkpoint;
    std::string output;
    bool half = false;
    std::string name, inputKind;
    std::vector<std::string> meta;
};

std::function<int()> addExportCommand(CLI::App& app) {
    auto flags = std::make_shared<ExportFlags>();
    auto* sub = app.add_subcommand("export", "Export a training checkpoint (.ckpt) as a model file (.p2pm)");
    sub->add_option("--checkpoint", flags->checkpoint,
                    "Training checkpoint, e.g. RUN/checkpoints/latest.ckpt")
        ->required();
    sub->add_option("--output,-o", flags->output, "Model file to write (.p2pm)")->required();
    sub->add_flag("--half", flags->half, "Store the weights as float16 (half the size)");
    sub->add_option("--name", flags->name, "Name shown in the studio (default: the run folder's name)");
    sub->add_option("--input-kind", flags->inputKind, "What the model translates from")
        ->check(CLI::IsMember({"facade-labels", "edges"}));
    sub->add_option("--meta", flags->meta,
                    "KEY=VALUE stored in the model's metadata (VALUE as JSON when it parses, else a string); "
                    "e.g. label_palette=facades, preview_norm=running")
        ->each([](const std::string& item) {
            if (item.find('=') == std::string::npos || item.front() == '=')
                throw CLI::ValidationError("--meta", "expected KEY=VALUE, got '" + item + "'");
        });
    return [flags]() -> int {
        p2p::ExportSettings settings;
        settings.half = flags->half;
        settings.name = flags->name;
        settings.input_kind = flags->inputKind;
        settings.metadata = nlohmann::json::object();
        for (const auto& item : flags->meta) {
            const auto eq = item.find('=');
            const std::string key = item.substr(0, eq), value = item.substr(eq + 1);
            auto parsed = nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
            settings.metadata[key] = parsed.is_discarded() ? nlohmann::json(value) : parsed;
        }
        // What is being exported (and whether the run would resume bit-identically here), then the model.
        std::cout << p2p::summarizeTrainingCheckpoint(flags->checkpoint).describe() << "\n";
        p2p::exportCheckpoint(flags->checkpoint, flags->output, settings);
        std::cout << p2p::inspectModel(flags->output).describe();
        return p2p::cli::kExitOk;
    };
}

P2P_REGISTER_COMMAND("export", addExportCommand);

}  // namespace
