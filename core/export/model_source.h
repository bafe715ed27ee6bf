#pragma once

// One way to open "a model" for every command that takes one: a .p2pm, a reference latest_net_G.pth (with
// architecture overrides), a training checkpoint (.ckpt), or a run folder (its newest model: model.p2pm or
// checkpoints/latest.ckpt, whichever was written last). Internal to core and its tools: includes torch.

#include <string>

#include "core/io/model_io.h"

namespace p2p {

struct OpenedModel {
    LoadedModel model;
    std::string source;  // one line: what was opened, e.g. "training checkpoint RUN/checkpoints/latest.ckpt (epoch 3)"
};

// Throws p2p::Error naming the path and the reason when it is none of the four.
OpenedModel openModelSource(const std::string& path, const ModelLoadOptions& options = {});

}  // namespace p2p
