#pragma once

// The one place where images become tensors and back. Tensors are RGB (as the reference loads with PIL),
// NCHW float in [-1, 1]; images are OpenCV BGR CV_8UC3.

#include <opencv2/core.hpp>
#include <torch/torch.h>

namespace p2p {

// BGR CV_8UC3 (CV_8UC1/CV_8UC4 are converted) -> 1x3xHxW float32 RGB in [-1, 1].
torch::Tensor imageToTensor(const cv::Mat& bgr);
// 1x3xHxW or 3xHxW, any float dtype and device, values in [-1, 1] -> BGR CV_8UC3 (rounded, clamped).
cv::Mat tensorToImage(const torch::Tensor& tensor);
// 1x1xHxW or HxW -> CV_32FC1.
cv::Mat tensorToFloatMap(const torch::Tensor& tensor);

}  // namespace p2p
