#pragma once

// Image quality metrics between a generated image and its target, both BGR CV_8UC3 of one size (CV_8UC1 is
// accepted too). Torch-free; computed in double precision with OpenCV.
//
//   meanL1      mean |a - b| on the [-1, 1] scale the networks see (the reference's L1 loss: |a - b| /
//   127.5),
//               averaged over every pixel and channel.
//   meanL1_255  the same on the 0..255 scale (= meanL1 * 127.5).
//   psnr        10 log10(255^2 / MSE), MSE over every pixel and channel of the 8-bit images; +infinity when
//               the images are identical.
//   ssim        Wang, Bovik, Sheikh & Simoncelli 2004: Gaussian window 11x11, sigma 1.5, K1 0.01, K2 0.03,
//               L 255, computed per colour channel on the 8-bit values and averaged over the three channels.
//               As the authors' ssim_index.m, only windows that lie wholly inside the image count ("valid"),
//               so images need at least 11x11 pixels.

#include <opencv2/core.hpp>

namespace p2p {

double meanL1(const cv::Mat& a, const cv::Mat& b);
double meanL1_255(const cv::Mat& a, const cv::Mat& b);
double psnr(const cv::Mat& a, const cv::Mat& b);
double ssim(const cv::Mat& a, const cv::Mat& b);
// SSIM per pixel of the valid region (CV_64FC1, (H-10)x(W-10)), averaged over channels: for SSIM maps in the
// UI.
cv::Mat ssimMap(const cv::Mat& a, const cv::Mat& b);

struct ImageMetrics {
    double l1 = 0;      // [-1, 1] scale
    double l1_255 = 0;  // 0..255 scale
    double psnr = 0;    // dB, +inf for identical images
    double ssim = 0;
};
ImageMetrics compareImages(const cv::Mat& a, const cv::Mat& b);

}  // namespace p2p
