#pragma once

// The reference implementation's checkpoints: torch.save(net.state_dict()) zips whose data.pkl pickles a
// collections.OrderedDict. LibTorch 1.13's torch::pickle_load returns None for them (pytorch#100741), so
// they are read by our own zip reader and restricted unpickler (core/io/pickle_state_dict.h).
// Internal to core and its tools: includes torch.

#include <optional>
#include <string>

#include "core/io/model_io.h"
#include "core/io/pickle_state_dict.h"

namespace p2p {

// Reference keys are already our module names. This strips the "module." prefix that DataParallel adds and,
// like the reference's __patch_instance_norm_state_dict, drops the running_mean / running_var /
// num_batches_tracked that PyTorch < 0.4 saved for InstanceNorm layers (a norm layer without a weight).
void normalizeReferenceStateDict(StateDict& dict);

// Infers the define_G arguments from a generator state dict's keys and shapes: netG from the number of
// nested U-Net levels, ngf and input_nc from the first conv, output_nc from the last upconv, norm from
// BatchNorm parameters (batch) or conv biases without them (instance) or neither (none), upsample from the
// outermost up layer's keys (the reference's are always transposed; resize ones are our own). Dropout leaves
// no trace and is reported as the reference's default (on). nullopt, with `reason` set, when it cannot.
std::optional<GeneratorOptions> inferGeneratorOptions(const StateDict& dict, std::string* reason = nullptr);
// The same for define_D: pixel (`net.` keys) or a PatchGAN with n_layers from the number of convs.
std::optional<DiscriminatorOptions> inferDiscriminatorOptions(const StateDict& dict,
                                                              std::string* reason = nullptr);

// ".../latest_net_G.pth" -> ".../latest_net_D.pth" (also "net_G.pth" -> "net_D.pth"); "" when the file name
// has no net_G.
std::string referenceDiscriminatorPath(const std::string& generatorPath);

// What a reference .pth holds, from its keys and shapes only (the weights are not read).
struct ReferenceCheckpointSummary {
    std::string kind = "unknown";  // "generator" | "discriminator" | "unknown"
    std::optional<GeneratorOptions> generator;
    std::optional<DiscriminatorOptions> discriminator;
    std::string reason;  // why neither architecture could be inferred
    size_t tensors = 0;
    int64_t parameters = 0;  // elements of the learnable tensors (not running statistics)
    std::string stored_dtype;
};
ReferenceCheckpointSummary summarizeReferenceCheckpoint(const std::string& path);

// A reference latest_net_G.pth, and latest_net_D.pth beside it when options.load_discriminator (a sibling
// that cannot be used is a warning in info.metadata["warnings"], not a failure). The architecture is inferred
// unless options.generator_override is set; when it cannot be inferred and no override is given, throws
// p2p::Error asking for --netG/--ngf/--norm. A train_opt.txt beside the file (the reference writes one)
// supplies the direction and no_dropout. inspectReferenceModel reads only the keys and shapes.
ModelInfo inspectReferenceModel(const std::string& path, const ModelLoadOptions& options);
LoadedModel loadReferenceModel(const std::string& path, const ModelLoadOptions& options);

}  // namespace p2p
