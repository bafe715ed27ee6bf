#include "core/nn/receptive_field.h"

#include <algorithm>

#include "core/common/error.h"

namespace p2p {

std::vector<ConvGeometry> discriminatorGeometry(const DiscriminatorOptions& options) {
    options.validate();
    if (options.netD == "pixel") return {{1, 1, 0}, {1, 1, 0}, {1, 1, 0}};
    // The reference's NLayerDiscriminator: kw 4, padw 1; n_layers stride-2 convs, then two stride-1 convs.
    constexpr int kw = 4;
    constexpr int padw = 1;
    std::vector<ConvGeometry> layers;
    const int n_layers = options.effectiveLayers();
    for (int n = 0; n < n_layers; ++n) layers.push_back({kw, 2, padw});
    layers.push_back({kw, 1, padw});
    layers.push_back({kw, 1, padw});
    return layers;
}

ReceptiveField receptiveField(const std::vector<ConvGeometry>& layers) {
    // Walk from the input: a layer widens the field by (kernel - 1) of the current jumps, shifts its start
    // back by `padding` current jumps, and multiplies the jump by its stride.
    ReceptiveField field;
    for (const ConvGeometry& layer : layers) {
        if (layer.kernel < 1 || layer.stride < 1 || layer.padding < 0)
            throw Error("receptive field: invalid conv geometry (kernel " + std::to_string(layer.kernel) +
                        ", stride " + std::to_string(layer.stride) + ", padding " +
                        std::to_string(layer.padding) + ")");
        field.size += (layer.kernel - 1) * field.jump;
        field.first -= layer.padding * field.jump;
        field.jump *= layer.stride;
    }
    return field;
}

int convOutputSize(const std::vector<ConvGeometry>& layers, int inputSize) {
    int n = inputSize;
    for (const ConvGeometry& layer : layers) {
        const int padded = n + 2 * layer.padding;
        if (padded < layer.kernel) return 0;
        n = (padded - layer.kernel) / layer.stride + 1;
    }
    return n;
}

PixelRange cellInputRange(const ReceptiveField& field, int cell) {
    const int first = field.first + cell * field.jump;
    return {first, first + field.size - 1};
}

PixelRange cellImageRange(const ReceptiveField& field, int cell, int inputSize) {
    const PixelRange full = cellInputRange(field, cell);
    PixelRange clipped{std::max(full.first, 0), std::min(full.last, inputSize - 1)};
    if (clipped.last < clipped.first) return {0, -1};
    return clipped;
}

}  // namespace p2p
