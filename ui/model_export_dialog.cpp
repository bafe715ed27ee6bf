#include "ui/model_export_dialog.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QtConcurrent/QtConcurrent>

#include "core/export/model_export.h"

namespace p2p::ui {

namespace {
const QString kP2pm = QObject::tr("Pix2Pix Studio model (*.p2pm)");
const QString kOnnx = QObject::tr("ONNX, for ONNX Runtime and OpenCV (*.onnx)");
const QString kPth = QObject::tr("PyTorch state dict, reference format (*.pth)");
}  // namespace

ModelExporter::ModelExporter(QWidget* parent) : QObject(parent), parent_(parent) {
    connect(&watcher_, &QFutureWatcher<QString>::finished, this, [this] {
        const QString result = watcher_.result();
        if (result.startsWith(QStringLiteral("error: "))) Q_EMIT failed(result.mid(7));
        else Q_EMIT exported(result);
    });
}

QString ModelExporter::fileFilters() { return kP2pm + QStringLiteral(";;") + kOnnx + QStringLiteral(";;") + kPth; }

void ModelExporter::exportInteractively(const QString& modelPath, const QString& directory, NormStats norm) {
    QString filter = kOnnx;
    const QString base = QDir(directory).filePath(QFileInfo(modelPath).completeBaseName());
    QString path = QFileDialog::getSaveFileName(parent_, tr("Export Model"), base + QStringLiteral(".onnx"),
                                                fileFilters(), &filter);
    if (path.isEmpty()) return;
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != QStringLiteral("p2pm") && suffix != QStringLiteral("onnx") && suffix != QStringLiteral("pth"))
        path += filter == kP2pm ? QStringLiteral(".p2pm") : filter == kPth ? QStringLiteral(".pth") : QStringLiteral(".onnx");
    exportTo(modelPath, path, norm);
}

void ModelExporter::exportTo(const QString& modelPath, const QString& output, NormStats norm) {
    if (busy()) {
        Q_EMIT failed(tr("an export is still running"));
        return;
    }
    const std::string source = modelPath.toStdString(), target = output.toStdString();
    const QString suffix = QFileInfo(output).suffix().toLower();
    watcher_.setFuture(QtConcurrent::run([source, target, suffix, norm]() -> QString {
        try {
            ExportResult r;
            if (suffix == QStringLiteral("onnx")) {
                OnnxExportOptions options;
                options.norm = norm;  // what the preview shows
                r = exportOnnx(source, target, options);
            } else if (suffix == QStringLiteral("pth")) {
                r = exportReferencePth(source, target);
            } else if (suffix == QStringLiteral("p2pm")) {
                r = exportModelFile(source, target);
            } else {
                return QStringLiteral("error: %1: choose .p2pm, .onnx or .pth").arg(QString::fromStdString(target));
            }
            return QString::fromStdString(r.summary);
        } catch (const std::exception& e) {
            return QStringLiteral("error: ") + QString::fromStdString(e.what());
        }
    }));
}

}  // namespace p2p::ui
