#pragma once

// Pixel-exact checks on canvases and outputs (cv::Mat BGR) that the studio's tests share.

#include <opencv2/core.hpp>

#include "core/labels/palette.h"

namespace p2p::test {

// The largest difference of any channel value (images of one size and type).
inline double maxPixelDifference(const cv::Mat& a, const cv::Mat& b) {
    cv::Mat d;
    cv::absdiff(a, b, d);
    double mx = 0;
    cv::minMaxLoc(d.reshape(1), nullptr, &mx);
    return mx;
}

// Same size, type and every value.
inline bool identical(const cv::Mat& a, const cv::Mat& b) {
    return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

// Every pixel is exactly one of the CMP class colours (a label canvas stays one class per pixel).
inline bool everyPixelIsAClass(const cv::Mat& bgr) {
    for (int y = 0; y < bgr.rows; ++y)
        for (int x = 0; x < bgr.cols; ++x) {
            bool found = false;
            for (const auto& c : cmpClasses()) found = found || c.bgr() == bgr.at<cv::Vec3b>(y, x);
            if (!found) return false;
        }
    return true;
}

}  // namespace p2p::test
