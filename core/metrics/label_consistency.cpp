#include "core/metrics/label_consistency.h"

#include <algorithm>
#include <limits>

#include "core/common/error.h"

namespace p2p {

nlohmann::json LabelScores::toJson() const {
    return {{"pixel_accuracy", pixel_accuracy},
            {"mean_class_accuracy", mean_class_accuracy},
            {"mean_iou", mean_iou},
            {"classes_present", classes_present}};
}

ClassConfusion::ClassConfusion(int classes)
    : classes_(classes), counts_(size_t(std::max(classes, 0)) * size_t(std::max(classes, 0) + 1), 0) {
    if (classes < 1 || classes > 255) throw Error("a confusion matrix needs 1 to 255 classes");
}

void ClassConfusion::add(const cv::Mat& predicted, const cv::Mat& truth) {
    if (predicted.type() != CV_8UC1 || truth.type() != CV_8UC1)
        throw Error("class maps must be 8-bit single-channel id images");
    if (predicted.size() != truth.size())
        throw Error("the predicted class map is " + std::to_string(predicted.cols) + "x" +
                    std::to_string(predicted.rows) + ", its label map " + std::to_string(truth.cols) + "x" +
                    std::to_string(truth.rows));
    for (int y = 0; y < truth.rows; ++y) {
        const uint8_t* t = truth.ptr<uint8_t>(y);
        const uint8_t* p = predicted.ptr<uint8_t>(y);
        for (int x = 0; x < truth.cols; ++x) {
            if (t[x] == 0) continue;
            if (t[x] > classes_ || p[x] > classes_)
                throw Error("class id " + std::to_string(std::max(t[x], p[x])) + " is above " +
                            std::to_string(classes_));
            // A prediction of id 0 (no class) is wrong for every true class: its own column.
            ++counts_[size_t(t[x] - 1) * size_t(classes_ + 1) + p[x]];
        }
    }
}

int64_t ClassConfusion::count(int truth, int predicted) const {
    if (truth < 1 || truth > classes_ || predicted < 0 || predicted > classes_) return 0;
    return counts_[size_t(truth - 1) * size_t(classes_ + 1) + size_t(predicted)];
}

int64_t ClassConfusion::pixels() const {
    int64_t n = 0;
    for (int64_t c : counts_) n += c;
    return n;
}

std::vector<double> ClassConfusion::classIoU() const {
    std::vector<double> iou(size_t(classes_), std::numeric_limits<double>::quiet_NaN());
    for (int c = 1; c <= classes_; ++c) {
        int64_t truePixels = count(c, 0), predictedPixels = 0;
        for (int o = 1; o <= classes_; ++o) {
            truePixels += count(c, o);
            predictedPixels += count(o, c);
        }
        const int64_t unionPixels = truePixels + predictedPixels - count(c, c);
        if (unionPixels > 0) iou[size_t(c - 1)] = double(count(c, c)) / double(unionPixels);
    }
    return iou;
}

LabelScores ClassConfusion::scores() const {
    LabelScores s;
    const int64_t all = pixels();
    if (all == 0) return s;
    int64_t correct = 0;
    double accuracySum = 0, iouSum = 0;
    const std::vector<double> iou = classIoU();
    for (int c = 1; c <= classes_; ++c) {
        correct += count(c, c);
        int64_t truePixels = 0;
        for (int o = 0; o <= classes_; ++o) truePixels += count(c, o);
        if (truePixels == 0) continue;
        ++s.classes_present;
        accuracySum += double(count(c, c)) / double(truePixels);
        iouSum += iou[size_t(c - 1)];
    }
    s.pixel_accuracy = double(correct) / double(all);
    if (s.classes_present > 0) {
        s.mean_class_accuracy = accuracySum / s.classes_present;
        s.mean_iou = iouSum / s.classes_present;
    }
    return s;
}

}  // namespace p2p
