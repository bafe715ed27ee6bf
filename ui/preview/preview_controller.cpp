#include "ui/preview/preview_controller.h"

#include "ui/preview/preview_worker.h"
#include "ui/thread_inbox.h"

namespace p2p::ui {

PreviewController::PreviewController(EngineOptions options, QObject* parent)
    : QObject(parent), options_(options), worker_(new PreviewWorker(options)) {
    qRegisterMetaType<p2p::ui::PreviewResult>();
    qRegisterMetaType<p2p::ui::LoadedModelSummary>();

    thread_.setObjectName(QStringLiteral("preview"));
    workerInbox_ = new ThreadInbox(worker_);  // moves with the worker
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    // The thread's last act before it ends; the destructor's wait() then acquires it (QThread is detached).
    connect(
        &thread_, &QThread::finished, &thread_, [this] { markReleased(&thread_); }, Qt::DirectConnection);

    auto* inbox = new ThreadInbox(this);
    connectThroughInbox(worker_, &PreviewWorker::resultReady, inbox,
                        [this](const PreviewResult& result) { Q_EMIT resultReady(result); });
    connectThroughInbox(worker_, &PreviewWorker::failed, inbox,
                        [this](const QString& message) { Q_EMIT failed(message); });
    connectThroughInbox(worker_, &PreviewWorker::modelLoaded, inbox,
                        [this](const LoadedModelSummary& summary) { Q_EMIT modelLoaded(summary); });
    connectThroughInbox(worker_, &PreviewWorker::modelLoadFailed, inbox,
                        [this](const QString& path, const QString& message, bool architectureRequired) {
                            Q_EMIT modelLoadFailed(path, message, architectureRequired);
                        });
    connectThroughInbox(worker_, &PreviewWorker::busyChanged, inbox,
                        [this](bool busy) { Q_EMIT busyChanged(busy); });
    connectThroughInbox(worker_, &PreviewWorker::deviceFellBack, inbox,
                        [this](const QString& reason) { Q_EMIT deviceFellBack(reason); });
    thread_.start();
}

PreviewController::~PreviewController() {
    worker_->cancel();
    thread_.quit();
    thread_.wait();
    markAcquired(&thread_);
}

quint64 PreviewController::request(const cv::Mat& image, const TranslateOptions& options,
                                   bool discriminatorMap, bool labelCanvas) {
    PreviewRequest r;
    r.id = nextId_++;
    r.image = image.clone();
    r.options = options;
    r.discriminator_map = discriminatorMap;
    r.label_canvas = labelCanvas;
    worker_->submit(std::move(r));
    return nextId_ - 1;
}

void PreviewController::loadModel(const QString& path, const ModelLoadOptions& options) {
    PreviewWorker* worker = worker_;
    workerInbox_->post([worker, path, options] { worker->loadModel(path, options); });
}

void PreviewController::setEngineOptions(const EngineOptions& options) {
    options_ = options;
    PreviewWorker* worker = worker_;
    workerInbox_->post([worker, options] { worker->setEngineOptions(options); });
}

int PreviewController::inferenceCount() const {
    return worker_->inferenceCount();
}
bool PreviewController::busy() const {
    return worker_->busy();
}

}  // namespace p2p::ui
