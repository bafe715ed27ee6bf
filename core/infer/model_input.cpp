#include "core/infer/model_input.h"

#include <exception>

namespace p2p {

LabelPalette modelLabelPalette(const ModelInfo& info) {
    const auto it = info.metadata.find("label_palette");
    if (it != info.metadata.end() && it->is_string()) {
        try {
            return labelPaletteFromString(it->get<std::string>());
        } catch (const std::exception&) {
            // An unknown name: the default below is the likelier truth than failing the load.
        }
    }
    return LabelPalette::Pix2PixFacades;
}

cv::Mat labelCanvasForModel(const cv::Mat& cmpCanvas, LabelPalette palette) {
    if (palette == LabelPalette::Cmp || cmpCanvas.empty()) return cmpCanvas;
    return labelsToColour(colourToLabels(cmpCanvas, LabelPalette::Cmp), palette);
}

bool isExactCmpLabelMap(const cv::Mat& bgr) {
    if (bgr.empty() || bgr.type() != CV_8UC3) return false;
    // snapToPalette moves every pixel to its nearest class colour: an exact map is left unchanged.
    return cv::norm(snapToPalette(bgr, LabelPalette::Cmp), bgr, cv::NORM_INF) == 0;
}

cv::Mat modelInputForImage(const cv::Mat& bgr, const ModelInfo& info, bool* recoloured) {
    const bool recolour = info.input_kind != "edges" && modelLabelPalette(info) != LabelPalette::Cmp &&
                          isExactCmpLabelMap(bgr);
    if (recoloured) *recoloured = recolour;
    return recolour ? labelCanvasForModel(bgr, modelLabelPalette(info)) : bgr;
}

}  // namespace p2p
