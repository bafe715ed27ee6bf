#pragma once

// Evaluating a model on a paired test split: each pair is translated with the InferenceEngine in deterministic
// Preview mode and compared with its target (mean L1 on [-1, 1] like the training loss, PSNR, SSIM); a gallery
// (grid.png, index.html and every triplet) is written on request. `pix2pix eval` and the training panel's
// "Evaluate on test split" both run this; they only present it. Torch-free.

#include <atomic>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "core/common/device.h"
#include "core/common/error.h"
#include "core/data/paired_dataset.h"
#include "core/metrics/label_consistency.h"
#include "core/metrics/metrics.h"

namespace p2p {

struct EvalOptions {
    std::string model;      // a .p2pm, a reference .pth, a training checkpoint or a run folder
    std::string data;       // the paired folder
    std::string split;      // test | val | train | all; empty: test, else val, else the whole flat folder
    std::string direction;  // AtoB | BtoA; empty: the model's, else AtoB
    std::string norm_stats; // image | running; empty: what the model prefers, else image
    std::string gallery;    // a folder for grid.png, index.html and the triplets; empty: none
    // A photo -> label model (e.g. models/facades-segmenter.p2pm): for a label -> photo model, each generated
    // photo is re-labelled by it and scored against its input label map (label consistency). Empty: none.
    std::string segmenter;
    // When the model's inputs are not label maps: false refuses (pix2pix eval --segmenter), true goes on without
    // label consistency and says so in the notes (the panel offers it for every run).
    bool segmenter_if_labels = false;
    Device device;
    std::string precision = "fp32";  // fp32 keeps scores comparable across machines
    int limit = 0;       // at most this many pairs; 0: all
    int grid_rows = 8;   // rows of grid.png (and of the report's grid image)
    int load_size = -1;  // square size pairs are resized to; -1: the model's training crop when known; 0: as is
    bool pair_resize = false;

    void validate() const;  // throws p2p::Error naming the option
};

struct EvalPair {
    std::string name;
    ImageMetrics metrics;
};

// The paper's FCN-score protocol (Isola et al. §4.2) with our own segmenter: how faithfully the generated
// photos follow their label maps, and the same segmenter on the real photos for scale.
struct LabelConsistencyReport {
    std::string segmenter_path, segmenter_name;
    std::string palette;  // the classes every pixel is snapped to (facades | cmp)
    LabelScores generated;  // segmenter(G(labels)) against labels
    LabelScores real;       // segmenter(real photo) against labels: what this segmenter reaches at best
    std::string protocol;   // one paragraph: what was measured, and that it is not a published FCN-score

    nlohmann::json toJson() const;
};

struct EvalReport {
    std::string model_path, model_name, model_format, generator, engine, norm_stats;
    std::string data, dataset_summary;
    std::string split;  // as resolved; empty: the whole folder (no split folders)
    std::string direction;
    int load_size = 0;
    size_t planned = 0;  // pairs chosen for evaluation (some may prove unreadable)
    std::vector<EvalPair> pairs;
    std::vector<SkippedFile> skipped_by_scan, unreadable;
    double l1 = 0, l1_255 = 0, psnr = 0, ssim = 0;  // means over `pairs` (PSNR of identical images counts as 100 dB)
    double seconds = 0;
    cv::Mat grid;                // input | output | target rows (the first grid_rows pairs), BGR
    std::string gallery_index;  // index.html, when a gallery was written
    std::vector<std::string> notes;  // what a user should know about the numbers (e.g. no test split)
    std::optional<LabelConsistencyReport> label_consistency;  // when EvalOptions::segmenter was given

    nlohmann::json toJson() const;
    // The scores as `pix2pix eval` prints them and the panel shows them, one line each.
    std::vector<std::string> scoreLines() const;
};

// Called on the evaluating thread.
class EvalObserver {
public:
    virtual ~EvalObserver() = default;
    virtual void onStarted(const EvalReport& /*header: model, data, split, planned*/) {}
    virtual void onPair(size_t /*done*/, size_t /*planned*/, const EvalPair& /*pair*/) {}
    virtual void onSkipped(const SkippedFile& /*pair*/) {}
};

class EvalCancelled : public Error {
public:
    EvalCancelled() : Error("evaluation cancelled") {}
};

// Throws p2p::Error for a model or folder it cannot use, an empty split, or when no pair could be read.
// `cancel` (optional) is checked between pairs: a cancelled evaluation throws EvalCancelled.
EvalReport evaluate(const EvalOptions& options, EvalObserver* observer = nullptr,
                    const std::atomic<bool>* cancel = nullptr);

}  // namespace p2p
