#include "ui/preview/preview_controller.h"

#include "ui/preview/preview_worker.h"

namespace p2p::ui {

PreviewController::PreviewController(EngineOptions options, QObject* parent)
    : QObject(parent), options_(options), worker_(new PreviewWorker(options)) {
    qRegisterMetaType<p2p::ui::PreviewResult>();
    qRegisterMetaType<p2p::ui::LoadedModelSummary>();

    thread_.setObjectName(QStringLiteral("preview"));
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    connect(worker_, &PreviewWorker::resultReady, this, &PreviewController::resultReady);
    connect(worker_, &PreviewWorker::failed, this, &PreviewController::failed);
    connect(worker_, &PreviewWorker::modelLoaded, this, &PreviewController::modelLoaded);
    connect(worker_, &PreviewWorker::modelLoadFailed, this, &PreviewController::modelLoadFailed);
    connect(worker_, &PreviewWorker::busyChanged, this, &PreviewController::busyChanged);
    connect(worker_, &PreviewWorker::deviceFellBack, this, &PreviewController::deviceFellBack);
    thread_.start();
}

PreviewController::~PreviewController() {
    worker_->cancel();
    thread_.quit();
    thread_.wait();
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
    QMetaObject::invokeMethod(
        worker, [worker, path, options] { worker->loadModel(path, options); }, Qt::QueuedConnection);
}

void PreviewController::setEngineOptions(const EngineOptions& options) {
    options_ = options;
    PreviewWorker* worker = worker_;
    QMetaObject::invokeMethod(
        worker, [worker, options] { worker->setEngineOptions(options); }, Qt::QueuedConnection);
}

int PreviewController::inferenceCount() const {
    return worker_->inferenceCount();
}
bool PreviewController::busy() const {
    return worker_->busy();
}

}  // namespace p2p::ui
