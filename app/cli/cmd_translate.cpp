// pix2pix translate: runs a generator over one image or every image in a folder and writes PNGs.

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>

#include <opencv2/imgcodecs.hpp>

#include "app/cli/architecture_flags.h"
#include "app/cli/command_registry.h"
#include "app/cli/device_flag.h"
#include "core/common/error.h"
#include "core/infer/inference_engine.h"
#include "core/infer/model_input.h"
#include "core/io/image_io.h"

namespace fs = std::filesystem;

namespace {

struct TranslateArgs {
    std::string model, input, output;
    std::string direction = "AtoB";
    p2p::cli::ArchitectureFlags architecture;
    std::string mode = "preview";
    uint64_t seed = 0;
    std::string norm_stats;  // empty: the model's preview_norm, else image
    p2p::Device device;
    std::string precision = "auto";
    bool aligned = false;
    std::string aligned_side;  // left | right; default from --direction
    int tile_size = 1024;
    int threads = 0;
};

bool isImageFile(const fs::path& p) {
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    for (const char* e : {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm"})
        if (ext == e) return true;
    return false;
}

std::vector<fs::path> collectInputs(const std::string& input) {
    if (!fs::exists(input)) throw p2p::Error(input + ": no such file or folder");
    if (!fs::is_directory(input)) return {fs::path(input)};
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::directory_iterator it(input, ec), end; it != end; it.increment(ec)) {
        if (ec) break;
        std::error_code typeError;
        if (it->is_regular_file(typeError) && isImageFile(it->path())) files.push_back(it->path());
    }
    if (ec) throw p2p::Error("cannot read the folder " + input + " (" + ec.message() + ")");
    std::sort(files.begin(), files.end());
    if (files.empty()) throw p2p::Error(input + ": the folder holds no images (png, jpg, bmp, tif, webp)");
    return files;
}

// The validated loader (header checked before decoding, conversions noted), as training and the studio use;
// PNM, which it does not parse, goes to OpenCV directly.
cv::Mat readInput(const fs::path& path, std::vector<std::string>& notes) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext == ".ppm" || ext == ".pgm") {
        cv::Mat image = cv::imread(path.string(), cv::IMREAD_COLOR);
        if (image.empty())
            throw p2p::Error(path.string() + ": cannot decode the PNM data (corrupt or truncated)");
        return image;
    }
    p2p::LoadedImage loaded = p2p::loadImage(path.string());
    notes = std::move(loaded.notes);
    return loaded.bgr;
}

