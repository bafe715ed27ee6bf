#include "ui/image_convert.h"

#include <cstring>

#include <opencv2/imgproc.hpp>

namespace p2p::ui {

QImage matToQImage(const cv::Mat& mat) {
    if (mat.empty() || mat.depth() != CV_8U) return {};
    const int w = mat.cols, h = mat.rows;
    switch (mat.channels()) {
        case 3: {
            QImage image(w, h, QImage::Format_RGB888);
            if (image.isNull()) return {};
            // Write straight into the QImage's rows (their stride is 4-byte aligned, the Mat's may not be).
            for (int y = 0; y < h; ++y) {
                cv::Mat row(1, w, CV_8UC3, image.scanLine(y));
                cv::cvtColor(mat.row(y), row, cv::COLOR_BGR2RGB);
            }
            return image;
        }
        case 1: {
            QImage image(w, h, QImage::Format_Grayscale8);
            if (image.isNull()) return {};
            for (int y = 0; y < h; ++y) std::memcpy(image.scanLine(y), mat.ptr(y), static_cast<size_t>(w));
            return image;
        }
        case 4: {
            // ARGB32 is 0xAARRGGBB in native endianness: on little-endian that is B,G,R,A bytes, i.e. BGRA.
            QImage image(w, h, QImage::Format_ARGB32);
            if (image.isNull()) return {};
            for (int y = 0; y < h; ++y) {
                auto* dst = reinterpret_cast<QRgb*>(image.scanLine(y));
                const auto* src = mat.ptr<cv::Vec4b>(y);
                for (int x = 0; x < w; ++x) dst[x] = qRgba(src[x][2], src[x][1], src[x][0], src[x][3]);
            }
            return image;
        }
        default:
            return {};
    }
}

void copyRegionToQImage(const cv::Mat& bgr, const cv::Rect& region, QImage& target) {
    if (bgr.type() != CV_8UC3 || target.format() != QImage::Format_RGB888 || target.width() != bgr.cols ||
        target.height() != bgr.rows)
        return;
    const cv::Rect r = region & cv::Rect(0, 0, bgr.cols, bgr.rows);
    for (int y = r.y; y < r.y + r.height; ++y) {
        cv::Mat row(1, r.width, CV_8UC3, target.scanLine(y) + 3 * r.x);
        cv::cvtColor(bgr(cv::Rect(r.x, y, r.width, 1)), row, cv::COLOR_BGR2RGB);
    }
}

cv::Mat qImageToMat(const QImage& image) {
    if (image.isNull()) return {};
    const QImage rgb =
        image.format() == QImage::Format_RGB888 ? image : image.convertToFormat(QImage::Format_RGB888);
    cv::Mat bgr(rgb.height(), rgb.width(), CV_8UC3);
    for (int y = 0; y < rgb.height(); ++y) {
        const cv::Mat row(1, rgb.width(), CV_8UC3, const_cast<uchar*>(rgb.constScanLine(y)));
        cv::cvtColor(row, bgr.row(y), cv::COLOR_RGB2BGR);
    }
    return bgr;
}

QImage probabilityMapToHeatmap(const cv::Mat& probabilities, QSize size, int colormap) {
    if (probabilities.empty() || probabilities.type() != CV_32FC1) return {};
    cv::Mat bytes;
    probabilities.convertTo(bytes, CV_8U, 255.0);  // saturates: values outside [0, 1] clamp
    cv::Mat coloured;
    cv::applyColorMap(bytes, coloured, colormap < 0 ? cv::COLORMAP_JET : colormap);
    if (size.isValid() && !size.isEmpty())
        cv::resize(coloured, coloured, cv::Size(size.width(), size.height()), 0, 0, cv::INTER_NEAREST);
    return matToQImage(coloured);
}

}  // namespace p2p::ui
