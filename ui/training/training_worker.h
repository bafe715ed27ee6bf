#pragma once

// The training thread's side: a TrainingWorker lives on the controller's QThread, runs Trainer::run() there
// and re-emits the trainer's observer calls as Qt signals carrying values and QImages (never tensors).
// While run() blocks, the worker's event loop is busy, so pause and stop never go through it: they reach the
// Trainer's atomics through a TrainerHandle that the controller calls from the GUI thread.

#include <QImage>
#include <QMetaType>
#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include <opencv2/core.hpp>

#include "core/train/train_options.h"
#include "core/train/training_observer.h"

namespace p2p {
class Trainer;
}

namespace p2p::ui {

// One TrainingSample, converted for the GUI thread.
struct TrainingSampleImages {
    qint64 iteration = 0;
    int epoch = 0;
    QString name;
    QImage input, generated, target;
    cv::Mat dReal, dFake;  // CV_32FC1 probabilities (own copies)
};

// The running trainer, reachable from any thread. Requests made before the trainer exists (or between runs)
// are kept and applied when it is published.
class TrainerHandle {
public:
    void publish(p2p::Trainer* trainer);  // nullptr when the run ends
    void pause();
    void resume();
    void stop();
    void reset();  // forgets requests; call before a new run
    bool stopRequested() const { return stopRequested_.load(); }
    bool pauseRequested() const { return pauseRequested_.load(); }
    qint64 iteration() const;  // steps completed by the current trainer; -1 when none
    std::string lastCheckpoint() const;

private:
    mutable std::mutex mutex_;
    p2p::Trainer* trainer_ = nullptr;
    std::atomic<bool> stopRequested_{false};
    std::atomic<bool> pauseRequested_{false};
};

class TrainingWorker : public QObject, public p2p::TrainingObserver {
    Q_OBJECT

public:
    explicit TrainingWorker(std::shared_ptr<TrainerHandle> handle);
    ~TrainingWorker() override;

    // A hook for tests, applied to each trainer before it runs (e.g. injectNonFiniteInputAt).
    void setTrainerSetup(std::function<void(p2p::Trainer&)> setup) { setup_ = std::move(setup); }

public Q_SLOTS:
    void startNew(const p2p::TrainOptions& options);
    // `dataroot`: where the run's data is now, when it moved (checked against the run's fingerprint); empty: as saved.
    void resumeRun(const QString& runDir, const QString& dataroot = {});

Q_SIGNALS:
    void started(const QString& runDir, const p2p::TrainingProgress& progress,
                 const p2p::TrainOptions& options);
    void historyLoaded(const std::vector<p2p::LossSample>& history);  // losses.jsonl of a resumed run
    void lossesReady(const p2p::LossSample& losses);
    void progressChanged(const p2p::TrainingProgress& progress);
    void sampleReady(const p2p::ui::TrainingSampleImages& sample);
    void epochFinished(int epoch, double seconds);
    void checkpointSaved(const QString& path);
    void stateChanged(p2p::TrainingState state);
    void message(const QString& text);
    void failed(const QString& error);
    // Always the last signal of a run: state Stopped, Finished or Failed; modelPath is the model the run
    // exported ("" when it exported none).
    void finished(p2p::TrainingState state, const QString& runDir, const QString& modelPath);

private:
    void run(std::unique_ptr<p2p::Trainer> trainer);

    // p2p::TrainingObserver, called on this thread from inside Trainer::run().
    void onStarted(const p2p::TrainingProgress& progress, const std::string& runDir) override;
    void onLosses(const p2p::LossSample& losses) override;
    void onProgress(const p2p::TrainingProgress& progress) override;
    void onSample(const p2p::TrainingSample& sample) override;
    void onEpochEnd(int epoch, double seconds) override;
    void onCheckpoint(const std::string& path) override;
    void onStateChanged(p2p::TrainingState state) override;
    void onMessage(const std::string& message) override;

    std::shared_ptr<TrainerHandle> handle_;
    std::function<void(p2p::Trainer&)> setup_;
    p2p::TrainOptions runningOptions_;
};

// Reads a run's losses.jsonl (lines with iteration, epoch, G_GAN, G_L1, D_real, D_fake, lr); unreadable lines
// are skipped. Empty when the file is missing.

void registerTrainingMetaTypes();

}  // namespace p2p::ui

Q_DECLARE_METATYPE(p2p::TrainOptions)
Q_DECLARE_METATYPE(p2p::LossSample)
Q_DECLARE_METATYPE(p2p::TrainingProgress)
Q_DECLARE_METATYPE(p2p::TrainingState)
Q_DECLARE_METATYPE(p2p::ui::TrainingSampleImages)
Q_DECLARE_METATYPE(std::vector<p2p::LossSample>)
