#pragma once

// Torch-free description of a generator model file: ours (.p2pm) or a reference latest_net_G.pth.

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/nn/network_options.h"

namespace p2p {

struct ModelInfo {
    std::string path;
    std::string name;    // shown in the UI, e.g. "facades"
    std::string format;  // "p2pm" (ours) or "reference-pth"
    GeneratorOptions generator;
    std::optional<DiscriminatorOptions> discriminator;  // when the file (or a sibling net_D) has one
    std::string direction;   // AtoB | BtoA | "" when unknown
    std::string input_kind;  // "facade-labels" | "edges" | "photo" (a photo -> label model) | "" when unknown
    bool architecture_inferred = true;  // false when options came from the caller's override
    int64_t generator_parameters = 0;
    std::string stored_dtype = "float32";  // how the weights are stored on disk
    nlohmann::json metadata = nlohmann::json::object();  // provenance: data, epochs, command, metrics

    std::string describe() const;  // multi-line, for `pix2pix inspect` and the UI
};

struct ModelLoadOptions {
    // Used for a reference .pth whose architecture cannot be inferred from its keys and shapes,
    // and to override an inferred one (e.g. dropout, which leaves no trace in a state dict).
    std::optional<GeneratorOptions> generator_override;
    bool load_discriminator = true;  // ours: the D inside the file; reference: a latest_net_D.pth beside it
};

// Reads the header (ours) or the key list (reference) without building the networks. Throws p2p::Error.
ModelInfo inspectModel(const std::string& path, const ModelLoadOptions& options = {});

// The file extension we write.
inline constexpr const char* kModelExtension = ".p2pm";

}  // namespace p2p
