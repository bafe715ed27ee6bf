#pragma once

// Loading and saving generator models as networks. Internal to core and its tools: includes torch.

#include <string>

#include "core/io/model_file.h"
#include "core/io/state_dict.h"
#include "core/nn/networks.h"

namespace p2p {

struct LoadedModel {
    ModelInfo info;
    UnetGenerator generator{nullptr};
    PatchDiscriminator discriminator{nullptr};  // null when the model has none
};

// Ours (.p2pm) or a reference .pth, told apart by content, not by extension. On CPU, float32. Throws p2p::Error.
LoadedModel loadModel(const std::string& path, const ModelLoadOptions& options = {});

struct SaveModelOptions {
    bool half = false;  // store the weights as float16 (the embedded models)
    std::string name;
    std::string direction;
    std::string input_kind;
    nlohmann::json metadata = nlohmann::json::object();
};

// Our format: one file with the architecture as JSON and the generator (and optional discriminator) weights.
// Written atomically (temp file, fsync, rename).
void saveModel(const std::string& path, const UnetGenerator& generator, const PatchDiscriminator& discriminator,
               const SaveModelOptions& options);

// Builds the networks described by `info` and loads `generatorWeights` (and `discriminatorWeights` when set).
LoadedModel assembleModel(ModelInfo info, const StateDict& generatorWeights, const StateDict* discriminatorWeights);

}  // namespace p2p
