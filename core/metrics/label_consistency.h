#pragma once

// How well a class map predicted from an image agrees with the label map it was made from: the scores of the
// paper's FCN-score (Isola et al. §4.2, after Long et al.'s FCN metrics), accumulated over a whole test split
// in one confusion matrix. Torch-free.

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

namespace p2p {

struct LabelScores {
    double pixel_accuracy = 0;       // correctly labelled pixels / all pixels
    double mean_class_accuracy = 0;  // per class: correct / its true pixels; mean over the classes that occur
    double mean_iou = 0;             // per class: intersection / union; mean over the classes that occur
    int classes_present = 0;         // classes with at least one true pixel

    nlohmann::json toJson() const;
};

// Counts (true class, predicted class) per pixel for class ids 1..classes; id 0 (the CMP PNGs' unused
// index) is left out of every score.
class ClassConfusion {
public:
    explicit ClassConfusion(int classes);
    // Both CV_8UC1 of one size; throws p2p::Error otherwise or for an id above `classes`.
    void add(const cv::Mat& predicted, const cv::Mat& truth);
    int64_t count(int truth, int predicted) const;  // predicted 0: pixels given no class
    int64_t pixels() const;
    LabelScores scores() const;
    // Per class id 1..classes (index id - 1): IoU, or NaN for a class neither true nor predicted anywhere.
    std::vector<double> classIoU() const;

private:
    int classes_;
    std::vector<int64_t> counts_;  // (truth - 1) * (classes_ + 1) + predicted
};

}  // namespace p2p
