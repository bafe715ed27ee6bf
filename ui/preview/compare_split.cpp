#include "ui/preview/compare_split.h"

#include <algorithm>
#include <cmath>

namespace p2p::ui {

namespace {
constexpr double kHandleWidth = 14;
constexpr double kHandleHeight = 44;
}  // namespace

CompareSplit compareSplit(const QRectF& image, double fraction, const QRectF& visible, int imageWidth) {
    const double f = std::isfinite(fraction) ? std::clamp(fraction, 0.0, 1.0) : 0.5;
    CompareSplit s;
    s.dividerX = image.left() + f * image.width();
    s.before = QRectF(QPointF(image.left(), image.top()), QPointF(s.dividerX, image.bottom()));
    s.after = QRectF(QPointF(s.dividerX, image.top()), QPointF(image.right(), image.bottom()));
    const double split = f * std::max(0, imageWidth);
    const double rows = image.width() > 0 ? image.height() * imageWidth / image.width() : 0;
    s.beforeSource = QRectF(0, 0, split, rows);
    s.afterSource = QRectF(split, 0, std::max(0, imageWidth) - split, rows);
    // The grip: centred on the part of the divider that is in view.
    const double top = std::max(image.top(), visible.top());
    const double bottom = std::min(image.bottom(), visible.bottom());
    const double centre = top <= bottom ? (top + bottom) / 2 : image.center().y();
    s.handle = QRectF(s.dividerX - kHandleWidth / 2, centre - kHandleHeight / 2, kHandleWidth, kHandleHeight);
    return s;
}

double compareFractionAt(const QRectF& image, double x) {
    if (image.width() <= 0) return 0.5;
    return std::clamp((x - image.left()) / image.width(), 0.0, 1.0);
}

bool grabsDivider(const CompareSplit& split, const QRectF& image, double x, double y, double tolerance) {
    return std::abs(x - split.dividerX) <= tolerance && y >= image.top() && y <= image.bottom();
}

}  // namespace p2p::ui
