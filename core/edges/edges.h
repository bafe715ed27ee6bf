#pragma once

// Photo -> edge sketch (cv::Canny, black lines on white as in edges2shoes) and whole paired edge datasets
// (aligned A|B = edges|photo, so edges -> photo is AtoB). Torch-free.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/data/paired_dataset.h"

namespace p2p {

struct EdgeOptions {
    double low = 100;  // Canny hysteresis thresholds (on the 8-bit grey image's gradient)
    double high = 200;
    int blur = 3;           // Gaussian kernel size before Canny, odd; 0 = none
    int thickness = 1;      // line width in pixels (dilation)
    void validate() const;  // throws p2p::Error naming the option
};

// BGR CV_8UC3 photo -> BGR CV_8UC3 sketch: black edges on white.
cv::Mat photoToEdges(const cv::Mat& bgr, const EdgeOptions& options = {});

// Which part of each input image is the photo.
enum class PhotoSide { Whole, Left, Right };
std::string toString(PhotoSide side);
PhotoSide photoSideFromString(const std::string& s);  // whole | left | right; throws p2p::Error

struct EdgeDatasetOptions {
    EdgeOptions edges;
    PhotoSide side =
        PhotoSide::Whole;  // Left for an aligned pix2pix set whose photo is the left half (facades)
    void validate() const;
};

struct EdgeDatasetSummary {
    std::string input;
    std::string output;
    std::map<std::string, int> written;  // per split ("" without split folders)
    std::vector<SkippedFile> skipped;
    std::vector<std::string> notes;
    std::string text() const;  // several lines a user can read
};

// (done, total) -> false cancels (throws p2p::Error "cancelled").
using EdgeProgress = std::function<bool(int done, int total)>;

// Reads every image of photosDir (or of its train/test/val subfolders, kept as subfolders of outputDir) and
// writes outputDir/<split>/<name>.png = edges|photo. Unreadable files are skipped with their reason; a folder
// without images throws p2p::Error. Also writes outputDir/edges_summary.txt.
EdgeDatasetSummary makeEdgesDataset(const std::string& photosDir, const std::string& outputDir,
                                    const EdgeDatasetOptions& options, const EdgeProgress& progress = {});

}  // namespace p2p
