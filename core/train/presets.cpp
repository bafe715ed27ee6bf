#include "core/train/presets.h"

#include "core/common/error.h"

namespace p2p {

TrainOptions TrainPreset::applyTo(TrainOptions base) const {
    base.netG = netG;
    base.ngf = ngf;
    base.ndf = ndf;
    base.load_size = load_size;
    base.crop_size = crop_size;
    base.n_epochs = n_epochs;
    base.n_epochs_decay = n_epochs_decay;
    return base;
}

bool TrainPreset::matches(const TrainOptions& o) const {
    return o.netG == netG && o.ngf == ngf && o.ndf == ndf && o.load_size == load_size && o.crop_size == crop_size &&
           o.n_epochs == n_epochs && o.n_epochs_decay == n_epochs_decay;
}

std::string TrainPreset::summary() const {
    return netG + ", ngf " + std::to_string(ngf) + ", ndf " + std::to_string(ndf) + ", " + std::to_string(crop_size) +
           "×" + std::to_string(crop_size) + " crops (from " + std::to_string(load_size) + "), " +
           std::to_string(n_epochs) + " + " + std::to_string(n_epochs_decay) + " epochs";
}

const std::vector<TrainPreset>& trainPresets() {
    static const std::vector<TrainPreset> presets = {
        {"tiny", "Tiny",
         "A quick look at whether a set learns: 128² crops and a quarter of the paper's width; an epoch of 400 "
         "pairs takes about a minute on a 2-core CPU.",
         // 143/128 is the reference's 286/256 jitter ratio at 128.
         "unet_128", 32, 32, 143, 128, 10, 10},
        {"studio", "Studio",
         "The embedded models' shape: 256² like the paper at half its width (ngf 32), so the result paints live "
         "in the studio (about 20 ms a frame on 2 cores); the paper's 100 + 100 epochs.",
         "unet_256", 32, 32, 286, 256, 100, 100},
        {"paper", "Paper",
         "The paper's facades setup (unet_256, ngf 64, 286→256 jitter, 100 + 100 epochs): the reference's "
         "defaults, for results comparable with it; hours per epoch-hundred on a CPU, best on a GPU.",
         "unet_256", 64, 64, 286, 256, 100, 100},
    };
    return presets;
}

const TrainPreset& trainPreset(std::string_view name) {
    std::string known;
    for (const auto& p : trainPresets()) {
        if (p.name == name) return p;
        known += (known.empty() ? "" : ", ") + p.name;
    }
    throw Error("unknown preset '" + std::string(name) + "' (known: " + known + ")");
}

const TrainPreset* matchingPreset(const TrainOptions& o) {
    for (const auto& p : trainPresets())
        if (p.matches(o)) return &p;
    return nullptr;
}

}  // namespace p2p
