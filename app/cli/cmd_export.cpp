// pix2pix export: a model out of the studio. A training checkpoint -> a model file (.p2pm) for the studio and
// `pix2pix translate`; any model (.p2pm, reference .pth, checkpoint, run folder) -> ONNX or a reference-format
// state dict for the Python world.

#include <iostream>

#include "app/cli/architecture_flags.h"
#include "app/cli/command_registry.h"
#include "core/common/error.h"
#include "core/export/model_export.h"
#include "core/io/model_file.h"
#include "core/train/reproducibility.h"
#include "core/train/trainer.h"

namespace {

struct ExportFlags {
    std::string checkpoint;
    std::string model;
    std::string output, onnx, pth;
    bool half = false;
    bool generatorOnly = false;
    std::string name, inputKind;
    std::vector<std::string> meta;
    std::string normStats;
    int opset = 13;
    p2p::cli::ArchitectureFlags architecture;
};

int exportModelFile(const ExportFlags& flags) {
    p2p::ExportSettings settings;
    settings.half = flags.half;
    settings.name = flags.name;
    settings.input_kind = flags.inputKind;
    settings.generator_only = flags.generatorOnly;
    settings.metadata = nlohmann::json::object();
    for (const auto& item : flags.meta) {
        const auto eq = item.find('=');
        const std::string key = item.substr(0, eq), value = item.substr(eq + 1);
        auto parsed = nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
        settings.metadata[key] = parsed.is_discarded() ? nlohmann::json(value) : parsed;
    }
    // What is being exported (and whether the run would resume bit-identically here), then the model.
    std::cout << p2p::summarizeTrainingCheckpoint(flags.checkpoint).describe() << "\n";
    p2p::exportCheckpoint(flags.checkpoint, flags.output, settings);
    std::cout << p2p::inspectModel(flags.output).describe();
    return p2p::cli::kExitOk;
}

std::function<int()> addExportCommand(CLI::App& app) {
    auto flags = std::make_shared<ExportFlags>();
    auto* sub = app.add_subcommand(
        "export",
        "Export a model: a training checkpoint as a model file (.p2pm), or any model as ONNX (--onnx) or a "
        "reference-format state dict (--pth)");
    auto* checkpoint = sub->add_option("--checkpoint", flags->checkpoint,
                                       "Training checkpoint, e.g. RUN/checkpoints/latest.ckpt");
    auto* model = sub->add_option("--model", flags->model,
                                  "For --onnx/--pth: a .p2pm, a reference .pth, a training checkpoint or a run folder");
    checkpoint->excludes(model);
    model->excludes(checkpoint);
    auto* output = sub->add_option("--output,-o", flags->output, "Model file to write (.p2pm) from --checkpoint");
    sub->add_option("--onnx", flags->onnx,
                    "ONNX file to write: the generator, dropout left out, batch/height/width dynamic");
    sub->add_option("--pth", flags->pth,
                    "Reference-format state dict to write (torch.load + load_state_dict in Python)");
    output->excludes(model);
    sub->add_flag("--half", flags->half, "Store the weights as float16 (half the size; .p2pm only)");
    sub->add_flag("--generator-only", flags->generatorOnly,
                  "Leave the discriminator out of the .p2pm (no patch maps; e.g. a photo -> label segmenter)");
    sub->add_option("--name", flags->name, "Name shown in the studio (default: the run folder's name)");
    sub->add_option("--input-kind", flags->inputKind, "What the model translates from")
        ->check(CLI::IsMember({"facade-labels", "edges", "photo"}));
    sub->add_option("--meta", flags->meta,
                    "KEY=VALUE stored in the model's metadata (VALUE as JSON when it parses, else a string); "
                    "e.g. label_palette=facades, preview_norm=running")
        ->each([](const std::string& item) {
            if (item.find('=') == std::string::npos || item.front() == '=')
                throw CLI::ValidationError("--meta", "expected KEY=VALUE, got '" + item + "'");
        });
    sub->add_option("--norm-stats", flags->normStats,
                    "ONNX: running (BatchNorm's stored statistics, as eval mode) or image (the paper's test time: "
                    "each image's own statistics, as InstanceNormalization); default: the model's preview_norm")
        ->check(CLI::IsMember({"running", "image"}));
    sub->add_option("--opset", flags->opset, "ONNX opset")->check(CLI::Range(13, 17));
    flags->architecture.addTo(*sub);
    return [flags]() -> int {
        const ExportFlags& f = *flags;
        const std::string source = f.model.empty() ? f.checkpoint : f.model;
        auto usage = [](const std::string& message) {
            std::cerr << "error: " << message << "\n";
            return p2p::cli::kExitUsage;
        };
        if (source.empty()) return usage("export needs --checkpoint or --model");
        if (f.output.empty() && f.onnx.empty() && f.pth.empty())
            return usage("nothing to write: give --output (a .p2pm from --checkpoint), --onnx or --pth");
        if (!f.output.empty() && f.checkpoint.empty())
            return usage("--output writes a .p2pm from --checkpoint (pix2pix convert turns a reference .pth into one)");
        if (f.onnx.empty() && !f.normStats.empty()) return usage("--norm-stats applies to --onnx only");
        if (!f.output.empty()) exportModelFile(f);
        const p2p::ModelLoadOptions load = f.architecture.loadOptions(source);
        if (!f.onnx.empty()) {
            p2p::OnnxExportOptions options;
            options.opset = f.opset;
            if (!f.normStats.empty()) options.norm = p2p::normStatsFromString(f.normStats);
            const p2p::ExportResult r = p2p::exportOnnx(source, f.onnx, options, load);
            std::cout << "from " << r.source << "\n" << r.summary << "\n";
        }
        if (!f.pth.empty()) {
            const p2p::ExportResult r = p2p::exportReferencePth(source, f.pth, load);
            std::cout << "from " << r.source << "\n" << r.summary << "\n";
        }
        return p2p::cli::kExitOk;
    };
}

P2P_REGISTER_COMMAND("export", addExportCommand);

}  // namespace
