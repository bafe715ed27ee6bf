#pragma once

// Receptive fields of a stack of convolutions, from the layers' geometry alone. Torch-free, so the studio can
// map a PatchGAN cell to the pixels it judged without building a network.
//
// Conventions: one axis at a time (the networks are square-kernelled), pixel indices are integers, a pixel
// range is inclusive [first, last]. Negative indices and indices >= the input size are zero padding.

#include <vector>

#include "core/nn/network_options.h"

namespace p2p {

// One conv layer's geometry, so receptive fields are derived from the layers that exist.
struct ConvGeometry {
    int kernel = 1;
    int stride = 1;
    int padding = 0;

    bool operator==(const ConvGeometry& o) const {
        return kernel == o.kernel && stride == o.stride && padding == o.padding;
    }
};

// The conv layers of the discriminator the options describe, in order: the one layer list that
// PatchDiscriminatorImpl builds its convolutions from. Throws p2p::Error for invalid options.
std::vector<ConvGeometry> discriminatorGeometry(const DiscriminatorOptions& options);

// What the whole stack does along one axis: output cell i sees input pixels
// [first + i * jump, first + i * jump + size - 1].
struct ReceptiveField {
    int size = 1;   // pixels one output cell sees
    int jump = 1;   // input pixels between neighbouring output cells (product of the strides)
    int first = 0;  // first input pixel of cell 0 (negative: it starts in the padding)
};

ReceptiveField receptiveField(const std::vector<ConvGeometry>& layers);

// Spatial size of the output for an input of `inputSize` pixels: each layer maps n to
// floor((n + 2 * padding - kernel) / stride) + 1. Returns 0 when the input is too small for the stack.
int convOutputSize(const std::vector<ConvGeometry>& layers, int inputSize);

struct PixelRange {
    int first = 0;  // inclusive
    int last = -1;  // inclusive; last < first means empty
    int length() const { return last >= first ? last - first + 1 : 0; }
    bool operator==(const PixelRange& o) const { return first == o.first && last == o.last; }
};

// The input pixels output cell `cell` sees, including padding (may extend below 0 or past the input).
PixelRange cellInputRange(const ReceptiveField& field, int cell);
// The same range clipped to the image [0, inputSize - 1]: the real pixels behind the cell's score.
PixelRange cellImageRange(const ReceptiveField& field, int cell, int inputSize);

}  // namespace p2p
