// pix2pix eval: translates a test split with the InferenceEngine in deterministic Preview mode and reports
// mean L1 (on [-1, 1], like the training loss), PSNR and SSIM; optionally writes a gallery (a PNG grid of
// input / output / target rows and an index.html with every triplet).

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "app/cli/command_registry.h"
#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/io/image_io.h"
#include "core/data/paired_dataset.h"
#include "core/infer/inference_engine.h"
#include "core/metrics/metrics.h"

namespace fs = std::filesystem;

namespace {

struct EvalFlags {
    std::string model;
    std::string data;
    std::string split;
    std::string direction;
    std::string normStats;  // empty: the model's preview_norm, else image
    std::string gallery;
    std::string device = "auto";
    std::string precision = "fp32";
    int limit = 0;
    int grid = 8;
    int loadSize = -1;
    bool json = false;
    bool pairResize = false;
};

// Identical images have an infinite PSNR; they count as this many dB in the mean.
constexpr double kPsnrCap = 100.0;

struct Row {
    std::string name;
    p2p::ImageMetrics metrics;
};

std::string htmlEscape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

// A gallery file name from a pair's name: ASCII, and short enough that "0001_NAME_output.png" and the
// atomic writer's ".NAME.tmp.PID.N" stay well inside NAME_MAX (255 bytes) whatever the pair is called.
std::string safeFileName(const std::string& name, size_t index) {
    constexpr size_t kMaxNameChars = 120;
    std::string s;
    for (char c : name) s += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
    if (s.size() > kMaxNameChars) s.resize(kMaxNameChars);
    std::ostringstream o;
    o << std::setw(4) << std::setfill('0') << index << "_" << s;
    return o.str();
}

void writePng(const fs::path& path, const cv::Mat& image) { p2p::saveImage(path.string(), image); }

// The model's training resolution when its metadata records one (load_size = crop_size at test time, as the
// reference recommends), else the images' own size.
int defaultLoadSize(const p2p::ModelInfo& info) {
    const auto& m = info.metadata;
    if (m.contains("options") && m["options"].is_object()) {
        const auto& o = m["options"];
        const std::string preprocess = o.value("preprocess", std::string());
        if (preprocess == "resize_and_crop" || preprocess == "crop") return o.value("crop_size", 0);
    }
    return 0;
}

std::function<int()> addEvalCommand(CLI::App& app) {
    auto f = std::make_shared<EvalFlags>();
    auto* sub =
        app.add_subcommand("eval", "Evaluate a model on a paired test split: L1, PSNR, SSIM and a gallery");
    sub->add_option("--model", f->model, "A .p2pm, a reference .pth, a training checkpoint or a run folder")
        ->required();
    sub->add_option("--data", f->data, "Paired data folder")->required();
    sub->add_option("--split", f->split,
                    "Split to evaluate: test, val, train, or all for a folder without split folders "
                    "(default: test, else val, else all)");
    sub->add_flag("--pair-resize,--pair_resize", f->pairResize,
                  "A/ B/ folders: resize B to A when their sizes differ but the aspect ratios agree within 1%");
    sub->add_option("--direction", f->direction, "AtoB or BtoA (default: the model's, else AtoB)")
        ->check(CLI::IsMember({"AtoB", "BtoA"}));
    sub->add_option("--norm-stats", f->normStats,
                    "BatchNorm statistics: image (the image's own, as the paper tests) or running "
                    "(default: what the model's metadata prefers, else image)")
        ->check(CLI::IsMember({"running", "image"}));
    sub->add_option(
        "--load_size", f->loadSize,
        "Resize pairs to this square size first (default: the model's training crop size when known; "
        "0: as they are)");
    sub->add_option("--gallery", f->gallery, "Write grid.png, index.html and every triplet to this folder");
    sub->add_option("--grid", f->grid, "Rows in grid.png")->check(CLI::Range(1, 1000))->capture_default_str();
    sub->add_option("--limit", f->limit, "Evaluate at most N pairs (0: all)")->check(CLI::NonNegativeNumber);
    sub->add_option("--device", f->device, "auto | cpu | cuda | cuda:N")->capture_default_str();
    sub->add_option("--precision", f->precision, "fp32 | bf16 | fp16 | auto")
        ->check(CLI::IsMember({"auto", "fp32", "bf16", "fp16"}))
        ->capture_default_str();
    sub->add_flag("--json", f->json, "Print the metrics as JSON");

    return [f]() -> int {
        using namespace p2p;
        const auto start = std::chrono::steady_clock::now();
        EngineOptions engineOptions;
        engineOptions.device = f->device;
        engineOptions.precision = f->precision;
        InferenceEngine engine(engineOptions);
        const ModelInfo info = engine.load(f->model);
        const NormStats norm =
            f->normStats.empty() ? preferredPreviewNorm(info) : normStatsFromString(f->normStats);
        engine.setPreviewNorm(norm);

        ScanOptions scanOptions;
        scanOptions.pair_resize = f->pairResize;
        const DatasetScan scan = scanPairedFolder(f->data, {}, scanOptions);
        std::string split = f->split.empty() ? scan.testSplit() : scan.resolveSplit(f->split);
        if (f->split.empty() && split.empty()) {
            // No test/ or val/: a flat folder is evaluated whole, and the user is told what that means.
            if (!scan.splits.count(""))
                throw Error(f->data + " has no test/ or val/ split; name one with --split (accepted: " +
                            scan.acceptedSplitNames() + ")");
            std::cerr << "note: " << f->data
                      << " has no test/ or val/ split folder: evaluating all its pairs (--split all). If the model "
                         "trained on this folder, these are its training pairs and the scores flatter it.\n";
        }
        const auto& pairs = scan.split(split);
        const std::string direction =
            !f->direction.empty() ? f->direction : (!info.direction.empty() ? info.direction : "AtoB");
        const int loadSize = f->loadSize >= 0 ? f->loadSize : defaultLoadSize(info);
        TransformOptions transform;
        transform.flip = false;
        transform.size_multiple = 1;
        if (loadSize > 0) {
            transform.preprocess = Preprocess::ResizeAndCrop;
            transform.load_size = transform.crop_size = loadSize;
        } else {
            transform.preprocess = Preprocess::None;
        }
        const size_t count = f->limit > 0 ? std::min<size_t>(pairs.size(), f->limit) : pairs.size();
        if (count == 0) throw Error(f->data + ": the split '" + split + "' is empty");
        if (!f->json)
            std::cout << scan.summary() << "\n"
                      << "model:     " << info.name << " (" << info.generator.describe() << ") from " << info.path
                      << " [" << info.format << "]\n"
                      << "engine:    " << engine.describe() << ", norm statistics: " << toString(norm) << "\n"
                      << "split:     " << (split.empty() ? "all (no split folders)" : split) << ", " << count << " pairs, "
                      << direction << ", " << (loadSize > 0 ? std::to_string(loadSize) + "px" : "native size")
                      << "\n"
                      << std::flush;

        const bool gallery = !f->gallery.empty();
        if (gallery) fs::create_directories(fs::path(f->gallery) / "images");
        const bool tty = isatty(STDERR_FILENO) != 0;
        std::vector<Row> rows;
        std::vector<cv::Mat> gridRows;
        TranslateOptions preview;
        preview.mode = TranslateMode::Preview;
        auto lastDraw = std::chrono::steady_clock::now();
        // Pairs whose header passed the scan but whose data cannot be decoded: skipped, named with the
        // reason.
        std::vector<SkippedFile> unreadable;
        for (size_t i = 0; i < count; ++i) {
            ImagePair pair;
            try {
                pair = loadPair(pairs[i], scan.layout, directionFromString(direction));
            } catch (const Error& e) {
                std::string reason = e.what();
                if (reason.rfind(pairs[i].a_path + ": ", 0) == 0)
                    reason = reason.substr(pairs[i].a_path.size() + 2);
                unreadable.push_back({pairs[i].a_path, reason});
                if (tty && !f->json) std::cerr << "\r\033[K";
                std::cerr << "skipped " << e.what() << "\n";
                continue;
            }
            const cv::Mat input = applyTransform(pair.input, transform, TransformParams{});
            const cv::Mat target = applyTransform(pair.target, transform, TransformParams{});
            const cv::Mat output = engine.translate(input, preview);
            rows.push_back({pairs[i].name, compareImages(output, target)});
            if (gallery) {
                const std::string base = safeFileName(pairs[i].name, i);
                const fs::path images = fs::path(f->gallery) / "images";
                writePng(images / (base + "_input.png"), input);
                writePng(images / (base + "_output.png"), output);
                writePng(images / (base + "_target.png"), target);
                if (static_cast<int>(gridRows.size()) < f->grid) {
                    cv::Mat row;
                    cv::hconcat(std::vector<cv::Mat>{input, output, target}, row);
                    if (!gridRows.empty() && row.size() != gridRows.front().size())
                        cv::resize(row, row, gridRows.front().size(), 0, 0, cv::INTER_AREA);
                    gridRows.push_back(row);
                }
            }
            const auto now = std::chrono::steady_clock::now();
            if (tty && !f->json &&
                (std::chrono::duration<double>(now - lastDraw).count() > 0.2 || i + 1 == count)) {
                const int width = 30, filled = static_cast<int>(double(i + 1) / count * width);
                std::cerr << "\r\033[K[" << std::string(filled, '#') << std::string(width - filled, '-')
                          << "] " << i + 1 << "/" << count << std::flush;
                lastDraw = now;
            }
        }
        if (tty && !f->json) std::cerr << "\n";
        if (rows.empty())
            throw Error("none of the " + std::to_string(count) + " pairs of " + f->data + " (split '" +
                        split + "') could be loaded; the first: " + unreadable.front().path + ": " +
                        unreadable.front().reason);

        double l1 = 0, l1_255 = 0, psnr = 0, ssim = 0;
        for (const auto& r : rows) {
            l1 += r.metrics.l1;
            l1_255 += r.metrics.l1_255;
            psnr += std::isfinite(r.metrics.psnr) ? r.metrics.psnr : kPsnrCap;
            ssim += r.metrics.ssim;
        }
        const double n = static_cast<double>(rows.size());
        l1 /= n;
        l1_255 /= n;
        psnr /= n;
        ssim /= n;
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

        if (gallery) {
            cv::Mat grid;
            cv::vconcat(gridRows, grid);
            writePng(fs::path(f->gallery) / "grid.png", grid);
            std::ostringstream html;
            html << std::fixed << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>pix2pix eval: "
                 << htmlEscape(info.name) << "</title>\n<style>body{font-family:sans-serif}td{padding:4px;"
                 << "text-align:center}img{width:256px;image-rendering:pixelated}</style></head><body>\n"
                 << "<h1>" << htmlEscape(info.name) << " on " << htmlEscape(f->data) << " ("
                 << htmlEscape(split) << ", " << direction << ")</h1>\n<p>" << rows.size()
                 << " pairs. Mean L1 " << std::setprecision(4) << l1 << ", PSNR " << std::setprecision(2)
                 << psnr << " dB, SSIM " << std::setprecision(4) << ssim << "</p>\n"
                 << "<table><tr><th>name</th><th>input</th><th>output</th><th>target</th><th>L1</th>"
                 << "<th>PSNR</th><th>SSIM</th></tr>\n";
            for (size_t i = 0; i < rows.size(); ++i) {
                const std::string base = "images/" + safeFileName(rows[i].name, i);
                html << "<tr><td>" << htmlEscape(rows[i].name) << "</td><td><img src=\"" << base
                     << "_input.png\"></td><td><img src=\"" << base << "_output.png\"></td><td><img src=\""
                     << base << "_target.png\"></td><td>" << std::setprecision(4) << rows[i].metrics.l1
                     << "</td><td>" << std::setprecision(2) << rows[i].metrics.psnr << "</td><td>"
                     << std::setprecision(4) << rows[i].metrics.ssim << "</td></tr>\n";
            }
            html << "</table></body></html>\n";
            const std::string page = html.str();
            writeFileAtomically((fs::path(f->gallery) / "index.html").string(), page);
        }

        if (f->json) {
            nlohmann::json j = {{"model", f->model},
                                {"data", f->data},
                                {"split", split.empty() ? std::string("all") : split},
                                {"direction", direction},
                                {"pairs", rows.size()},
                                {"load_size", loadSize},
                                {"norm_stats", toString(norm)},
                                {"l1", l1},
                                {"l1_255", l1_255},
                                {"psnr", psnr},
                                {"ssim", ssim},
                                {"seconds", seconds},
                                {"engine", engine.describe()}};
            if (gallery) j["gallery"] = f->gallery;
            auto skippedJson = nlohmann::json::array();
            for (const auto& s : scan.skipped)
                skippedJson.push_back({{"path", s.path}, {"reason", s.reason}});
            for (const auto& s : unreadable) skippedJson.push_back({{"path", s.path}, {"reason", s.reason}});
            j["skipped"] = skippedJson;
            std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        } else {
            if (!unreadable.empty())
                std::cout << "skipped " << unreadable.size() << " pair(s) that could not be decoded:\n";
            for (const auto& s : unreadable) std::cout << "  " << s.path << ": " << s.reason << "\n";
            std::cout << std::fixed << "pairs: " << rows.size() << "\n"
                      << "L1:    " << std::setprecision(4) << l1 << " (on [-1, 1]; " << std::setprecision(2)
                      << l1_255 << " on 0..255)\n"
                      << "PSNR:  " << std::setprecision(2) << psnr << " dB\n"
                      << "SSIM:  " << std::setprecision(4) << ssim << "\n"
                      << "time:  " << std::setprecision(1) << seconds << " s\n";
            if (gallery) std::cout << "gallery: " << (fs::path(f->gallery) / "index.html").string() << "\n";
        }
        return cli::kExitOk;
    };
}

P2P_REGISTER_COMMAND("eval", addEvalCommand);

}  // namespace
