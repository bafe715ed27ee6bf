#include "ui/canvas/image_ops.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>

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

int nextBrushSize(int size, int direction) {
    static constexpr std::array<int, 24> kSizes = {1,  2,  3,  4,  5,  6,  7,  8,  10, 12, 14,  16,
                                                   20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112, 128};
    if (direction > 0) {
        const auto it = std::upper_bound(kSizes.begin(), kSizes.end(), size);
        return it == kSizes.end() ? std::max(size, kSizes.back()) : *it;
    }
    if (direction < 0) {
        const auto it = std::lower_bound(kSizes.begin(), kSizes.end(), size);
        return it == kSizes.begin() ? std::min(size, kSizes.front()) : *(it - 1);
    }
    return size;
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

namespace {

cv::Rect paintMask(cv::Mat& image, const cv::Rect& area, const cv::Mat& mask, const cv::Vec3b& colour) {
    const cv::Rect clipped = area & cv::Rect(0, 0, image.cols, image.rows);
    if (clipped.empty()) return {};
    image(clipped).setTo(cv::Scalar(colour[0], colour[1], colour[2]), mask(clipped - area.tl()));
    return clipped;
}

}  // namespace

cv::Rect drawBoxShape(cv::Mat& image, cv::Point corner1, cv::Point corner2, BoxShape shape, int outline,
                      const cv::Vec3b& colour) {
    CV_Assert(image.type() == CV_8UC3);
    const cv::Rect box(cv::Point(std::min(corner1.x, corner2.x), std::min(corner1.y, corner2.y)),
                       cv::Point(std::max(corner1.x, corner2.x) + 1, std::max(corner1.y, corner2.y) + 1));
    // Only the part near the image matters; the margin keeps the outline's distances right at the border
    // (a box cut off here would otherwise grow a false edge along the cut).
    const int margin = std::max(outline, 0) + 2;
    const cv::Rect area = box & cv::Rect(-margin, -margin, image.cols + 2 * margin, image.rows + 2 * margin);
    if (area.empty() || (area & cv::Rect(0, 0, image.cols, image.rows)).empty()) return {};

    // The shape's pixels, with one empty pixel around them for the distance transform.
    cv::Mat inside(area.height + 2, area.width + 2, CV_8UC1, cv::Scalar(0));
    if (shape == BoxShape::Rectangle) {
        inside(cv::Rect(1, 1, area.width, area.height)).setTo(255);
    } else {
        // Pixel centres within the ellipse that touches the box's outer edges.
        const double cx = box.x + (box.width - 1) / 2.0, cy = box.y + (box.height - 1) / 2.0;
        const double a = box.width / 2.0, b = box.height / 2.0;
        for (int y = 0; y < area.height; ++y) {
            const double dy = (area.y + y - cy) / b;
            auto* row = inside.ptr<uchar>(y + 1) + 1;
            for (int x = 0; x < area.width; ++x) {
                const double dx = (area.x + x - cx) / a;
                if (dx * dx + dy * dy <= 1.0) row[x] = 255;
            }
        }
    }
    cv::Mat mask = inside;
    if (outline > 0) {
        // The outline: pixels within `outline` of the outside (exact Euclidean distance). Its 1-pixel
        // version is the 4-border, which no 4-connected fill can cross.
        cv::Mat distance;
        cv::distanceTransform(inside, distance, cv::DIST_L2, cv::DIST_MASK_PRECISE);
        mask = inside & (distance <= outline);
    }
    return paintMask(image, area, mask(cv::Rect(1, 1, area.width, area.height)), colour);
}

cv::Rect strokePolygon(cv::Mat& image, const std::vector<cv::Point>& points, int size,
                       const cv::Vec3b& colour, bool closed) {
    cv::Rect changed;
    auto add = [&](const cv::Rect& r) {
        if (!r.empty()) changed = changed.empty() ? r : (changed | r);
    };
    if (points.size() == 1) add(drawStroke(image, points[0], points[0], size, colour));
    for (std::size_t i = 1; i < points.size(); ++i)
        add(drawStroke(image, points[i - 1], points[i], size, colour));
    if (closed && points.size() > 2) add(drawStroke(image, points.back(), points.front(), size, colour));
    return changed;
}

cv::Rect fillPolygon(cv::Mat& image, const std::vector<cv::Point>& points, const cv::Vec3b& colour) {
    CV_Assert(image.type() == CV_8UC3);
    if (points.empty()) return {};
    const std::vector<std::vector<cv::Point>> polygons{points};
    cv::fillPoly(image, polygons, cv::Scalar(colour[0], colour[1], colour[2]), cv::LINE_8);
    // fillPoly may leave out pixels along some edges; the 1-pixel strokes put them in.
    strokePolygon(image, points, 1, colour, true);
    return cv::boundingRect(points) & cv::Rect(0, 0, image.cols, image.rows);
}

cv::Point squareCorner(cv::Point anchor, cv::Point corner) {
    const int dx = corner.x - anchor.x, dy = corner.y - anchor.y;
    const int side = std::max(std::abs(dx), std::abs(dy));
    return anchor + cv::Point(dx < 0 ? -side : side, dy < 0 ? -side : side);
}

cv::Point snapTo45Degrees(cv::Point anchor, cv::Point end) {
    const int dx = end.x - anchor.x, dy = end.y - anchor.y;
    const double tan22 = 0.41421356;  // tan(22.5 degrees): the halfway angle between two snaps
    if (std::abs(dy) <= std::abs(dx) * tan22) return anchor + cv::Point(dx, 0);
    if (std::abs(dx) <= std::abs(dy) * tan22) return anchor + cv::Point(0, dy);
    const int d = (std::abs(dx) + std::abs(dy) + 1) / 2;
    return anchor + cv::Point(dx < 0 ? -d : d, dy < 0 ? -d : d);
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
