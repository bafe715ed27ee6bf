#include "core/metrics/metrics.h"

#include <cmath>
#include <limits>

#include <opencv2/imgproc.hpp>

#include "core/common/error.h"

namespace p2p {

namespace {

constexpr int kSsimWindow = 11;
constexpr double kSsimSigma = 1.5;
constexpr double kC1 = (0.01 * 255) * (0.01 * 255);
constexpr double kC2 = (0.03 * 255) * (0.03 * 255);

void checkPair(const cv::Mat& a, const cv::Mat& b, const char* what) {
    if (a.empty() || b.empty()) throw Error(std::string(what) + ": an image is empty");
    if (a.size() != b.size())
        throw Error(std::string(what) + ": the images differ in size (" + std::to_string(a.cols) + "x" +
                    std::to_string(a.rows) + " and " + std::to_string(b.cols) + "x" + std::to_string(b.rows) +
                    ")");
    if (a.type() != b.type() || (a.type() != CV_8UC3 && a.type() != CV_8UC1))
        throw Error(std::string(what) + ": expects two 8-bit images of the same type (1 or 3 channels)");
}

double meanAbsDiff(const cv::Mat& a, const cv::Mat& b) {
    cv::Mat diff;
    cv::absdiff(a, b, diff);
    const cv::Scalar s = cv::sum(diff);
    return (s[0] + s[1] + s[2] + s[3]) / (static_cast<double>(a.total()) * a.channels());
}

// The SSIM map of one 8-bit channel over the windows that lie inside the image.
cv::Mat ssimChannel(const cv::Mat& x8, const cv::Mat& y8) {
    cv::Mat x, y;
    x8.convertTo(x, CV_64F);
    y8.convertTo(y, CV_64F);
    const cv::Mat kernel = cv::getGaussianKernel(kSsimWindow, kSsimSigma, CV_64F);
    auto filter = [&](const cv::Mat& m) {
        cv::Mat out;
        cv::sepFilter2D(m, out, CV_64F, kernel, kernel, cv::Point(-1, -1), 0, cv::BORDER_REFLECT);
        const int r = kSsimWindow / 2;
        return out(cv::Rect(r, r, m.cols - 2 * r, m.rows - 2 * r)).clone();  // the 'valid' part
    };
    const cv::Mat muX = filter(x), muY = filter(y);
    const cv::Mat muX2 = muX.mul(muX), muY2 = muY.mul(muY), muXY = muX.mul(muY);
    const cv::Mat sigmaX2 = filter(x.mul(x)) - muX2;
    const cv::Mat sigmaY2 = filter(y.mul(y)) - muY2;
    const cv::Mat sigmaXY = filter(x.mul(y)) - muXY;
    cv::Mat numerator = (2 * muXY + kC1).mul(2 * sigmaXY + kC2);
    cv::Mat denominator = (muX2 + muY2 + kC1).mul(sigmaX2 + sigmaY2 + kC2);
    cv::Mat map;
    cv::divide(numerator, denominator, map);
    return map;
}

}  // namespace

double meanL1_255(const cv::Mat& a, const cv::Mat& b) {
    checkPair(a, b, "L1");
    return meanAbsDiff(a, b);
}

double meanL1(const cv::Mat& a, const cv::Mat& b) {
    return meanL1_255(a, b) / 127.5;
}

double psnr(const cv::Mat& a, const cv::Mat& b) {
    checkPair(a, b, "PSNR");
    const double l2 = cv::norm(a, b, cv::NORM_L2SQR);
    const double mse = l2 / (static_cast<double>(a.total()) * a.channels());
    if (mse == 0) return std::numeric_limits<double>::infinity();
    return 10.0 * std::log10(255.0 * 255.0 / mse);
}

cv::Mat ssimMap(const cv::Mat& a, const cv::Mat& b) {
    checkPair(a, b, "SSIM");
    if (a.cols < kSsimWindow || a.rows < kSsimWindow)
        throw Error("SSIM needs images of at least 11x11 pixels, got " + std::to_string(a.cols) + "x" +
                    std::to_string(a.rows));
    std::vector<cv::Mat> pa, pb;
    cv::split(a, pa);
    cv::split(b, pb);
    cv::Mat sum;
    for (size_t c = 0; c < pa.size(); ++c) {
        const cv::Mat m = ssimChannel(pa[c], pb[c]);
        sum = sum.empty() ? m : sum + m;
    }
    return sum / static_cast<double>(pa.size());
}

double ssim(const cv::Mat& a, const cv::Mat& b) {
    return cv::mean(ssimMap(a, b))[0];
}

ImageMetrics compareImages(const cv::Mat& a, const cv::Mat& b) {
    ImageMetrics m;
    m.l1_255 = meanL1_255(a, b);
    m.l1 = m.l1_255 / 127.5;
    m.psnr = psnr(a, b);
    m.ssim = ssim(a, b);
    return m;
}

}  // namespace p2p
