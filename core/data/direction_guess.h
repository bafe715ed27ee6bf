#pragma once

// Which half of a paired set is the drawing (a label map or an edge sketch) and which the photo, so that the
// direction that makes photos can be preselected: for the pix2pix facades set (photo | labels) that is BtoA.
// A guess, with its reason in words; the user can still choose. Torch-free.

#include <optional>
#include <string>

#include <opencv2/core.hpp>

#include "core/data/paired_dataset.h"

namespace p2p {

enum class ImageKind { Photo, LabelMap, Sketch };
std::string toString(ImageKind kind);  // "a photo", "a label map", "an edge sketch"

struct ImageKindMeasures {
    double flat_fraction = 0;        // share of pixels whose neighbourhood does not change (piecewise constant)
    double white_fraction = 0;       // share of near-white pixels
    double dark_fraction = 0;        // share of dark pixels
    double mean_saturation = 0;      // 0..255
};
ImageKindMeasures measureImageKind(const cv::Mat& bgr);
ImageKind classifyImage(const cv::Mat& bgr);

struct DirectionGuess {
    std::optional<Direction> direction;  // none: both halves look alike
    ImageKind a = ImageKind::Photo, b = ImageKind::Photo;  // what most sampled pairs' halves look like
    std::string reason;                  // "B looks like a label map and A like a photo (8 of 8 pairs): BtoA makes photos"
};

// Looks at up to `samples` pairs of `split` (spread over it). Unreadable pairs are passed over.
DirectionGuess guessDirection(const DatasetScan& scan, const std::string& split, int samples = 8);

}  // namespace p2p
