#pragma once

// Turning a third-party exception's text (LibTorch's c10::Error, OpenCV's cv::Exception) into the reason part
// of a p2p::Error: its first line, without LibTorch's "(Could this error message be improved? ...)" plea.

#include <cerrno>
#include <cstring>
#include <string>

namespace p2p {

// The operating system's reason for the I/O call that just failed (errno), e.g. "No space left on device", for
// messages that name the file and the reason. A stream that failed without setting errno says so.
inline std::string systemReason() {
    return errno != 0 ? std::string(std::strerror(errno)) : std::string("the write failed (no system reason given)");
}

inline std::string readableReason(const std::string& what) {
    std::string reason = what.substr(0, what.find('\n'));
    const size_t plea = reason.find("(Could this error message be improved?");
    if (plea != std::string::npos) reason.resize(plea);
    while (!reason.empty() && (reason.back() == ' ' || reason.back() == '.')) reason.pop_back();
    return reason.empty() ? std::string("unknown error") : reason;
}

}  // namespace p2p
