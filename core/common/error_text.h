#pragma once

// Turning a third-party exception's text (LibTorch's c10::Error, OpenCV's cv::Exception) into the reason part
// of a p2p::Error: its first line, without LibTorch's "(Could this error message be improved? ...)" plea.

#include <string>

namespace p2p {

inline std::string readableReason(const std::string& what) {
    std::string reason = what.substr(0, what.find('\n'));
    const size_t plea = reason.find("(Could this error message be improved?");
    if (plea != std::string::npos) reason.resize(plea);
    while (!reason.empty() && (reason.back() == ' ' || reason.back() == '.')) reason.pop_back();
    return reason.empty() ? std::string("unknown error") : reason;
}

}  // namespace p2p
