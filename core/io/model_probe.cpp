#include "core/io/model_probe.h"

#include "core/io/reference_pth.h"

namespace p2p {

bool generatorArchitectureUnknown(const std::string& path) {
    if (!isTorchZipCheckpoint(path)) return false;
    const StateDict dict = readTorchStateDict(path);
    // A discriminator checkpoint is the wrong file, not an unknown architecture: no flags make it a
    // generator.
    return !inferGeneratorOptions(dict).has_value() && !inferDiscriminatorOptions(dict).has_value();
}

}  // namespace p2p