bool isImageFileName(const fs::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    for (const char* known : {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"})
        if (ext == known) return true;
    return false;
}

int run(const TranslateArgs& a) {
    p2p::EngineOptions options;
    options.device = a.device;
    options.precision = a.precision;
    options.tile_size = a.tile_size;
    options.tile_overlap = std::min(options.tile_overlap, a.tile_size / 2);
    options.threads = a.threads;
    p2p::InferenceEngine engine(options);

    const p2p::ModelInfo info = engine.load(a.model, a.architecture.loadOptions(a.model));
    const p2p::NormStats norm =
        a.norm_stats.empty() ? p2p::preferredPreviewNorm(info) : p2p::normStatsFromString(a.norm_stats);
    engine.setPreviewNorm(norm);
    std::cerr << "model:  " << info.name << " (" << info.generator.describe() << ") from " << info.path << " ["
              << info.format << "]\n"
              << "engine: " << engine.describe() << ", norm statistics: " << p2p::toString(norm) << "\n";

    const auto inputs = collectInputs(a.input);
    // One input file and an --output that names an image: write that file. Otherwise --output is a folder.
    const bool toFile = !fs::is_directory(a.input) && isImageFileName(a.output) && !fs::is_directory(a.output);
    const fs::path folder = toFile ? fs::path(a.output).parent_path() : fs::path(a.output);
    if (!folder.empty()) fs::create_directories(folder);
    if (!folder.empty() && !fs::is_directory(folder))
        throw p2p::Error(folder.string() + ": cannot create the output folder");

    p2p::TranslateOptions translate;
    translate.mode = a.mode == "paper" ? p2p::TranslateMode::Paper : p2p::TranslateMode::Preview;
    translate.seed = a.seed;
    const bool aligned = a.aligned || !a.aligned_side.empty();
    const std::string side =
        !a.aligned_side.empty() ? a.aligned_side : (a.direction == "AtoB" ? "left" : "right");

    int failed = 0;
    bool fellBack = false;
    for (size_t i = 0; i < inputs.size(); ++i) {
        const fs::path& path = inputs[i];
        const fs::path target = toFile ? fs::path(a.output) : fs::path(a.output) / (path.stem().string() + ".png");
        const auto start = std::chrono::steady_clock::now();
        std::cerr << "[" << (i + 1) << "/" << inputs.size() << "] " << path.string() << " -> "
                  << target.string();
        try {
            std::vector<std::string> notes;
            cv::Mat image = readInput(path, notes);
            if (aligned) {
                if (image.cols < 2)
                    throw p2p::Error(path.string() + ": too narrow to be an aligned A|B pair");
                const int half = image.cols / 2;
                image = image(cv::Rect(side == "left" ? 0 : half, 0, half, image.rows)).clone();
            }
            // As the studio does: a label map in the exact CMP colours (one saved from the studio) goes to the
            // model in the colours it was trained on.
            bool recoloured = false;
            image = p2p::modelInputForImage(image, info, &recoloured);
            if (recoloured)
                notes.push_back("CMP label colours given to the model as " +
                                p2p::toString(p2p::modelLabelPalette(info)) + " colours");
            const cv::Mat out = engine.translate(image, translate);
            if (!fellBack && !engine.fallbackReason().empty()) {
                fellBack = true;
                notes.push_back("the device failed, so this and the remaining images run on the CPU: " +
                                engine.fallbackReason());
            }
            p2p::saveImage(target.string(), out);  // atomic: a killed run leaves no half-written PNG
            const double ms =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
            std::cerr << " (" << out.cols << "x" << out.rows << ", " << static_cast<int>(ms) << " ms";
            for (const auto& note : notes) std::cerr << "; " << note;
            std::cerr << ")\n";
        } catch (const std::exception& e) {
            ++failed;
            std::cerr << "\nerror: " << e.what() << "\n";
        }
    }
    if (failed > 0) {
        std::cerr << failed << " of " << inputs.size() << " images failed\n";
        return p2p::cli::kExitFailure;
    }
    std::cerr << inputs.size() << " image" << (inputs.size() == 1 ? "" : "s") << " written to " << a.output
              << "\n";
    return p2p::cli::kExitOk;
}

P2P_REGISTER_COMMAND("translate", [](CLI::App& app) -> std::function<int()> {
    auto args = std::make_shared<TranslateArgs>();
    auto* sub =
        app.add_subcommand("translate", "Translate one image or every image in a folder with a generator");
    sub->add_option("--model", args->model,
                    "A .p2pm, a reference latest_net_G.pth, a training checkpoint or a run folder")
        ->required()
        ->check(CLI::ExistingPath);
    sub->add_option("--input", args->input, "An image or a folder of images")
        ->required()
        ->check(CLI::ExistingPath);
    sub->add_option("--output", args->output,
                    "Folder for the PNG results (created), or an image file name when --input is one file")
        ->required();
    auto* direction = sub->add_option("--direction", args->direction,
                                      "AtoB or BtoA: which half of an --aligned A|B image is the input")
                          ->check(CLI::IsMember({"AtoB", "BtoA"}))
                          ->capture_default_str();
    sub->add_flag("--aligned", args->aligned,
                  "Inputs are aligned A|B pairs side by side; translate one half");
    sub->add_option("--aligned-side", args->aligned_side,
                    "Take this half of an aligned pair (implies --aligned)")
        ->check(CLI::IsMember({"left", "right"}));
    args->architecture.addTo(*sub);
    sub->add_option("--mode", args->mode, "preview (deterministic) or paper (dropout on, seeded)")
        ->check(CLI::IsMember({"preview", "paper"}))
        ->capture_default_str();
    sub->add_option("--seed", args->seed, "Paper mode: seed of the dropout masks")->capture_default_str();
    sub->add_option(
           "--norm-stats", args->norm_stats,
           "Preview BatchNorm statistics: image (the image's own, as the paper) or running (stored); "
           "default: what the model's metadata prefers, else image")
        ->check(CLI::IsMember({"running", "image"}));
    p2p::cli::addDeviceFlag(sub, args->device, "auto, cpu, cuda or cuda:N");
    sub->add_option("--precision", args->precision, "auto, fp32, bf16 (CPU) or fp16 (CUDA)")
        ->check(CLI::IsMember({"auto", "fp32", "bf16", "fp16"}))
        ->capture_default_str();
    sub->add_option("--tile-size", args->tile_size,
                    "Images larger than this on a side run in overlapping tiles")
        ->check(CLI::Range(64, 1 << 16))
        ->capture_default_str();
    sub->add_option("--threads", args->threads, "CPU threads (0 = one per core)")->check(CLI::Range(0, 1024));
    return [=] {
        // A flag that would change nothing is said, never silently ignored.
        if (direction->count() > 0 && !args->aligned && args->aligned_side.empty())
            std::cerr << "warning: --direction " << args->direction
                      << " applies to aligned A|B inputs; without --aligned each whole image is translated\n";
        return run(*args);
    };
});

}  // namespace
