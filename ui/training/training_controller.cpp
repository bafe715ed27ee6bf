#include "ui/training/training_controller.h"

#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <exception>

#include "core/common/error.h"
#include "core/train/run_folder.h"
#include "core/train/trainer.h"
#include "ui/thread_inbox.h"

namespace p2p::ui {

TrainingController::TrainingController(QObject* parent)
    : QObject(parent), handle_(std::make_shared<TrainerHandle>()) {
    registerTrainingMetaTypes();
    thread_.setObjectName("training");
    worker_ = new TrainingWorker(handle_);
    workerInbox_ = new ThreadInbox(worker_);  // moves with the worker
    worker_->moveToThread(&thread_);
    markThreadEndOnFinish(thread_);

    auto* inbox = new ThreadInbox(this);
    connectThroughInbox(
        worker_, &TrainingWorker::started, inbox,
        [this](const QString& dir, const p2p::TrainingProgress& p, const p2p::TrainOptions& o) {
            runDir_ = dir;
            Q_EMIT started(dir, p, o);
        });
    connectThroughInbox(worker_, &TrainingWorker::historyLoaded, inbox, this,
                        &TrainingController::historyLoaded);
    connectThroughInbox(worker_, &TrainingWorker::lossesReady, inbox, this, &TrainingController::lossesReady);
    connectThroughInbox(worker_, &TrainingWorker::progressChanged, inbox, this,
                        &TrainingController::progressChanged);
    connectThroughInbox(worker_, &TrainingWorker::sampleReady, inbox, this, &TrainingController::sampleReady);
    connectThroughInbox(worker_, &TrainingWorker::epochFinished, inbox, this,
                        &TrainingController::epochFinished);
    connectThroughInbox(worker_, &TrainingWorker::checkpointSaved, inbox, [this](const QString& path) {
        lastCheckpoint_ = path;
        Q_EMIT checkpointSaved(path);
    });
    connectThroughInbox(worker_, &TrainingWorker::stateChanged, inbox, [this](p2p::TrainingState state) {
        paused_ = state == p2p::TrainingState::Paused;
        Q_EMIT stateChanged(state);
    });
    connectThroughInbox(worker_, &TrainingWorker::message, inbox, this, &TrainingController::message);
    connectThroughInbox(worker_, &TrainingWorker::failed, inbox, this, &TrainingController::failed);
    connectThroughInbox(worker_, &TrainingWorker::finished, inbox,
                        [this](p2p::TrainingState state, const QString& dir, const QString& model) {
                            paused_ = false;
                            if (!dir.isEmpty()) runDir_ = dir;
                            if (!model.isEmpty()) exportedModel_ = model;
                            setRunning(false);
                            Q_EMIT finished(state, dir, model);
                        });
    connect(&exportWatcher_, &QFutureWatcher<QPair<QString, QString>>::finished, this, [this] {
        const auto [model, error] = exportWatcher_.result();
        if (error.isEmpty()) {
            exportedModel_ = model;
            Q_EMIT modelExported(model);
        } else {
            Q_EMIT exportFailed(error);
        }
    });
    thread_.start();
}

TrainingController::~TrainingController() {
    handle_->stop();  // a running trainer saves and returns; the thread's event loop then sees quit()
    quitAndWait(thread_);
    delete worker_;
    exportWatcher_.waitForFinished();
}

void TrainingController::setRunning(bool running) {
    if (running_ == running) return;
    running_ = running;
    Q_EMIT runningChanged(running);
}

bool TrainingController::start(const p2p::TrainOptions& options) {
    if (running_) return false;
    handle_->reset();
    runDir_ = QString::fromStdString(options.run_dir);
    lastCheckpoint_.clear();
    exportedModel_.clear();
    setRunning(true);
    workerInbox_->post([worker = worker_, options] { worker->startNew(options); });
    return true;
}

bool TrainingController::resumeRun(const QString& runDir, const QString& dataroot) {
    if (running_) return false;
    handle_->reset();
    runDir_ = runDir;
    lastCheckpoint_.clear();
    exportedModel_.clear();
    setRunning(true);
    workerInbox_->post([worker = worker_, runDir, dataroot] { worker->resumeRun(runDir, dataroot); });
    return true;
}

void TrainingController::pause() {
    if (running_) handle_->pause();
}

void TrainingController::resume() {
    if (running_) handle_->resume();
}

void TrainingController::stop() {
    if (running_) handle_->stop();
}

bool TrainingController::stopRequested() const {
    return running_ && handle_->stopRequested();
}

qint64 TrainingController::iteration() const {
    return handle_->iteration();
}

void TrainingController::setTrainerSetup(std::function<void(p2p::Trainer&)> setup) {
    worker_->setTrainerSetup(std::move(setup));  // read by the worker only when a run starts
}

bool TrainingController::exportLatestCheckpoint() {
    if (exportWatcher_.isRunning()) return false;
    QString checkpoint = lastCheckpoint_;
    if (checkpoint.isEmpty() && !runDir_.isEmpty()) {
        const p2p::RunFolder run(runDir_.toStdString());
        if (run.hasCheckpoint()) checkpoint = QString::fromStdString(run.latestCheckpoint());
    }
    if (checkpoint.isEmpty()) return false;
    const QString model = QString::fromStdString(p2p::RunFolder(runDir_.toStdString()).latestCheckpointExport());
    exportWatcher_.setFuture(QtConcurrent::run([checkpoint, model]() -> QPair<QString, QString> {
        try {
            p2p::exportCheckpoint(checkpoint.toStdString(), model.toStdString());
            return {QFileInfo(model).absoluteFilePath(), QString()};
        } catch (const std::exception& e) {
            return {QString(), QString::fromStdString(e.what())};
        }
    }));
    return true;
}

bool TrainingController::waitForFinished(int timeoutMs) {
    if (!running_) return true;
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    connect(this, &TrainingController::runningChanged, &loop, [&loop](bool running) {
        if (!running) loop.quit();
    });
    timer.start(timeoutMs);
    loop.exec();
    return !running_;
}

}  // namespace p2p::ui
