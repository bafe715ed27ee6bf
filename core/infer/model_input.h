#pragma once

// What a model is given. The studio's canvas paints the exact CMP class colours, but a label model expects
// the colours of the set it was trained on: the pix2pix facades set draws the same 12 classes in other colours
// (core/labels/palette.h). So a label map drawn exactly in the CMP colours is recoloured class by class into
// the model's palette first. One rule for every front end: the studio's preview, `pix2pix translate` and
// `pix2pix eval` give the same output for the same label map and model.

#include <opencv2/core.hpp>

#include "core/io/model_file.h"
#include "core/labels/palette.h"

namespace p2p {

// The label colours a model expects: its metadata's "label_palette" ("facades" or "cmp") when present and
// known, else the pix2pix facades set's (every facades model we ship or train from that set uses them).
LabelPalette modelLabelPalette(const ModelInfo& info);

// A CMP-coloured label canvas (BGR CV_8UC3) in `palette`'s colours, class by class. Returns the canvas
// itself (no copy) when the palette is CMP.
cv::Mat labelCanvasForModel(const cv::Mat& cmpCanvas, LabelPalette palette);

// True when every pixel is exactly one of the 12 CMP class colours (a canvas, or a map saved from it).
bool isExactCmpLabelMap(const cv::Mat& bgr);

// The image a model should see for `bgr` read from a file: an exact CMP label map goes to a label model (any
// input kind but "edges") in the model's palette; anything else (a photo, a sketch, a map already in the set's
// colours, a JPEG whose colours are no longer exact) is given as it is. `recoloured` says which happened.
cv::Mat modelInputForImage(const cv::Mat& bgr, const ModelInfo& info, bool* recoloured = nullptr);

}  // namespace p2p
