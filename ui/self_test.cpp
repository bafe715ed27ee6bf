#include "ui/self_test.h"

#include <QFileInfo>
#include <QImage>

#include <cmath>

#include "ui/main_window.h"
#include "ui/model_catalog.h"
#include "ui/preview/preview_controller.h"

namespace p2p::ui {

StudioSelfTest::StudioSelfTest(MainWindow* window, SelfTestOptions options, QObject* parent)
    : QObject(parent), window_(window), options_(std::move(options)) {
    timeout_.setSingleShot(true);
    connect(&timeout_, &QTimer::timeout, this, [this] {
        finish(false, mapOpened_ ? tr("no preview of %1 within %2 s").arg(options_.labelMap).arg(options_.timeoutMs / 1000)
                                 : tr("no model loaded within %1 s").arg(options_.timeoutMs / 1000));
    });
    connect(window_, &MainWindow::modelReady, this, &StudioSelfTest::onModelReady);
    connect(window_, &MainWindow::previewShown, this, &StudioSelfTest::onPreviewShown);
    connect(window_, &MainWindow::modelMissing, this,
            [this](const QString& message) { finish(false, message); });
    connect(window_, &MainWindow::errorReported, this,
            [this](const QString& message) { finish(false, tr("error: %1").arg(message)); });
}

void StudioSelfTest::start() {
    clock_.start();
    timeout_.start(options_.timeoutMs);
    // A model that was already loaded before start() (a --model given on the command line) counts too.
    if (window_->hasModel()) onModelReady(window_->loadedModelName());
}

void StudioSelfTest::onModelReady(const QString& name) {
    if (done_ || mapOpened_) return;
    modelName_ = name;
    firstRequestForMap_ = window_->previewController()->lastRequestId() + 1;
    mapOpened_ = true;
    if (!window_->openFile(options_.labelMap))
        finish(false, tr("cannot open the label map %1: %2").arg(options_.labelMap, window_->lastError()));
}

void StudioSelfTest::onPreviewShown(quint64 requestId) {
    if (done_ || !mapOpened_ || requestId < firstRequestForMap_) return;
    const QImage result = window_->lastResult();
    const double sigma = contrast(result);
    const QString what = tr("model %1 (%2) translated %3 (%4×%5) in %6 ms, preview contrast σ=%7")
                             .arg(modelName_, window_->loadedModelPath(), QFileInfo(options_.labelMap).fileName())
                             .arg(result.width())
                             .arg(result.height())
                             .arg(clock_.elapsed())
                             .arg(sigma, 0, 'f', 1);
    if (sigma < options_.minContrast)
        finish(false, tr("the preview is blank: %1 (below %2)").arg(what).arg(options_.minContrast));
    else
        finish(true, what);
}

void StudioSelfTest::finish(bool passed, const QString& report) {
    if (done_) return;
    done_ = true;
    timeout_.stop();
    passed_ = passed;
    report_ = report;
    Q_EMIT finished(passed, report);
}

double StudioSelfTest::contrast(const QImage& image) {
    if (image.isNull()) return 0;
    const QImage grey = image.convertToFormat(QImage::Format_Grayscale8);
    double sum = 0, sumSq = 0;
    const double n = double(grey.width()) * grey.height();
    for (int y = 0; y < grey.height(); ++y) {
        const uchar* row = grey.constScanLine(y);
        for (int x = 0; x < grey.width(); ++x) {
            sum += row[x];
            sumSq += double(row[x]) * row[x];
        }
    }
    const double mean = sum / n;
    return std::sqrt(std::max(0.0, sumSq / n - mean * mean));
}

}  // namespace p2p::ui
