#include "ui/preview/model_input.h"

#include <exception>

namespace p2p::ui {

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

}  // namespace p2p::ui
