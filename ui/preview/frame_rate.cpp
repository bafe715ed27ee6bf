#include "ui/preview/frame_rate.h"

namespace p2p::ui {

void FrameRateMeter::frameShown(qint64 nowMs) {
    frames_.push_back(nowMs);
    while (!frames_.empty() && frames_.front() < nowMs - windowMs_) frames_.pop_front();
}

std::optional<double> FrameRateMeter::rate(qint64 nowMs) const {
    qint64 first = -1, last = -1;
    int count = 0;
    for (qint64 t : frames_) {
        if (t < nowMs - windowMs_ || t > nowMs) continue;
        if (count == 0) first = t;
        last = t;
        ++count;
    }
    if (count < 2 || last <= first) return std::nullopt;
    return (count - 1) * 1000.0 / double(last - first);
}

}  // namespace p2p::ui
