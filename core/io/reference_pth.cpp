// TEMPORARY: replaced by the reference .pth reader (issue 2). Kept only so the tree links meanwhile.
#include "core/io/reference_pth.h"

#include <fstream>

#include "core/common/error.h"

namespace p2p {

bool isTorchZipCheckpoint(const std::string& path) {
    if (path.size() < 4 || path.substr(path.size() - 4) != ".pth") return false;
    std::ifstream in(path, std::ios::binary);
    char sig[4] = {};
    in.read(sig, 4);
    return in.gcount() == 4 && sig[0] == 'P' && sig[1] == 'K' && sig[2] == 3 && sig[3] == 4;
}
StateDict readTorchStateDict(const std::string& path) { throw Error(path + ": reference .pth reading is not built yet"); }
std::optional<GeneratorOptions> inferGeneratorOptions(const StateDict&) { return std::nullopt; }
std::optional<DiscriminatorOptions> inferDiscriminatorOptions(const StateDict&) { return std::nullopt; }
ModelInfo inspectReferenceModel(const std::string& path, const ModelLoadOptions&) { throw Error(path + ": not built yet"); }
LoadedModel loadReferenceModel(const std::string& path, const ModelLoadOptions&) { throw Error(path + ": not built yet"); }

}  // namespace p2p
