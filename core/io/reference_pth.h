#pragma once

// The reference implementation's checkpoints: torch.save(net.state_dict()) zips whose data.pkl pickles a
// collections.OrderedDict. LibTorch 1.13's torch::pickle_load returns None for them (pytorch#100741).

#include <string>

#include "core/io/model_io.h"

namespace p2p {

// True when the file is a PyTorch zip checkpoint (looks at the zip signature and a data.pkl entry).
bool isTorchZipCheckpoint(const std::string& path);

// Reads the state dict with a restricted unpickler (no arbitrary globals). Throws p2p::Error.
StateDict readTorchStateDict(const std::string& path);

// Infers netG/ngf/norm from a generator state dict's keys and shapes; nullopt when it cannot.
std::optional<GeneratorOptions> inferGeneratorOptions(const StateDict& dict);
std::optional<DiscriminatorOptions> inferDiscriminatorOptions(const StateDict& dict);

// A reference latest_net_G.pth (and latest_net_D.pth beside it, when asked). Throws p2p::Error.
ModelInfo inspectReferenceModel(const std::string& path, const ModelLoadOptions& options);
LoadedModel loadReferenceModel(const std::string& path, const ModelLoadOptions& options);

}  // namespace p2p
