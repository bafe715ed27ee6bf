#pragma once

// What a running trainer reports. The CLI's progress bar and the studio's training panel implement the same
// interface, so both show the same thing. Calls come from the training thread. Torch-free.

#include <cstdint>
#include <string>

#include <opencv2/core.hpp>

namespace p2p {

struct LossSample {
    int64_t iteration = 0;  // global step, from 1
    int epoch = 0;          // 1-based
    double G_GAN = 0, G_L1 = 0, D_real = 0, D_fake = 0;
    double lr = 0;
};

struct TrainingProgress {
    int epoch = 0;  // 1-based
    int total_epochs = 0;
    int64_t iteration = 0;  // global step
    int64_t iterations_per_epoch = 0;
    int64_t total_iterations = 0;
    double iterations_per_second = 0;
    double eta_seconds = 0;
};

struct TrainingSample {
    int64_t iteration = 0;
    int epoch = 0;
    std::string name;
    cv::Mat input;      // BGR CV_8UC3: real A (the source)
    cv::Mat generated;  // BGR CV_8UC3: fake B
    cv::Mat target;     // BGR CV_8UC3: real B
    cv::Mat d_real;     // CV_32FC1: sigmoid of D(A, real B), the per-patch map (30x30 at 256^2 for basic D)
    cv::Mat d_fake;     // CV_32FC1: sigmoid of D(A, fake B)
};

enum class TrainingState { Running, Paused, Stopped, Finished, Failed };

class TrainingObserver {
public:
    virtual ~TrainingObserver() = default;
    virtual void onStarted(const TrainingProgress& /*progress*/, const std::string& /*runDir*/) {}
    virtual void onLosses(const LossSample& /*losses*/) {}
    virtual void onProgress(const TrainingProgress& /*progress*/) {}
    virtual void onSample(const TrainingSample& /*sample*/) {}
    virtual void onEpochEnd(int /*epoch*/, double /*seconds*/) {}
    virtual void onCheckpoint(const std::string& /*path*/) {}
    virtual void onStateChanged(TrainingState /*state*/) {}
    virtual void onMessage(const std::string& /*message*/) {}  // notes and warnings a user should see
};

}  // namespace p2p
