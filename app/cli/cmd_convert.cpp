// pix2pix convert: a reference latest_net_G.pth (with latest_net_D.pth beside it) -> our .p2pm.

#include <filesystem>
#include <iostream>

#include "app/cli/architecture_flags.h"
#include "app/cli/command_registry.h"
#include "core/common/error.h"
#include "core/io/model_io.h"
#include "core/io/reference_pth.h"

namespace {

struct ConvertArgs {
    std::string model;
    std::string output;
    bool half = false;
    std::string name;
    std::string direction;
    std::string inputKind;
    p2p::cli::ArchitectureFlags architecture;
};

// What was written must read back as exactly what was meant to be written.
void verifyWritten(const std::string& path, const p2p::LoadedModel& source, bool half) {
    const p2p::LoadedModel written = p2p::loadModel(path);
    auto compare = [&](const torch::nn::Module& a, const torch::nn::Module& b, const std::string& which) {
        const auto expected = p2p::stateDictOf(a);
        const auto actual = p2p::stateDictOf(b);
        if (expected.size() != actual.size()) throw p2p::Error(path + ": the written " + which + " differs");
        for (size_t i = 0; i < expected.size(); ++i) {
            auto want = expected[i].second;
            if (half && want.is_floating_point()) want = want.to(torch::kFloat16).to(want.scalar_type());
            if (expected[i].first != actual[i].first || !torch::equal(want, actual[i].second))
                throw p2p::Error(path + ": the written " + which + " differs at '" + expected[i].first + "'");
        }
    };
    compare(*source.generator, *written.generator, "generator");
    if (bool(source.discriminator) != bool(written.discriminator))
        throw p2p::Error(path + ": the discriminator was not written");
    if (source.discriminator) compare(*source.discriminator, *written.discriminator, "discriminator");
}

int run(const ConvertArgs& args) {
    const p2p::LoadedModel model = p2p::loadModel(args.model, args.architecture.loadOptions(args.model));
    for (const auto& warning : model.info.metadata.value("warnings", nlohmann::json::array()))
        std::cerr << "warning: " << warning.get<std::string>() << "\n";

    p2p::SaveModelOptions save;
    save.half = args.half;
    save.name = args.name.empty() ? model.info.name : args.name;
    save.direction = args.direction.empty() ? model.info.direction : args.direction;
    save.input_kind = args.inputKind.empty() ? model.info.input_kind : args.inputKind;
    save.metadata = model.info.metadata;
    save.metadata.erase("warnings");
    save.metadata.erase("tensors");
    save.metadata.erase("source");
    save.metadata["converted_from"] = std::filesystem::absolute(args.model).string();
    save.metadata["converted_from_format"] = model.info.format;
    p2p::saveModel(args.output, model.generator, model.discriminator, save);
    verifyWritten(args.output, model, args.half);

    std::cout << "wrote " << args.output << " (" << std::filesystem::file_size(args.output)
              << " bytes; read back and verified)\n"
              << p2p::inspectModel(args.output).describe();
    return p2p::cli::kExitOk;
}

P2P_REGISTER_COMMAND("convert", [](CLI::App& app) -> std::function<int()> {
    auto args = std::make_shared<ConvertArgs>();
    auto* cmd = app.add_subcommand(
        "convert",
        "Convert a reference latest_net_G.pth (and the latest_net_D.pth beside it) to a .p2pm model");
    cmd->add_option("--model", args->model, "The reference checkpoint (latest_net_G.pth)")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--output", args->output, "The .p2pm file to write")->required();
    cmd->add_flag("--half", args->half, "Store the weights as float16 (half the size)");
    cmd->add_option("--name", args->name, "Name shown in the studio (default: the checkpoint folder's name)");
    cmd->add_option("--direction", args->direction, "Which side of the training pairs is the input")
        ->check(CLI::IsMember({"AtoB", "BtoA"}));
    cmd->add_option("--input-kind", args->inputKind, "What the model takes as input")
        ->check(CLI::IsMember({"facade-labels", "edges", "photo"}));
    args->architecture.addTo(*cmd, /*withDropout=*/true);
    return [args] { return run(*args); };
});

}  // namespace
