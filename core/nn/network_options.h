#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace p2p {

// Torch-free descriptions of the networks, so ui/ and model files can carry them.
enum class Norm { Batch, Instance, None };

std::string toString(Norm norm);
Norm normFromString(const std::string& name);  // batch | instance | none; throws p2p::Error

// How G's up blocks double the resolution. Transposed is the reference's ConvTranspose2d(k4, s2, p1).
// Resize is nearest-neighbour x2 then Conv2d(k3, s1, p1) (Odena et al. 2016, "Deconvolution and
// Checkerboard Artifacts"): each output pixel sees the same number of kernel taps, so the uneven overlap
// that draws checkerboards is gone. Not the reference's network: its .pth files are always Transposed.
enum class Upsample { Transposed, Resize };

std::string toString(Upsample upsample);
Upsample upsampleFromString(const std::string& name);  // transposed | resize; throws p2p::Error

// The reference's define_G for the U-Nets (models/networks.py).
struct GeneratorOptions {
    std::string netG = "unet_256";  // unet_256 (8 downs) | unet_128 (7 downs)
    int input_nc = 3;
    int output_nc = 3;
    int ngf = 64;
    Norm norm = Norm::Batch;
    bool dropout = true;  // the reference's default for pix2pix (no_dropout off)
    Upsample upsample = Upsample::Transposed;

    int numDowns() const;
    // Spatial sizes must be a multiple of this for the skip connections to line up.
    int sizeMultiple() const { return 1 << numDowns(); }
    void validate() const;  // throws p2p::Error naming the bad field
    // "upsample" is written only when Resize, so reference-shaped models and checkpoints keep their bytes and
    // older readers still read them; absent means Transposed.
    nlohmann::json toJson() const;
    static GeneratorOptions fromJson(const nlohmann::json& j);
    std::string describe() const;  // "unet_256, ngf 64, batch norm, dropout" (+ ", resize upsampling")
    bool operator==(const GeneratorOptions& o) const;
};

// The reference's define_D: "basic" is n_layers 3 (70x70 PatchGAN), "n_layers" takes n_layers, "pixel" is 1x1.
struct DiscriminatorOptions {
    std::string netD = "basic";  // basic | n_layers | pixel
    int input_nc = 6;
    int ndf = 64;
    int n_layers = 3;
    Norm norm = Norm::Batch;

    int effectiveLayers() const { return netD == "basic" ? 3 : n_layers; }
    void validate() const;
    nlohmann::json toJson() const;
    static DiscriminatorOptions fromJson(const nlohmann::json& j);
    std::string describe() const;
    bool operator==(const DiscriminatorOptions& o) const;
};

}  // namespace p2p
