#include "core/data/tensor_image.h"

#include <opencv2/imgproc.hpp>

#include "core/common/error.h"

namespace p2p {

torch::Tensor imageToTensor(const cv::Mat& image) {
    if (image.empty()) throw Error("cannot convert an empty image to a tensor");
    if (image.depth() != CV_8U) throw Error("expected an 8-bit image");
    cv::Mat rgb;
    switch (image.channels()) {
        case 1:
            cv::cvtColor(image, rgb, cv::COLOR_GRAY2RGB);
            break;
        case 3:
            cv::cvtColor(image, rgb, cv::COLOR_BGR2RGB);
            break;
        case 4:
            cv::cvtColor(image, rgb, cv::COLOR_BGRA2RGB);
            break;
        default:
            throw Error("expected 1, 3 or 4 channels, got " + std::to_string(image.channels()));
    }
    auto t = torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8)
                 .permute({2, 0, 1})
                 .to(torch::kFloat32)
                 .div_(127.5)
                 .sub_(1.0)
                 .unsqueeze(0)
                 .contiguous();
    return t;
}

cv::Mat tensorToImage(const torch::Tensor& tensor) {
    auto t = tensor.detach();
    if (t.dim() == 4) {
        if (t.size(0) != 1) throw Error("tensorToImage expects a batch of one");
        t = t[0];
    }
    if (t.dim() != 3 || t.size(0) != 3) throw Error("tensorToImage expects 3 channels");
    t = t.to(torch::kCPU, torch::kFloat32)
            .add(1.0)
            .mul_(127.5)
            .round_()
            .clamp_(0, 255)
            .to(torch::kUInt8)
            .permute({1, 2, 0})
            .contiguous();
    cv::Mat rgb(static_cast<int>(t.size(0)), static_cast<int>(t.size(1)), CV_8UC3, t.data_ptr<uint8_t>());
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    return bgr;
}

cv::Mat tensorToFloatMap(const torch::Tensor& tensor) {
    auto t = tensor.detach().to(torch::kCPU, torch::kFloat32);
    while (t.dim() > 2) {
        if (t.size(0) != 1) throw Error("tensorToFloatMap expects a single map");
        t = t[0];
    }
    t = t.contiguous();
    cv::Mat map(static_cast<int>(t.size(0)), static_cast<int>(t.size(1)), CV_32FC1, t.data_ptr<float>());
    return map.clone();
}

}  // namespace p2p
