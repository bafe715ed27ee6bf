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
    markThreadEndOnFinish(thread_);

    auto* inbox = new ThreadInbox(this);
    connectThroughInbox(worker_, &PreviewWorker::resultReady, inbox, this, &PreviewController::resultReady);
    connectThroughInbox(worker_, &PreviewWorker::failed, inbox, this, &PreviewController::failed);
    connectThroughInbox(worker_, &PreviewWorker::modelLoaded, inbox, this, &PreviewController::modelLoaded);
    connectThroughInbox(worker_, &PreviewWorker::modelLoadFailed, inbox, this,
                        &PreviewController::modelLoadFailed);
    connectThroughInbox(worker_, &PreviewWorker::busyChanged, inbox, this, &PreviewController::busyChanged);
    connectThroughInbox(worker_, &PreviewWorker::deviceFellBack, inbox, this,
                        &PreviewController::deviceFellBack);
    thread_.start();
}

PreviewController::~PreviewController() {
    worker_->cancel();
    quitAndWait(thread_);
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
