#include "ui/canvas/image_ops.h"

#include <algorithm>

#include <opencv2/imgproc.hpp>

namespace p2p::ui {

cv::Mat brushMask(int size) {
    size = std::max(1, size);
    cv::Mat mask(size, size, CV_8UC1, cv::Scalar(0));
    const double centre = (size - 1) / 2.0;  // on a pixel for odd sizes, on a corner for even ones
    const double radius2 = (size / 2.0) * (size / 2.0);
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            const double dx = x - centre, dy = y - centre;
            if (dx * dx + dy * dy <= radius2) mask.at<uchar>(y, x) = 255;
        }
    return mask;
}

cv::Point brushAnchor(int size) {
    size = std::max(1, size);
    return {(size - 1) / 2, (size - 1) / 2};
}

cv::Rect drawStroke(cv::Mat& image, cv::Point from, cv::Point to, int size, const cv::Vec3b& colour) {
    CV_Assert(image.type() == CV_8UC3);
    const cv::Mat mask = brushMask(size);
    const cv::Point anchor = brushAnchor(size);
    const cv::Rect bounds(0, 0, image.cols, image.rows);
    cv::Rect changed;
    const cv::Scalar value(colour[0], colour[1], colour[2]);

    auto stamp = [&](cv::Point p) {
        const cv::Rect footprint(p - anchor, mask.size());
        const cv::Rect clipped = footprint & bounds;
        if (clipped.empty()) return;
        image(clipped).setTo(value, mask(clipped - footprint.tl()));
        changed = changed.empty() ? clipped : (changed | clipped);
    };
    // The point-only iterator does not clip: points outside the image still matter for a wide brush.
    cv::LineIterator it(from, to, 8);
    for (int i = 0; i < it.count; ++i, ++it) stamp(it.pos());
    return changed;
}

cv::Rect spanRect(cv::Point a, cv::Point b, const cv::Size& bounds) {
    const cv::Rect r(cv::Point(std::min(a.x, b.x), std::min(a.y, b.y)),
                     cv::Point(std::max(a.x, b.x) + 1, std::max(a.y, b.y) + 1));
    return r & cv::Rect(0, 0, bounds.width, bounds.height);
}

cv::Rect fillRectangle(cv::Mat& image, cv::Point corner1, cv::Point corner2, const cv::Vec3b& colour) {
    CV_Assert(image.type() == CV_8UC3);
    const cv::Rect r = spanRect(corner1, corner2, image.size());
    if (!r.empty()) image(r).setTo(cv::Scalar(colour[0], colour[1], colour[2]));
    return r;
}

cv::Rect floodFill(cv::Mat& image, cv::Point seed, const cv::Vec3b& colour) {
    CV_Assert(image.type() == CV_8UC3);
    if (!cv::Rect(0, 0, image.cols, image.rows).contains(seed)) return {};
    if (image.at<cv::Vec3b>(seed) == colour) return {};
    cv::Rect changed;
    cv::floodFill(image, seed, cv::Scalar(colour[0], colour[1], colour[2]), &changed, cv::Scalar::all(0),
                  cv::Scalar::all(0), 4 | cv::FLOODFILL_FIXED_RANGE);
    return changed;
}

cv::Vec3b pickColour(const cv::Mat& image, cv::Point point) {
    CV_Assert(image.type() == CV_8UC3 && !image.empty());
    point.x = std::clamp(point.x, 0, image.cols - 1);
    point.y = std::clamp(point.y, 0, image.rows - 1);
    return image.at<cv::Vec3b>(point);
}

cv::Mat borderedCanvas(cv::Size size, const cv::Vec3b& fill, const cv::Vec3b& borderColour, int border) {
    cv::Mat canvas(size, CV_8UC3, cv::Scalar(borderColour[0], borderColour[1], borderColour[2]));
    const cv::Rect inner(border, border, size.width - 2 * border, size.height - 2 * border);
    if (border <= 0)
        canvas.setTo(cv::Scalar(fill[0], fill[1], fill[2]));
    else if (inner.width > 0 && inner.height > 0)
        canvas(inner).setTo(cv::Scalar(fill[0], fill[1], fill[2]));
    return canvas;
}

}  // namespace p2p::ui
