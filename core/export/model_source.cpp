#include "core/export/model_source.h"

#include <filesystem>

#include "core/common/error.h"
#include "core/train/checkpoint.h"
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
        const fs::path model = fs::path(path) / "model.p2pm";
        const fs::path latest = fs::path(path) / "checkpoints" / "latest.ckpt";
        const bool hasModel = fs::is_regular_file(model, ec), hasLatest = fs::is_regular_file(latest, ec);
        if (!hasModel && !hasLatest)
            throw Error(path + ": a folder, but not a run folder (neither model.p2pm nor checkpoints/latest.ckpt)");
        const bool useLatest = hasLatest && (!hasModel || fs::last_write_time(latest) > fs::last_write_time(model));
        OpenedModel opened = useLatest ? openCheckpoint(latest.string())
                                       : OpenedModel{loadModel(model.string(), options), ""};
        if (!useLatest) opened.source = "run folder " + path + ": its exported model " + model.string();
        else opened.source = "run folder " + path + ": its " + opened.source;
        return opened;
    }
    if (isTrainingCheckpoint(path)) return openCheckpoint(path);
    OpenedModel opened{loadModel(path, options), ""};
    opened.source = (opened.model.info.format == "p2pm" ? "model " : "reference state dict ") + path;
    return opened;
}

}  // namespace p2p
