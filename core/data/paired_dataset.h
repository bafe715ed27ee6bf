#pragma once

// Paired image datasets: the scan (torch-free, for ui/ and the CLI) and the loader (cv::Mat pairs with the
// reference's preprocessing). core/data/prefetcher.h turns pairs into tensors on background threads.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace p2p {

enum class DatasetLayout { Aligned, TwoFolders };

struct PairEntry {
    std::string a_path;  // for Aligned: a_path == b_path, the A|B image
    std::string b_path;
    std::string name;    // base name, for galleries and messages
    bool resize_b = false;  // TwoFolders with ScanOptions::pair_resize: B is resized to A's size on load
};

// How the scan treats what real folders hold. Defaults change nothing silently.
struct ScanOptions {
    // A and B of different sizes are skipped; with this, B is resized to A's size when their aspect ratios
    // agree within aspect_tolerance (a half-size label map beside its photo), with a note per pair.
    bool pair_resize = false;
    double aspect_tolerance = 0.01;  // relative: |(wA/hA) / (wB/hB) - 1|
    void validate() const;           // throws p2p::Error naming the option
};

struct SkippedFile {
    std::string path;
    std::string reason;
};

struct DatasetScan {
    std::string root;
    DatasetLayout layout = DatasetLayout::Aligned;
    std::map<std::string, std::vector<PairEntry>> splits;  // "train", "test", "val"; "" when no split folders
    std::vector<SkippedFile> skipped;
    std::map<std::string, int> image_sizes;  // "512x256" -> count (on-disk image sizes of the pairs)
    std::vector<std::string> notes;          // e.g. "12 grayscale images converted to 3 channels"
    std::vector<std::string> pair_notes;     // one per pair changed on load (e.g. B resized to A)
    std::vector<std::string> warnings;       // the folder may not be what the user meant (e.g. not A|B pairs)

    // A split by name. The unsplit pairs (key "") answer to "all", "unsplit", "." and "" and, when there is
    // no train/ split, to "train" (they are what training uses). Throws p2p::Error listing the accepted names.
    const std::vector<PairEntry>& split(const std::string& name) const;
    std::string resolveSplit(const std::string& name) const;  // the key split() would use; throws likewise
    std::string acceptedSplitNames() const;                    // e.g. "train, test" or "all (no split folders)"
    std::vector<std::string> allNotes() const;                 // notes, then pair notes
    // The split to train on: "train" if present, else the unsplit pairs.
    std::string trainSplit() const;
    // The split to evaluate on: "test", else "val", else "" (none).
    std::string testSplit() const;
    std::string summary() const;  // several lines a user can read
};

// Progress is (done, total); return false from it to cancel (throws p2p::Error "cancelled").
using ScanProgress = std::function<bool(int done, int total)>;

// Finds the layout (aligned A|B, or A/ and B/ folders) and split subfolders. Reads image headers to validate
// every file and record its size; a file that cannot be read is skipped with its path and reason.
// An empty, missing or unpaired folder throws p2p::Error naming the folder and the layouts expected.
DatasetScan scanPairedFolder(const std::string& root, const ScanProgress& progress = {},
                              const ScanOptions& options = {});

// The identity of a split's pairs for a resume: the file names (relative to the dataset root) and sizes of
// every pair, hashed, with the pair count in front ("3 pairs, fnv1a 0123456789abcdef"). Moving the folder
// keeps it; adding, removing, renaming or re-encoding a file changes it.
std::string datasetFingerprint(const DatasetScan& scan, const std::string& split);

enum class Direction { AtoB, BtoA };
std::string toString(Direction d);
Direction directionFromString(const std::string& s);  // AtoB | BtoA; throws p2p::Error

// The reference's --preprocess.
enum class Preprocess { ResizeAndCrop, Crop, ScaleWidth, ScaleWidthAndCrop, None };
std::string toString(Preprocess p);
Preprocess preprocessFromString(const std::string& s);  // resize_and_crop | crop | scale_width |
                                                        // scale_width_and_crop | none

struct TransformOptions {
    Preprocess preprocess = Preprocess::ResizeAndCrop;
    int load_size = 286;
    int crop_size = 256;
    bool flip = true;        // random horizontal flip (the reference's default; --no_flip turns it off)
    int size_multiple = 256; // Preprocess::None pads or resizes to a multiple of this (the generator's stride)
    void validate() const;
};

// The random parameters shared by A and B of one pair.
struct TransformParams {
    int crop_x = 0;
    int crop_y = 0;
    bool flip = false;
};

// One pair after loading: input (the translation's source) and target, both BGR CV_8UC3, same size.
struct ImagePair {
    cv::Mat input;
    cv::Mat target;
    std::string name;
    std::vector<std::string> notes;  // conversions applied on load
};

// What the preprocessing will do to these images that a user should know before training, e.g. that
// non-square images are squashed to a square by resize_and_crop. Empty when nothing is worth saying.
std::vector<std::string> preprocessNotes(const DatasetScan& scan, const TransformOptions& options);

// Loads the pair and orients it by direction (AtoB: input = A). Throws p2p::Error naming the file.
ImagePair loadPair(const PairEntry& entry, DatasetLayout layout, Direction direction);

// Draws the random parameters for an image of the given size, as the reference's get_params does.
TransformParams drawTransformParams(const TransformOptions& options, cv::Size size, uint64_t seed);

// Applies resize/crop/flip with bicubic resampling; the same params give the same geometry for A and B.
// Returns BGR CV_8UC3. For Preprocess::None, `note` (if given) says what padding or resize was done.
cv::Mat applyTransform(const cv::Mat& image, const TransformOptions& options, const TransformParams& params,
                       std::string* note = nullptr);

}  // namespace p2p
