#pragma once

// Named starting points for a training run, shared by `pix2pix train --preset` and the studio's training
// panel. A preset sets the architecture, the image sizes and the schedule; everything else (data, direction,
// seed, run folder) stays as given. Torch-free.

#include <string>
#include <string_view>
#include <vector>

#include "core/train/train_options.h"

namespace p2p {

struct TrainPreset {
    std::string name;         // for flags and settings: "tiny"
    std::string title;        // for menus: "Tiny"
    std::string description;  // one sentence: what it is for and what it costs
    std::string netG;
    int ngf = 64;
    int ndf = 64;
    int load_size = 286;
    int crop_size = 256;
    int n_epochs = 100;
    int n_epochs_decay = 100;

    TrainOptions applyTo(TrainOptions base) const;
    bool matches(const TrainOptions& o) const;  // every field the preset sets has its value
    std::string summary() const;                // "unet_128, ngf 32, ndf 32, 128×128 crops (from 143), 10 + 10 epochs"
};

// In the order a menu shows them, smallest first.
const std::vector<TrainPreset>& trainPresets();
// Throws p2p::Error naming the preset and listing the known ones.
const TrainPreset& trainPreset(std::string_view name);
// The first preset that `o` matches, or nullptr (custom settings).
const TrainPreset* matchingPreset(const TrainOptions& o);

}  // namespace p2p
