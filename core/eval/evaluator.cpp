#include "core/eval/evaluator.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include <opencv2/imgproc.hpp>

#include "core/common/atomic_file.h"
#include "core/data/direction_guess.h"
#include "core/infer/inference_engine.h"
#include "core/infer/model_input.h"
#include "core/io/image_io.h"

namespace fs = std::filesystem;

namespace p2p {

namespace {

// Identical images have an infinite PSNR; they count as this many dB in the mean.
constexpr double kPsnrCap = 100.0;

std::string htmlEscape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
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

// The model's training resolution when its metadata records one (load_size = crop_size at test time, as the
// reference recommends), else the images' own size.
int defaultLoadSize(const ModelInfo& info) {
    const auto& m = info.metadata;
    if (m.contains("options") && m["options"].is_object()) {
        const auto& o = m["options"];
        const std::string preprocess = o.value("preprocess", std::string());
        if (preprocess == "resize_and_crop" || preprocess == "crop") return o.value("crop_size", 0);
    }
    return 0;
}

void writeGalleryPage(const EvalOptions& options, const EvalReport& r) {
    std::ostringstream html;
    html << std::fixed << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>pix2pix eval: "
         << htmlEscape(r.model_name) << "</title>\n<style>body{font-family:sans-serif}td{padding:4px;"
         << "text-align:center}img{width:256px;image-rendering:pixelated}</style></head><body>\n"
         << "<h1>" << htmlEscape(r.model_name) << " on " << htmlEscape(r.data) << " (" << htmlEscape(r.split) << ", "
         << r.direction << ")</h1>\n<p>" << r.pairs.size() << " pairs. Mean L1 " << std::setprecision(4) << r.l1
         << ", PSNR " << std::setprecision(2) << r.psnr << " dB, SSIM " << std::setprecision(4) << r.ssim << "</p>\n"
         << "<table><tr><th>name</th><th>input</th><th>output</th><th>target</th><th>L1</th>"
         << "<th>PSNR</th><th>SSIM</th></tr>\n";
    for (size_t i = 0; i < r.pairs.size(); ++i) {
        const std::string base = "images/" + safeFileName(r.pairs[i].name, i);
        html << "<tr><td>" << htmlEscape(r.pairs[i].name) << "</td><td><img src=\"" << base
             << "_input.png\"></td><td><img src=\"" << base << "_output.png\"></td><td><img src=\"" << base
             << "_target.png\"></td><td>" << std::setprecision(4) << r.pairs[i].metrics.l1 << "</td><td>"
             << std::setprecision(2) << r.pairs[i].metrics.psnr << "</td><td>" << std::setprecision(4)
             << r.pairs[i].metrics.ssim << "</td></tr>\n";
    }
    html << "</table></body></html>\n";
    writeFileAtomically((fs::path(options.gallery) / "index.html").string(), html.str());
}

std::string fixed(double v, int digits) {
    std::ostringstream o;
    o << std::fixed << std::setprecision(digits) << v;
    return o.str();
}

std::string labelScoresText(const LabelScores& s) {
    return "pixel accuracy " + fixed(s.pixel_accuracy, 3) + ", mean class accuracy " + fixed(s.mean_class_accuracy, 3) +
           ", mean class IoU " + fixed(s.mean_iou, 3);
}

// The model and the segmenter run on the same device in the same precision.
EngineOptions engineOptionsFor(const EvalOptions& options) {
    EngineOptions e;
    e.device = options.device;
    e.precision = options.precision;
    return e;
}

// Whether the generator translates label maps: its input kind when it records one, else what its first
// input looks like.
bool translatesLabelMaps(const ModelInfo& generator, const cv::Mat& firstInput) {
    if (!generator.input_kind.empty()) return generator.input_kind == "facade-labels";
    return classifyImage(firstInput) == ImageKind::LabelMap;
}

// Re-labels generated and real photos with a photo -> label model and pools both confusions over the split.
class LabelConsistencyScorer {
public:
    LabelConsistencyScorer(const EvalOptions& options, const ModelInfo& generator) : engine_(engineOptionsFor(options)) {
        const ModelInfo info = engine_.load(options.segmenter);
        if (info.input_kind == "facade-labels" || info.input_kind == "edges")
            throw Error(options.segmenter + " is not a photo -> label model: it translates '" + info.input_kind +
                        "' inputs");
        engine_.setPreviewNorm(preferredPreviewNorm(info));
        report_.segmenter_path = info.path;
        report_.segmenter_name = info.name;
        inputPalette_ = modelLabelPalette(generator);
        outputPalette_ = modelLabelPalette(info);
        report_.palette = toString(outputPalette_);
    }
    // `labels` is the generator's input, `output` its photo and `real` the test photo, all of one size.
    void add(const cv::Mat& labels, const cv::Mat& output, const cv::Mat& real) {
        const cv::Mat truth = colourToLabels(labels, inputPalette_);
        TranslateOptions preview;
        preview.mode = TranslateMode::Preview;
        generated_.add(colourToLabels(engine_.translate(output, preview), outputPalette_), truth);
        real_.add(colourToLabels(engine_.translate(real, preview), outputPalette_), truth);
    }
    LabelConsistencyReport finish(size_t pairs) {
        report_.generated = generated_.scores();
        report_.real = real_.scores();
        report_.protocol =
            "Label consistency, after the paper's FCN-score (Isola et al. 2017, §4.2): each generated photo is "
            "re-labelled by " + report_.segmenter_name + " (a pix2pix photo -> label model), every pixel snapped to "
            "the nearest of the 12 facade classes (" + report_.palette + " colours), and compared with the input "
            "label map read the same way; pixel accuracy, mean class accuracy and mean class IoU over the classes "
            "present, pooled over all " + std::to_string(pairs) + " pairs. The same segmenter on the real photos "
            "gives the scale. Its own segmenter makes these figures incomparable with published FCN-scores.";
        return report_;
    }

private:
    InferenceEngine engine_;
    LabelPalette inputPalette_ = LabelPalette::Pix2PixFacades, outputPalette_ = LabelPalette::Pix2PixFacades;
    ClassConfusion generated_{12}, real_{12};
    LabelConsistencyReport report_;
};

}  // namespace

nlohmann::json LabelConsistencyReport::toJson() const {
    return {{"segmenter", segmenter_path},
            {"palette", palette},
            {"generated", generated.toJson()},
            {"real", real.toJson()},
            {"protocol", protocol}};
}

std::vector<std::string> EvalReport::scoreLines() const {
    std::vector<std::string> lines = {
        "pairs: " + std::to_string(pairs.size()),
        "L1:    " + fixed(l1, 4) + " (on [-1, 1]; " + fixed(l1_255, 2) + " on 0..255)",
        "PSNR:  " + fixed(psnr, 2) + " dB",
        "SSIM:  " + fixed(ssim, 4),
    };
    if (label_consistency) {
        lines.push_back("label consistency (" + label_consistency->segmenter_name + "):");
        lines.push_back("  generated: " + labelScoresText(label_consistency->generated));
        lines.push_back("  real:      " + labelScoresText(label_consistency->real));
    }
    lines.push_back("time:  " + fixed(seconds, 1) + " s");
    return lines;
}

void EvalOptions::validate() const {
    if (model.empty()) throw Error("eval option model: no model given");
    if (data.empty()) throw Error("eval option data: no data folder given");
    if (!direction.empty() && direction != "AtoB" && direction != "BtoA")
        throw Error("eval option direction: must be AtoB or BtoA, got '" + direction + "'");
    if (!norm_stats.empty() && norm_stats != "image" && norm_stats != "running")
        throw Error("eval option norm_stats: must be image or running, got '" + norm_stats + "'");
    if (limit < 0) throw Error("eval option limit: must be 0 (all) or positive");
    if (grid_rows < 1 || grid_rows > 1000) throw Error("eval option grid_rows: must be between 1 and 1000");
    if (load_size < -1 || load_size > 8192) throw Error("eval option load_size: must be -1, 0 or a size up to 8192");
}

nlohmann::json EvalReport::toJson() const {
    nlohmann::json j = {{"model", model_path},
                        {"data", data},
                        {"split", split.empty() ? std::string("all") : split},
                        {"direction", direction},
                        {"pairs", pairs.size()},
                        {"load_size", load_size},
                        {"norm_stats", norm_stats},
                        {"l1", l1},
                        {"l1_255", l1_255},
                        {"psnr", psnr},
                        {"ssim", ssim},
                        {"seconds", seconds},
                        {"engine", engine}};
    if (!gallery_index.empty()) j["gallery"] = fs::path(gallery_index).parent_path().string();
    auto skipped = nlohmann::json::array();
    for (const auto& s : skipped_by_scan) skipped.push_back({{"path", s.path}, {"reason", s.reason}});
    for (const auto& s : unreadable) skipped.push_back({{"path", s.path}, {"reason", s.reason}});
    j["skipped"] = skipped;
    if (!notes.empty()) j["notes"] = notes;
    if (label_consistency) j["label_consistency"] = label_consistency->toJson();
    return j;
}

EvalReport evaluate(const EvalOptions& options, EvalObserver* observer, const std::atomic<bool>* cancel) {
    options.validate();
    const auto start = std::chrono::steady_clock::now();
    EvalReport r;
    InferenceEngine engine(engineOptionsFor(options));
    const ModelInfo info = engine.load(options.model);
    const NormStats norm = options.norm_stats.empty() ? preferredPreviewNorm(info) : normStatsFromString(options.norm_stats);
    engine.setPreviewNorm(norm);
    r.model_path = info.path;
    r.model_name = info.name;
    r.model_format = info.format;
    r.generator = info.generator.describe();
    r.engine = engine.describe();
    r.norm_stats = toString(norm);

    ScanOptions scanOptions;
    scanOptions.pair_resize = options.pair_resize;
    const DatasetScan scan = scanPairedFolder(options.data, {}, scanOptions);
    r.data = options.data;
    r.dataset_summary = scan.summary();
    r.skipped_by_scan = scan.skipped;
    r.split = options.split.empty() ? scan.testSplit() : scan.resolveSplit(options.split);
    if (options.split.empty() && r.split.empty()) {
        // No test/ or val/: a flat folder is evaluated whole, and the user is told what that means.
        if (!scan.splits.count(""))
            throw Error(options.data + " has no test/ or val/ split; name one (accepted: " + scan.acceptedSplitNames() +
                        ")");
        r.notes.push_back(options.data +
                          " has no test/ or val/ split folder: evaluating all its pairs. If the model trained on this "
                          "folder, these are its training pairs and the scores flatter it.");
    }
    const auto& pairs = scan.split(r.split);
    r.direction = !options.direction.empty() ? options.direction : (!info.direction.empty() ? info.direction : "AtoB");
    r.load_size = options.load_size >= 0 ? options.load_size : defaultLoadSize(info);
    TransformOptions transform;
    transform.flip = false;
    transform.size_multiple = 1;
    if (r.load_size > 0) {
        transform.preprocess = Preprocess::ResizeAndCrop;
        transform.load_size = transform.crop_size = r.load_size;
    } else {
        transform.preprocess = Preprocess::None;
    }
    r.planned = options.limit > 0 ? std::min<size_t>(pairs.size(), size_t(options.limit)) : pairs.size();
    if (r.planned == 0) throw Error(options.data + ": the split '" + r.split + "' is empty");
    std::optional<LabelConsistencyScorer> consistency;
    bool consistencyDecided = options.segmenter.empty();
    if (observer) observer->onStarted(r);

    const bool gallery = !options.gallery.empty();
    const fs::path images = fs::path(options.gallery) / "images";
    if (gallery) {
        std::error_code ec;
        fs::create_directories(images, ec);
        if (ec) throw Error("cannot create the gallery folder " + images.string() + ": " + ec.message());
    }
    std::vector<cv::Mat> gridRows;
    TranslateOptions preview;
    preview.mode = TranslateMode::Preview;
    for (size_t i = 0; i < r.planned; ++i) {
        if (cancel && cancel->load()) throw EvalCancelled();
        ImagePair pair;
        try {
            pair = loadPair(pairs[i], scan.layout, directionFromString(r.direction));
        } catch (const Error& e) {
            // The header passed the scan but the data cannot be decoded: skipped, named with the reason.
            std::string reason = e.what();
            if (reason.rfind(pairs[i].a_path + ": ", 0) == 0) reason = reason.substr(pairs[i].a_path.size() + 2);
            r.unreadable.push_back({pairs[i].a_path, reason});
            if (observer) observer->onSkipped(r.unreadable.back());
            continue;
        }
        const cv::Mat input = applyTransform(pair.input, transform, TransformParams{});
        const cv::Mat target = applyTransform(pair.target, transform, TransformParams{});
        if (!consistencyDecided) {
            consistencyDecided = true;
            if (translatesLabelMaps(info, input))
                consistency.emplace(options, info);
            else if (options.segmenter_if_labels)
                r.notes.push_back("No label consistency: " + r.model_name + " does not translate label maps.");
            else
                throw Error("label consistency (--segmenter) needs a label map -> photo model; " + info.path +
                            " takes " + (info.input_kind.empty() ? "inputs that are not label maps"
                                                                 : "'" + info.input_kind + "' inputs"));
        }
        const cv::Mat output = engine.translate(input, preview);
        r.pairs.push_back({pairs[i].name, compareImages(output, target)});
        if (consistency) consistency->add(input, output, target);
        if (gallery) {
            const std::string base = safeFileName(pairs[i].name, i);
            saveImage((images / (base + "_input.png")).string(), input);
            saveImage((images / (base + "_output.png")).string(), output);
            saveImage((images / (base + "_target.png")).string(), target);
        }
        if (static_cast<int>(gridRows.size()) < options.grid_rows) {
            cv::Mat row;
            cv::hconcat(std::vector<cv::Mat>{input, output, target}, row);
            if (!gridRows.empty() && row.size() != gridRows.front().size())
                cv::resize(row, row, gridRows.front().size(), 0, 0, cv::INTER_AREA);
            gridRows.push_back(row);
        }
        if (observer) observer->onPair(i + 1, r.planned, r.pairs.back());
    }
    if (r.pairs.empty())
        throw Error("none of the " + std::to_string(r.planned) + " pairs of " + options.data + " (split '" + r.split +
                    "') could be loaded; the first: " + r.unreadable.front().path + ": " + r.unreadable.front().reason);

    for (const auto& p : r.pairs) {
        r.l1 += p.metrics.l1;
        r.l1_255 += p.metrics.l1_255;
        r.psnr += std::isfinite(p.metrics.psnr) ? p.metrics.psnr : kPsnrCap;
        r.ssim += p.metrics.ssim;
    }
    const double n = static_cast<double>(r.pairs.size());
    r.l1 /= n;
    r.l1_255 /= n;
    r.psnr /= n;
    r.ssim /= n;
    if (consistency) {
        r.label_consistency = consistency->finish(r.pairs.size());
    }
    cv::vconcat(gridRows, r.grid);
    if (gallery) {
        saveImage((fs::path(options.gallery) / "grid.png").string(), r.grid);
        writeGalleryPage(options, r);
        r.gallery_index = (fs::path(options.gallery) / "index.html").string();
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

}  // namespace p2p
