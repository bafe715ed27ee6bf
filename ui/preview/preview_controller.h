#pragma once

// Owns the preview thread and its worker. request() never blocks: it hands a snapshot to the worker, which
// runs only the newest one. Destroying the controller quits the thread and waits for it (at most the one
// inference in flight).

#include <QObject>
#include <QThread>

#include <atomic>

#include "ui/preview/preview_types.h"

namespace p2p::ui {

class PreviewWorker;
class ThreadInbox;

class PreviewController : public QObject {
    Q_OBJECT
public:
    explicit PreviewController(EngineOptions options = {}, QObject* parent = nullptr);
    ~PreviewController() override;

    // Returns the request's id; results carry it. The image is copied. `labelCanvas`: see PreviewRequest.
    quint64 request(const cv::Mat& image, const TranslateOptions& options = {}, bool discriminatorMap = false,
                    bool labelCanvas = false);
    void loadModel(const QString& path, const ModelLoadOptions& options = {});
    void setEngineOptions(const EngineOptions& options);

    const EngineOptions& engineOptions() const { return options_; }
    quint64 lastRequestId() const { return nextId_ - 1; }
    int inferenceCount() const;  // translations actually run (for tests and the status bar)
    bool busy() const;

Q_SIGNALS:
    void resultReady(const p2p::ui::PreviewResult& result);
    void failed(const QString& message);
    void modelLoaded(const p2p::ui::LoadedModelSummary& summary);
    void modelLoadFailed(const QString& path, const QString& message, bool architectureRequired);
    void busyChanged(bool busy);
    void deviceFellBack(const QString& reason);

private:
    EngineOptions options_;
    QThread thread_;
    PreviewWorker* worker_;  // lives on thread_, deleted when it finishes
    ThreadInbox* workerInbox_ = nullptr;  // the worker's child: runs calls on thread_
    quint64 nextId_ = 1;
};

}  // namespace p2p::ui
