#pragma once

// The one place where Qt images and OpenCV matrices meet. Every function copies, so the result never
// aliases the argument's pixels (a QImage may outlive the cv::Mat it came from, and the other way round).

#include <QColor>
#include <QImage>

#include <opencv2/core.hpp>

namespace p2p::ui {

// CV_8UC3 BGR -> RGB888, CV_8UC1 -> Grayscale8, CV_8UC4 BGRA -> ARGB32. Anything else (or an empty
// matrix) gives a null QImage.
QImage matToQImage(const cv::Mat& mat);

// Copies `region` of a CV_8UC3 BGR matrix into the same rectangle of `target`, an RGB888 image of the
// matrix's size (a canvas refreshing only what a stroke touched). Does nothing when they do not match.
void copyRegionToQImage(const cv::Mat& bgr, const cv::Rect& region, QImage& target);

// Any QImage -> CV_8UC3 BGR (alpha is dropped after compositing onto nothing: straight channel copy).
// A null image gives an empty matrix.
cv::Mat qImageToMat(const QImage& image);

// A CV_32FC1 map of values in [0, 1] (e.g. D's per-patch probabilities) -> an RGB888 heatmap drawn with
// cv::applyColorMap (values are clamped). `size` (when valid) scales it with nearest-neighbour so each
// patch stays a visible block. An empty or non-float map gives a null QImage.
QImage probabilityMapToHeatmap(const cv::Mat& probabilities, QSize size = {}, int colormap = -1);

// One pixel's colour: OpenCV's BGR <-> Qt's colour (alpha dropped).
inline QColor toQColor(const cv::Vec3b& bgr) { return QColor(bgr[2], bgr[1], bgr[0]); }
inline cv::Vec3b toBgr(const QColor& c) { return cv::Vec3b(uchar(c.blue()), uchar(c.green()), uchar(c.red())); }

}  // namespace p2p::ui
