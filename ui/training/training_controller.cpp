#include "ui/training/training_controller.h"

#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <exception>

#include "core/common/error.h"
#include "core/train/trainer.h"

namespace p2p::ui {

TrainingController::TrainingController(QObject* parent)
    : QObject(parent), handle_(std::make_shared<TrainerHandle>()) {
    registerTrainingMetaTypes();
    thread_.setObjectName("training");
    worker_ = new TrainingWorker(handle_);
    worker_->moveToThread(&thread_);

    connect(worker_, &TrainingWorker::started, this,
            [this](const QString& dir, const p2p::TrainingProgress& p, const p2p::TrainOptions& o) {
                runDir_ = dir;
                Q_EMIT started(dir, p, o);
            });
    connect(worker_, &TrainingWorker::historyLoaded, this, &TrainingController::historyLoaded);
    connect(worker_, &TrainingWorker::lossesReady, this, &TrainingController::lossesReady);
    connect(worker_, &TrainingWorker::progressChanged, this, &TrainingController::progressChanged);
    connect(worker_, &TrainingWorker::sampleReady, this, &TrainingController::sampleReady);
    connect(worker_, &TrainingWorker::epochFinished, this, &TrainingController::epochFinished);
    connect(worker_, &TrainingWorker::checkpointSaved, this, [this](const QString& path) {
        lastCheckpoint_ = path;
        Q_EMIT checkpointSaved(path);
    });
    connect(worker_, &TrainingWorker::stateChanged, this, [this](p2p::TrainingState state) {
        paused_ = state == p2p::TrainingState::Paused;
        Q_EMIT stateChanged(state);
    });
    connect(worker_, &TrainingWorker::message, this, &TrainingController::message);
    connect(worker_, &TrainingWorker::failed, this, &TrainingController::failed);
    connect(worker_, &TrainingWorker::finished, this,
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
    thread_.quit();
    thread_.wait();
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
    QMetaObject::invokeMethod(
        worker_, [worker = worker_, options] { worker->startNew(options); }, Qt::QueuedConnection);
    return true;
}

bool TrainingController::resumeRun(const QString& runDir) {
    if (running_) return false;
    handle_->reset();
    runDir_ = runDir;
    lastCheckpoint_.clear();
    exportedModel_.clear();
    setRunning(true);
    QMetaObject::invokeMethod(
        worker_, [worker = worker_, runDir] { worker->resumeRun(runDir); }, Qt::QueuedConnection);
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
        const QString latest = QDir(runDir_).filePath("checkpoints/latest.ckpt");
        if (QFileInfo::exists(latest)) checkpoint = latest;
    }
    if (checkpoint.isEmpty()) return false;
    const QString model = QDir(runDir_).filePath("model-latest.p2pm");
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
