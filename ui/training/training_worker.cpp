#include "ui/training/training_worker.h"

#include <QFile>

#include <algorithm>
#include <exception>

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/train/run_folder.h"
#include "core/train/trainer.h"
#include "ui/image_convert.h"

namespace p2p::ui {

void registerTrainingMetaTypes() {
    qRegisterMetaType<p2p::TrainOptions>();
    qRegisterMetaType<p2p::LossSample>();
    qRegisterMetaType<p2p::TrainingProgress>();
    qRegisterMetaType<p2p::TrainingState>();
    qRegisterMetaType<p2p::ui::TrainingSampleImages>();
    qRegisterMetaType<std::vector<p2p::LossSample>>();
}

// ---------------------------------------------------------------------------------------------------------------

void TrainerHandle::publish(p2p::Trainer* trainer) {
    std::lock_guard<std::mutex> lock(mutex_);
    trainer_ = trainer;
    if (!trainer_) return;
    // Requests that came before the trainer existed (while it was being built: scanning, loading).
    if (pauseRequested_) trainer_->pause();
    if (stopRequested_) trainer_->stop();
}

void TrainerHandle::pause() {
    std::lock_guard<std::mutex> lock(mutex_);
    pauseRequested_ = true;
    if (trainer_) trainer_->pause();
}

void TrainerHandle::resume() {
    std::lock_guard<std::mutex> lock(mutex_);
    pauseRequested_ = false;
    if (trainer_) trainer_->resumeTraining();
}

void TrainerHandle::stop() {
    std::lock_guard<std::mutex> lock(mutex_);
    stopRequested_ = true;
    if (trainer_) trainer_->stop();
}

void TrainerHandle::reset() {
    std::lock_guard<std::mutex> lock(mutex_);
    stopRequested_ = false;
    pauseRequested_ = false;
}

qint64 TrainerHandle::iteration() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return trainer_ ? qint64(trainer_->iteration()) : -1;
}

std::string TrainerHandle::lastCheckpoint() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return trainer_ ? trainer_->lastCheckpoint() : std::string();
}

// ---------------------------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------------------------

TrainingWorker::TrainingWorker(std::shared_ptr<TrainerHandle> handle) : handle_(std::move(handle)) {}

TrainingWorker::~TrainingWorker() = default;

void TrainingWorker::startNew(const p2p::TrainOptions& options) {
    // The trainer sets this thread's compute threads itself, to the count its options record.
    std::unique_ptr<p2p::Trainer> trainer;
    try {
        trainer = std::make_unique<p2p::Trainer>(options);
    } catch (const std::exception& e) {
        Q_EMIT failed(QString::fromStdString(e.what()));
        Q_EMIT finished(p2p::TrainingState::Failed, QString::fromStdString(options.run_dir), {});
        return;
    }
    run(std::move(trainer));
}

void TrainingWorker::resumeRun(const QString& runDir, const QString& dataroot) {
    std::unique_ptr<p2p::Trainer> trainer;
    try {
        trainer = p2p::Trainer::resume(runDir.toStdString(), {}, {},
                                       dataroot.isEmpty() ? std::nullopt
                                                          : std::optional<std::string>(dataroot.toStdString()));
    } catch (const std::exception& e) {
        Q_EMIT failed(QString::fromStdString(e.what()));
        Q_EMIT finished(p2p::TrainingState::Failed, runDir, {});
        return;
    }
    std::vector<p2p::LossSample> history = p2p::RunFolder(runDir.toStdString()).readLosses();
    // The checkpoint is the truth: log lines past it belong to steps that will be redone.
    const int64_t resumedAt = trainer->iteration();
    history.erase(std::remove_if(history.begin(), history.end(),
                                 [resumedAt](const p2p::LossSample& s) { return s.iteration > resumedAt; }),
                  history.end());
    if (!history.empty()) Q_EMIT historyLoaded(history);
    // Before training, as the CLI does: what was overridden, and what this machine could not restore.
    const p2p::ResumeReport& report = trainer->resumeReport();
    for (const auto& line : report.overrides) Q_EMIT message(tr("override: %1").arg(QString::fromStdString(line)));
    for (const auto& line : report.differences) Q_EMIT message(tr("warning: %1").arg(QString::fromStdString(line)));
    run(std::move(trainer));
}

void TrainingWorker::run(std::unique_ptr<p2p::Trainer> trainer) {
    runningOptions_ = trainer->options();
    const QString runDir = QString::fromStdString(runningOptions_.run_dir);
    if (setup_) setup_(*trainer);
    handle_->publish(trainer.get());
    p2p::TrainingState state = p2p::TrainingState::Failed;
    try {
        state = trainer->run(*this);
    } catch (const std::exception& e) {
        // The trainer has kept its last good checkpoint; say what happened and end the run cleanly.
        Q_EMIT failed(QString::fromStdString(e.what()));
    }
    handle_->publish(nullptr);
    trainer.reset();
    QString model;
    if (state == p2p::TrainingState::Stopped || state == p2p::TrainingState::Finished) {
        const QString path = QString::fromStdString(p2p::RunFolder(runDir.toStdString()).model());
        if (QFile::exists(path)) model = path;
    }
    Q_EMIT finished(state, runDir, model);
}

void TrainingWorker::onStarted(const p2p::TrainingProgress& progress, const std::string& runDir) {
    Q_EMIT started(QString::fromStdString(runDir), progress, runningOptions_);
}

void TrainingWorker::onLosses(const p2p::LossSample& losses) {
    Q_EMIT lossesReady(losses);
}

void TrainingWorker::onProgress(const p2p::TrainingProgress& progress) {
    Q_EMIT progressChanged(progress);
}

void TrainingWorker::onSample(const p2p::TrainingSample& sample) {
    TrainingSampleImages images;
    images.iteration = sample.iteration;
    images.epoch = sample.epoch;
    images.name = QString::fromStdString(sample.name);
    images.input = matToQImage(sample.input);
    images.generated = matToQImage(sample.generated);
    images.target = matToQImage(sample.target);
    images.dReal = sample.d_real.clone();
    images.dFake = sample.d_fake.clone();
    Q_EMIT sampleReady(images);
}

void TrainingWorker::onEpochEnd(int epoch, double seconds) {
    Q_EMIT epochFinished(epoch, seconds);
}

void TrainingWorker::onCheckpoint(const std::string& path) {
    Q_EMIT checkpointSaved(QString::fromStdString(path));
}

void TrainingWorker::onStateChanged(p2p::TrainingState state) {
    Q_EMIT stateChanged(state);
}

void TrainingWorker::onMessage(const std::string& text) {
    Q_EMIT message(QString::fromStdString(text));
}

}  // namespace p2p::ui
