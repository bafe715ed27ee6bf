#include "ui/preview/preview_view.h"

#include <QPainter>

namespace p2p::ui {

PreviewView::PreviewView(QWidget* parent) : ImageViewport(parent) {}

void PreviewView::setResult(const QImage& image) {
    setDisplayedImage(image);
    update();
}

void PreviewView::setHeatmap(const QImage& heatmap) {
    heatmap_ = heatmap;
    update();
}

void PreviewView::setHeatmapVisible(bool visible) {
    heatmapVisible_ = visible;
    update();
}

void PreviewView::setHeatmapOpacity(double opacity) {
    heatmapOpacity_ = opacity;
    update();
}

void PreviewView::setPlaceholder(const QString& text) {
    placeholder_ = text;
    update();
}

void PreviewView::setBusy(bool busy) {
    if (busy_ == busy) return;
    busy_ = busy;
    update(QRect(width() - 40, 0, 40, 40));
}

void PreviewView::clearResult(QSize canvasSize) {
    setDisplayedImage(QImage());
    setImageSize(canvasSize);
    heatmap_ = QImage();
    update();
}

void PreviewView::paintOverlay(QPainter& painter) {
    const QRectF target = mapFromImage(QRectF(QPointF(0, 0), QSizeF(imageSize())));
    if (heatmapVisible_ && !heatmap_.isNull() && heatmap_.size() == imageSize() &&
        !displayedImage().isNull()) {
        painter.setOpacity(heatmapOpacity_);
        painter.drawImage(target, heatmap_);
        painter.setOpacity(1.0);
    }
    if (displayedImage().isNull() && !placeholder_.isEmpty()) {
        painter.setPen(QColor(0xe6, 0xe8, 0xeb));
        QFont f = font();
        f.setPointSizeF(f.pointSizeF() * 1.1);
        painter.setFont(f);
        const QRectF box = imageSize().isEmpty() ? QRectF(rect()) : target.intersected(QRectF(rect()));
        painter.drawText(box.adjusted(12, 12, -12, -12), Qt::AlignCenter | Qt::TextWordWrap, placeholder_);
    }
    if (busy_) {
        // A small dot in the corner while a translation runs: quiet, but says the preview is catching up.
        painter.setRenderHint(QPainter::Antialiasing, true);
        painter.setPen(Qt::NoPen);
        painter.setBrush(QColor(255, 190, 40));
        painter.drawEllipse(QPointF(width() - 16, 16), 5, 5);
    }
}

}  // namespace p2p::ui
