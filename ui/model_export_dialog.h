#pragma once

// Model ▸ Export…: the loaded model as our .p2pm, as ONNX or as a reference-format .pth (core/export), chosen
// by the file type in the save dialog. The export runs off the GUI thread; the result or the error comes back
// as a message.

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include "core/infer/inference_engine.h"

class QWidget;

namespace p2p::ui {

class ModelExporter : public QObject {
    Q_OBJECT
public:
    explicit ModelExporter(QWidget* parent);

    // Asks where to write (the type follows the chosen filter or the file's suffix), then exports.
    void exportInteractively(const QString& modelPath, const QString& directory, NormStats norm);
    // Exports `modelPath` to `output` (.p2pm, .onnx or .pth by suffix) in the background.
    void exportTo(const QString& modelPath, const QString& output, NormStats norm);
    bool busy() const { return watcher_.isRunning(); }

    static QString fileFilters();

Q_SIGNALS:
    void exported(const QString& summary);
    void failed(const QString& message);

private:
    QWidget* parent_;
    QFutureWatcher<QString> watcher_;  // the summary, or "error: …"
};

}  // namespace p2p::ui
