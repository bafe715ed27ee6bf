#pragma once

// pix2pix-bench's measures of distance to the hardware: the convolution layers of G and D with their FLOPs,
// what oneDNN's best kernel reaches on a large convolution here (the "physical limit" each row is divided
// by), and each layer's forward and backward timed as the trainer runs them (--profile).

#include <string>
#include <vector>

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "core/nn/networks.h"

namespace p2p::bench {

struct ConvLayer {
    std::string name;  // "G down3", "G up3", "D conv2"
    int64_t cin = 0, cout = 0, kernel = 4, stride = 2, padding = 1;
    int64_t in_size = 0, out_size = 0;  // square feature maps
    bool transposed = false;            // G's decoder: a ConvTranspose2d(k4, s2, p1), run on the conv path
    bool bias = false;
    bool first = false;  // the network's first layer: in G its input (realA) needs no gradient
    double forwardGflop() const;
    // Each weight element is used once per output position (per input position when transposed), at batch 1.
    int64_t weightUses() const { return transposed ? in_size * in_size : out_size * out_size; }
    std::string shape() const;  // "256->512 @32"
};

// G's layers in forward order for a square input of `size`; D's for the 6-channel pair of `size`.
std::vector<ConvLayer> generatorLayers(const UnetGenerator& g, int64_t size);
std::vector<ConvLayer> discriminatorLayers(const PatchDiscriminator& d, int64_t size);

// GFLOP of convolutions in one reference training step (the trainer's step): G forward and backward (no
// input gradient for its first layer); D forward three times (fake for D, real, fake for G), its backward
// with weight gradients on the two D passes (no input gradient for its first layer there) and with input
// gradients only on the pass for G.
double trainingStepGflop(const std::vector<ConvLayer>& g, const std::vector<ConvLayer>& d);

// GF/s of the fastest oneDNN convolution among a few large shapes and layouts (plain, channels-last, oneDNN's
// blocked layout with prepacked weights), per dtype: {"fp32": {"gflops_per_s", "kernel"}, "bf16": {...}}.
nlohmann::json physicalLimit(int warmup, int iterations);

// Each layer's forward, and backward (input and weight gradients, weight only for G's first layer), timed
// in isolation with the ops the trainer runs (conv2d, convTranspose2dOnConvPath) under its AutocastScope
// for `dtype`. Milliseconds (median) and GF/s per layer, and as a fraction of `limitGflops`.
nlohmann::json layerProfile(const std::vector<ConvLayer>& layers, torch::Dtype dtype, double limitGflops,
                            int warmup, int iterations);

}  // namespace p2p::bench
