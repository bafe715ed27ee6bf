#pragma once

// Values that travel between the GUI thread and the preview worker (queued signals copy them).

#include <QImage>
#include <QMetaType>
#include <QString>

#include <opencv2/core.hpp>

#include "core/infer/inference_engine.h"
#include "core/io/model_file.h"
#include "core/labels/palette.h"

namespace p2p::ui {

struct PreviewRequest {
    quint64 id = 0;
    cv::Mat image;  // BGR CV_8UC3, owned by the request (a snapshot of the canvas)
    TranslateOptions options;
    bool discriminator_map = false;  // also compute sigmoid(D(input, output)) when the model has a D
    // The image is a label canvas in the CMP colours: the worker gives it to the model in the colours the
    // model was trained with (core/infer/model_input.h).
    bool label_canvas = false;
};

struct PreviewResult {
    quint64 id = 0;         // the request this answers
    QImage image;           // the translation, the canvas's size
    QImage heatmap;         // D's patch probabilities as a colour map of the same size; null when not asked
    double latency_ms = 0;  // translate (+ D) time of this request
};

struct LoadedModelSummary {
    ModelInfo info;
    QString device;       // "CPU" or "CUDA"
    QString description;  // the engine's own line, e.g. "CPU · 2 threads · bf16 · fast path"
    bool has_discriminator = false;
    LabelPalette label_palette = LabelPalette::Pix2PixFacades;  // the label colours the model expects
};

}  // namespace p2p::ui

Q_DECLARE_METATYPE(p2p::ui::PreviewResult)
Q_DECLARE_METATYPE(p2p::ui::LoadedModelSummary)
