#include "app/cli/architecture_flags.h"

#include "core/common/error.h"

namespace p2p::cli {

void ArchitectureFlags::addTo(CLI::App& command, bool withDropout) {
    command.add_option("--netG", netG, "Generator of a reference .pth whose keys do not tell it")
        ->check(CLI::IsMember({"unet_256", "unet_128"}));
    command.add_option("--ngf", ngf, "Generator filters in the first conv layer (a reference .pth)")
        ->check(CLI::Range(1, 512));
    command.add_option("--norm", norm, "Normalization layers of a reference .pth")
        ->check(CLI::IsMember({"batch", "instance", "none"}));
    if (withDropout)
        command.add_flag("--no-dropout", noDropout,
                         "The generator was trained with --no_dropout (dropout leaves no trace in a checkpoint)");
}

ModelLoadOptions ArchitectureFlags::loadOptions(const std::string& modelPath) const {
    ModelLoadOptions options;
    if (!given()) return options;
    GeneratorOptions g;
    try {
        g = inspectModel(modelPath).generator;
    } catch (const Error&) {  // not inferable: the flags describe it from the defaults up
    }
    if (!netG.empty()) g.netG = netG;
    if (ngf > 0) g.ngf = ngf;
    if (!norm.empty()) g.norm = normFromString(norm);
    if (noDropout) g.dropout = false;
    g.validate();
    options.generator_override = g;
    return options;
}

}  // namespace p2p::cli
