#pragma once

// Runs the trainer on its own QThread and forwards its signals to the GUI thread. Pause and stop reach the
// trainer's atomics directly, so they work while the training thread is busy inside Trainer::run().

#include <QFutureWatcher>
#include <QObject>
#include <QPair>
#include <QString>
#include <QThread>

#include <functional>
#include <memory>

#include "core/train/train_options.h"
#include "core/train/training_observer.h"
#include "ui/training/training_worker.h"

namespace p2p::ui {

class ThreadInbox;

class TrainingController : public QObject {
    Q_OBJECT

public:
    explicit TrainingController(QObject* parent = nullptr);
    // Stops a running run (the trainer saves a checkpoint and exports the model), then quits and waits for
    // the thread.
    ~TrainingController() override;

    // Start a new run / continue the run in runDir. False (and nothing happens) while a run is active.
    bool start(const p2p::TrainOptions& options);
    bool resumeRun(const QString& runDir, const QString& dataroot = {});  // dataroot: the data's new place

    void pause();
    void resume();
    void stop();  // the trainer finishes its step, saves, exports model.p2pm and returns

    bool isRunning() const { return running_; }
    bool isPaused() const { return paused_; }
    bool stopRequested() const;
    qint64 iteration() const;  // steps completed, read from the trainer itself; -1 when no trainer runs
    QString runDir() const { return runDir_; }
    QString lastCheckpoint() const { return lastCheckpoint_; }
    QString exportedModel() const { return exportedModel_; }  // newest model file of the run, or ""

    // Exports the run's newest checkpoint as a model file (model-latest.p2pm in the run folder) on a pool
    // thread; emits modelExported or exportFailed. False when there is no checkpoint yet or an export runs.
    bool exportLatestCheckpoint();

    // Processes events until the run ends or the timeout passes. True when no run is active.
    bool waitForFinished(int timeoutMs);

    // Test hook: called on the training thread with each trainer before it runs.
    void setTrainerSetup(std::function<void(p2p::Trainer&)> setup);

Q_SIGNALS:
    void runningChanged(bool running);
    void started(const QString& runDir, const p2p::TrainingProgress& progress,
                 const p2p::TrainOptions& options);
    void historyLoaded(const std::vector<p2p::LossSample>& history);
    void lossesReady(const p2p::LossSample& losses);
    void progressChanged(const p2p::TrainingProgress& progress);
    void sampleReady(const p2p::ui::TrainingSampleImages& sample);
    void epochFinished(int epoch, double seconds);
    void checkpointSaved(const QString& path);
    void stateChanged(p2p::TrainingState state);
    void message(const QString& text);
    void failed(const QString& error);
    void finished(p2p::TrainingState state, const QString& runDir, const QString& modelPath);
    void modelExported(const QString& path);
    void exportFailed(const QString& error);

private:
    void setRunning(bool running);

    QThread thread_;
    TrainingWorker* worker_ = nullptr;
    ThreadInbox* workerInbox_ = nullptr;  // the worker's child: runs calls on thread_
    std::shared_ptr<TrainerHandle> handle_;
    QFutureWatcher<QPair<QString, QString>> exportWatcher_;  // (model path, error)
    bool running_ = false;
    bool paused_ = false;
    QString runDir_;
    QString lastCheckpoint_;
    QString exportedModel_;
};

}  // namespace p2p::ui
