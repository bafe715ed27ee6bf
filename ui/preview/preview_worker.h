#pragma once

// Lives on the preview thread and owns the InferenceEngine. Requests coalesce as in Qt's Mandelbrot
// example: submit() (any thread) replaces the one pending request under a mutex and queues a single
// process() call; process() takes whatever is newest. A burst of strokes therefore runs only the latest
// canvas, and a request no one will see is never computed. Exceptions stop here and leave as failed().

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>

#include "ui/preview/preview_types.h"

namespace p2p::ui {

class PreviewWorker : public QObject {
    Q_OBJECT
public:
    explicit PreviewWorker(EngineOptions options);
    ~PreviewWorker() override;

    // Thread-safe. Replaces any request not yet started.
    void submit(PreviewRequest request);
    // Thread-safe: drop the pending request and skip any that arrive later (shutting down).
    void cancel();

    int inferenceCount() const { return inferences_.load(); }
    bool busy() const { return busy_.load(); }

public Q_SLOTS:
    void process();
    void loadModel(const QString& path, const p2p::ModelLoadOptions& options);
    // Rebuilds the engine (e.g. another normalisation) and reloads the current model into it.
    void setEngineOptions(const p2p::EngineOptions& options);

Q_SIGNALS:
    void resultReady(const p2p::ui::PreviewResult& result);
    void failed(const QString& message);
    void modelLoaded(const p2p::ui::LoadedModelSummary& summary);
    // architectureRequired: a reference .pth whose netG/ngf/norm cannot be inferred; ask and retry with
    // ModelLoadOptions::generator_override.
    void modelLoadFailed(const QString& path, const QString& message, bool architectureRequired);
    void busyChanged(bool busy);
    // The GPU failed (out of memory, a CUDA error, or CUDA is missing): the preview now runs on the CPU.
    void deviceFellBack(const QString& reason);

private:
    InferenceEngine& engine();
    // After a failure on a non-CPU device: rebuild the engine on the CPU with the current model and say why.
    // False when already on the CPU (nothing to fall back to) or when the CPU engine cannot load it either.
    bool fallBackToCpu(const std::string& reason);
    bool onCpu() const;
    LoadedModelSummary summary() const;

    EngineOptions options_;
    std::unique_ptr<InferenceEngine> engine_;  // created on the worker thread, on first use
    std::optional<std::pair<QString, ModelLoadOptions>> current_;

    std::mutex mutex_;
    std::optional<PreviewRequest> pending_;  // guarded by mutex_
    std::atomic<bool> scheduled_{false};     // a process() call is queued
    std::atomic<bool> cancelled_{false};
    std::atomic<bool> busy_{false};
    std::atomic<int> inferences_{0};
};

}  // namespace p2p::ui
