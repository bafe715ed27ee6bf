#pragma once

// Models leave the studio: the generator as ONNX (for ONNX Runtime, OpenCV DNN, TensorRT, browsers) or as a
// reference-format state dict (torch.load + load_state_dict into the reference's define_G). Torch-free, so
// the CLI and the studio call the same functions. Sources: a .p2pm, a reference .pth, a training checkpoint
// or a run folder (core/export/model_source.h). Files are written atomically: a failure leaves no partial file.

#include <optional>
#include <string>

#include "core/infer/inference_engine.h"
#include "core/io/model_file.h"

namespace p2p {

struct OnnxExportOptions {
    // Running: BatchNorm uses the stored running statistics (eval mode, as the studio's deterministic preview)
    // and is written as BatchNormalization. Image: the paper's test time, each image normalised by its own
    // statistics: BatchNorm with batch statistics at batch 1 is instance normalisation followed by BatchNorm's
    // affine, so it is written as InstanceNormalization(scale = BN weight, B = BN bias). With a batch of N > 1
    // each image is normalised by its own statistics (what batch 1, image by image, gives).
    // Unset: the model's preferred preview statistics (its `preview_norm` metadata).
    std::optional<NormStats> norm;
    int opset = 13;  // 13..17: BatchNormalization without training_mode, Resize not used
    void validate() const;
};

struct ExportResult {
    std::string source;   // what was opened (one line)
    std::string summary;  // what was written (one or more lines)
};

// Dropout is left out (the deterministic preview form). Inputs: "input" float32 NCHW RGB in [-1, 1], batch
// dynamic, height and width dynamic (multiples of 2^downs: 256 for unet_256, 128 for unet_128); output
// "output", the same shape, in [-1, 1]. The model's metadata (input kind, label palette, normalisation,
// training provenance) goes into metadata_props. The result passes onnx::checker.
ExportResult exportOnnx(const std::string& source, const std::string& output, const OnnxExportOptions& options = {},
                        const ModelLoadOptions& load = {});

// Our model file (.p2pm: generator and discriminator, with the metadata) from any source; `half` stores fp16.
ExportResult exportModelFile(const std::string& source, const std::string& output, bool half = false,
                             const ModelLoadOptions& load = {});

// The generator's state dict with the reference's key names, in torch.save's zip format, float32.
ExportResult exportReferencePth(const std::string& source, const std::string& output,
                                const ModelLoadOptions& load = {});

}  // namespace p2p
