#include "core/export/model_source.h"

#include <filesystem>

#include "core/common/error.h"
#include "core/train/checkpoint.h"
#include "core/train/run_folder.h"
#include "core/train/reproducibility.h"

namespace fs = std::filesystem;

namespace p2p {

namespace {

OpenedModel openCheckpoint(const std::string& path) {
    const TrainingCheckpoint c = loadTrainingCheckpoint(path);
    ModelInfo info = modelInfoOf(c, path);
    if (info.name.empty()) info.name = fs::path(path).stem().string();
    OpenedModel opened{assembleModel(info, c.generator, &c.discriminator), ""};
    opened.source = "training checkpoint " + path + " (iteration " + std::to_string(c.position.iteration) +
                    ", epoch " + std::to_string(c.position.epoch) + ")";
    return opened;
}

}  // namespace

OpenedModel openModelSource(const std::string& path, const ModelLoadOptions& options) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Error(path + ": no such file or folder");
    if (fs::is_directory(path, ec)) {
        const RunFolder run(path);
        const std::string newest = run.newestModel();
        if (newest.empty())
            throw Error(path + ": a folder, but not a run folder (neither model.p2pm nor checkpoints/latest.ckpt)");
        const bool useLatest = newest == run.latestCheckpoint();
        OpenedModel opened = useLatest ? openCheckpoint(newest) : OpenedModel{loadModel(newest, options), ""};
        opened.source = useLatest ? "run folder " + path + ": its " + opened.source
                                  : "run folder " + path + ": its exported model " + newest;
        return opened;
    }
    if (isTrainingCheckpoint(path)) return openCheckpoint(path);
    OpenedModel opened{loadModel(path, options), ""};
    opened.source = (opened.model.info.format == "p2pm" ? "model " : "reference state dict ") + path;
    return opened;
}

}  // namespace p2p
