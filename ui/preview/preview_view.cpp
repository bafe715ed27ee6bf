#include "ui/preview/preview_view.h"

#include <QPainter>

#include <opencv2/core.hpp>

#include "ui/image_convert.h"

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
    if (heatmapVisible_ && !heatmap_.isNull() && !displayedImage().isNull()) paintHeatmapLegend(painter);
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

void PreviewView::paintHeatmapLegend(QPainter& painter) {
    // The colour scale, drawn with the same colour map as the heatmap itself.
    if (legend_.isNull()) {
        cv::Mat ramp(1, 128, CV_32FC1);
        for (int i = 0; i < ramp.cols; ++i) ramp.at<float>(0, i) = i / float(ramp.cols - 1);
        legend_ = probabilityMapToHeatmap(ramp);
    }
    const QFontMetrics fm(font());
    const int barWidth = 120, barHeight = 8, pad = 8;
    const QString low = tr("fake"), high = tr("real"), title = tr("D(label, output)");
    const int boxWidth = barWidth + 2 * pad;
    const int boxHeight = fm.height() * 2 + barHeight + 2 * pad;
    const QRect box(width() - boxWidth - 10, height() - boxHeight - 10, boxWidth, boxHeight);
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(20, 22, 25, 190));
    painter.drawRoundedRect(box, 6, 6);
    painter.setPen(QColor(0xe6, 0xe8, 0xeb));
    painter.drawText(QRect(box.left() + pad, box.top() + pad, barWidth, fm.height()),
                     Qt::AlignLeft | Qt::AlignVCenter, title);
    const QRect bar(box.left() + pad, box.top() + pad + fm.height() + 2, barWidth, barHeight);
    painter.drawImage(bar, legend_);
    painter.drawText(QRect(bar.left(), bar.bottom() + 2, barWidth, fm.height()),
                     Qt::AlignLeft | Qt::AlignVCenter, low);
    painter.drawText(QRect(bar.left(), bar.bottom() + 2, barWidth, fm.height()),
                     Qt::AlignRight | Qt::AlignVCenter, high);
}

}  // namespace p2p::ui
