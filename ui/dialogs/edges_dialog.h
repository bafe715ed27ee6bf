#pragma once

// File ▸ Open photo as edges: cv::Canny (core/edges) with a threshold slider and a live preview of the sketch
// the canvas will receive.

#include <QDialog>

#include <opencv2/core.hpp>

#include "core/edges/edges.h"

class QComboBox;
class QLabel;
class QSlider;
class QSpinBox;

namespace p2p::ui {

class EdgesDialog : public QDialog {
    Q_OBJECT
public:
    EdgesDialog(const cv::Mat& photo, const QString& name, QWidget* parent = nullptr);

    EdgeOptions options() const;
    int longestSide() const;                  // 0 = keep the photo's size
    cv::Mat edges() const { return edges_; }  // BGR CV_8UC3, black on white, at the chosen size

    // The photo resized so its longest side is `longestSide` (0 or already smaller: unchanged).
    static cv::Mat resizedPhoto(const cv::Mat& photo, int longestSide);

private:
    void recompute();

    cv::Mat photo_;
    cv::Mat edges_;
    QSlider* threshold_;
    QLabel* thresholdValue_;
    QSpinBox* thickness_;
    QComboBox* size_;
    QLabel* preview_;
};

}  // namespace p2p::ui
