#pragma once

// The status bar's fps (issue 17 defect 8): the rate at which preview frames are actually shown, measured
// over a recent window of time, not 1000 ÷ the last latency (which ignores the time between requests and
// claims a rate nobody sees). Timestamps come from the caller, so the arithmetic is tested without waiting.

#include <QtGlobal>

#include <deque>
#include <optional>

namespace p2p::ui {

class FrameRateMeter {
public:
    explicit FrameRateMeter(qint64 windowMs = 2000) : windowMs_(windowMs) {}

    void frameShown(qint64 nowMs);
    // Frames per second over the frames shown in the last window before `nowMs`: (frames - 1) ÷ the time
    // from the first to the last of them. Nothing while fewer than two frames were shown in the window
    // (one frame, or a still canvas, has no rate).
    std::optional<double> rate(qint64 nowMs) const;
    void reset() { frames_.clear(); }
    qint64 windowMs() const { return windowMs_; }

private:
    qint64 windowMs_;
    std::deque<qint64> frames_;  // the recent frames' times, oldest first
};

}  // namespace p2p::ui
