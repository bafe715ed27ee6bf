#pragma once

// View ▸ Compare: the preview split by a vertical divider, the canvas (labels or sketch: "before") left of
// it and the generated photo ("after") right of it, as before/after sliders do. The geometry is a pure
// function of where the image is drawn and where the divider sits, so it is tested without a window.

#include <QRectF>

namespace p2p::ui {

struct CompareSplit {
    double dividerX = 0;  // widget x of the divider line
    QRectF before;        // the part of the drawn image that shows the canvas (left of the divider)
    QRectF after;         // the part that shows the photo (right of the divider)
    QRectF handle;        // the grip on the divider, centred vertically in the visible part of the image
    QRectF beforeSource;  // `before` in image pixels: the part of the canvas image to draw there
    QRectF afterSource;   // `after` in image pixels
};

// `image`: where the whole image is drawn (widget coordinates); `fraction`: the divider's position across
// the image, 0 (all photo) to 1 (all canvas), clamped; `visible`: the widget's rectangle (the handle stays
// in view when the image is zoomed past it); `imageWidth`: the image's width in pixels.
CompareSplit compareSplit(const QRectF& image, double fraction, const QRectF& visible, int imageWidth);

// The fraction for a divider dragged to widget x, clamped to 0..1 (the divider never leaves the image).
double compareFractionAt(const QRectF& image, double x);

// Whether widget point (x, y) grabs the divider: within `tolerance` pixels of it, inside the image's height.
bool grabsDivider(const CompareSplit& split, const QRectF& image, double x, double y, double tolerance = 6);

}  // namespace p2p::ui
