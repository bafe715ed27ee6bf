#pragma once

// What a model is given: the canvas paints the CMP colours (issue 5's exact class colours), but a model
// expects the label colours of the set it was trained on. The pix2pix facades set draws the same 12 classes
// with other colours (core/labels/palette.h), so a label canvas is translated class by class first.

#include <opencv2/core.hpp>

#include "core/io/model_file.h"
#include "core/labels/palette.h"

namespace p2p::ui {

// The label colours a model expects: its metadata's "label_palette" ("facades" or "cmp") when present and
// known, else the pix2pix facades set's (every facades model we ship or train from that set uses them).
LabelPalette modelLabelPalette(const ModelInfo& info);

// A CMP-coloured label canvas (BGR CV_8UC3) in `palette`'s colours, class by class. Returns the canvas
// itself (no copy) when the palette is CMP.
cv::Mat labelCanvasForModel(const cv::Mat& cmpCanvas, LabelPalette palette);

}  // namespace p2p::ui
