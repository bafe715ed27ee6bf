#include "ui/preview/preview_worker.h"

#include <QElapsedTimer>
#include <QMetaObject>

#include "core/common/error.h"
#include "core/common/runtime.h"
#include "core/io/model_probe.h"
#include "ui/image_convert.h"
#include "core/infer/model_input.h"

namespace p2p::ui {

namespace {

QString deviceLabel(const p2p::Device& device) {
    return device.isCuda() ? QStringLiteral("CUDA") : QStringLiteral("CPU");
}

}  // namespace

PreviewWorker::PreviewWorker(EngineOptions options) : options_(std::move(options)) {}

PreviewWorker::~PreviewWorker() {
    std::lock_guard<std::mutex> lock(mutex_);  // orders the pending request's end after the last cancel()
    pending_.reset();
}

InferenceEngine& PreviewWorker::engine() {
    if (!engine_) {
        configureThreads(options_.threads);
        try {
            engine_ = std::make_unique<InferenceEngine>(options_);
        } catch (const std::exception& e) {
            if (!fallBackToCpu(e.what())) throw;
        }
    }
    return *engine_;
}

bool PreviewWorker::onCpu() const {
    return engine_ ? engine_->device().isCpu() : options_.device.isCpu();
}

bool PreviewWorker::fallBackToCpu(const std::string& reason) {
    if (onCpu()) return false;
    EngineOptions cpu = options_;
    cpu.device = p2p::Device::cpu();
    if (cpu.precision == "fp16") cpu.precision = "auto";  // fp16 is a CUDA precision
    try {
        auto fresh = std::make_unique<InferenceEngine>(cpu);
        if (current_) fresh->load(current_->first.toStdString(), current_->second);
        options_ = cpu;
        engine_ = std::move(fresh);
    } catch (const std::exception&) {
        return false;
    }
    Q_EMIT deviceFellBack(QString::fromStdString(reason));
    if (engine_->hasModel()) Q_EMIT modelLoaded(summary());
    return true;
}

void PreviewWorker::submit(PreviewRequest request) {
    if (cancelled_.load()) return;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        pending_ = std::move(request);
    }
    if (!scheduled_.exchange(true))
        QMetaObject::invokeMethod(this, &PreviewWorker::process, Qt::QueuedConnection);
}

void PreviewWorker::cancel() {
    cancelled_.store(true);
    std::lock_guard<std::mutex> lock(mutex_);
    pending_.reset();
}

void PreviewWorker::process() {
    std::optional<PreviewRequest> request;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        request.swap(pending_);
        // Cleared under the lock: a submit() after this point queues a fresh process() call.
        scheduled_.store(false);
    }
    if (!request || cancelled_.load()) return;

    busy_.store(true);
    Q_EMIT busyChanged(true);
    bool ranOnDevice = false;  // a failure after this point may be the device's
    try {
        InferenceEngine& e = engine();
        if (!e.hasModel()) throw Error("no model loaded — File ▸ Load Model… (Ctrl+L)");
        ranOnDevice = true;
        QElapsedTimer timer;
        timer.start();
        // Converted here, not on the GUI thread, and for the model actually loaded (a switch may be queued).
        const cv::Mat input = request->label_canvas
                                  ? labelCanvasForModel(request->image, modelLabelPalette(e.model()))
                                  : request->image;
        const bool fellBackBefore = !e.fallbackReason().empty();
        const cv::Mat output = e.translate(input, request->options);
        ++inferences_;
        if (!fellBackBefore && !e.fallbackReason().empty()) {
            // The device failed mid-translation and the engine (core) redid it on the CPU: say so, and keep
            // the CPU for engines built later.
            options_.device = p2p::Device::cpu();
            if (options_.precision == "fp16") options_.precision = "auto";
            Q_EMIT deviceFellBack(QString::fromStdString(e.fallbackReason()));
            Q_EMIT modelLoaded(summary());
        }
        PreviewResult result;
        result.id = request->id;
        if (request->discriminator_map && e.hasDiscriminator()) {
            const cv::Mat probabilities = e.discriminatorMap(input, output);
            result.heatmap = probabilityMapToHeatmap(probabilities, QSize(output.cols, output.rows));
        }
        result.latency_ms = timer.nsecsElapsed() / 1e6;
        result.image = matToQImage(output);
        Q_EMIT resultReady(result);
    } catch (const std::exception& e) {
        // A GPU failure (out of memory, a CUDA error) moves the preview to the CPU and redoes this request.
        if (ranOnDevice && fallBackToCpu(e.what())) {
            {
                std::lock_guard<std::mutex> lock(mutex_);
                if (!pending_) pending_ = std::move(request);  // a newer request wins, as always
            }
            if (!scheduled_.exchange(true))
                QMetaObject::invokeMethod(this, &PreviewWorker::process, Qt::QueuedConnection);
        } else {
            Q_EMIT failed(QString::fromStdString(e.what()));
        }
    } catch (...) {
        Q_EMIT failed(tr("The preview failed for an unknown reason."));
    }
    busy_.store(false);
    Q_EMIT busyChanged(false);
}

LoadedModelSummary PreviewWorker::summary() const {
    LoadedModelSummary s;
    s.info = engine_->model();
    s.device = deviceLabel(engine_->device());
    s.description = QString::fromStdString(engine_->describe());
    s.has_discriminator = engine_->hasDiscriminator();
    s.label_palette = modelLabelPalette(s.info);
    return s;
}

void PreviewWorker::loadModel(const QString& path, const ModelLoadOptions& options) {
    busy_.store(true);
    Q_EMIT busyChanged(true);
    try {
        bool loadedByFallback = false;
        try {
            engine().load(path.toStdString(), options);
        } catch (const std::exception& e) {
            // Out of GPU memory, say: the same model on the CPU (the previous model stays if that fails too).
            if (onCpu()) throw;
            const auto previous = current_;
            current_ = std::make_pair(path, options);
            if (!fallBackToCpu(e.what())) {
                current_ = previous;
                throw;
            }
            loadedByFallback = true;  // fallBackToCpu() announced the model
        }
        current_ = std::make_pair(path, options);
        if (!loadedByFallback) Q_EMIT modelLoaded(summary());
    } catch (const std::exception& e) {
        bool architectureRequired = false;
        if (!options.generator_override) {
            try {
                architectureRequired = generatorArchitectureUnknown(path.toStdString());
            } catch (const std::exception&) {
                architectureRequired = false;  // unreadable: the load error already says why
            }
        }
        Q_EMIT modelLoadFailed(path, QString::fromStdString(e.what()), architectureRequired);
    }
    busy_.store(false);
    Q_EMIT busyChanged(false);
}

void PreviewWorker::setEngineOptions(const EngineOptions& options) {
    busy_.store(true);
    Q_EMIT busyChanged(true);
    try {
        options.validate();
        auto fresh = std::make_unique<InferenceEngine>(options);
        if (current_) fresh->load(current_->first.toStdString(), current_->second);
        options_ = options;
        engine_ = std::move(fresh);
        if (engine_->hasModel()) Q_EMIT modelLoaded(summary());
    } catch (const std::exception& e) {
        // The old engine (and its model) stays.
        if (current_)
            Q_EMIT modelLoadFailed(current_->first, QString::fromStdString(e.what()), false);
        else
            Q_EMIT failed(QString::fromStdString(e.what()));
    }
    busy_.store(false);
    Q_EMIT busyChanged(false);
}

}  // namespace p2p::ui
