#include "ui/preview/preview_view.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>
#include <cmath>

#include <opencv2/core.hpp>

#include "ui/image_convert.h"
#include "ui/preview/compare_split.h"

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
    compareSource_ = QImage();
    update();
}

void PreviewView::setCompareEnabled(bool enabled) {
    if (compare_ == enabled) return;
    compare_ = enabled;
    draggingDivider_ = false;
    updateCursor();
    update();
}

void PreviewView::setCompareSource(const QImage& canvas) {
    compareSource_ = canvas;
    if (compare_) update();
}

void PreviewView::setCompareFraction(double fraction) {
    const double f = std::isfinite(fraction) ? std::clamp(fraction, 0.0, 1.0) : 0.5;
    if (f == compareFraction_) return;
    compareFraction_ = f;
    if (compare_) update();
    Q_EMIT compareFractionChanged(f);
}

void PreviewView::mousePressEvent(QMouseEvent* event) {
    if (compare_ && event->button() == Qt::LeftButton && !spaceHeld() && !imageSize().isEmpty()) {
        // Anywhere on the image: the divider jumps there and follows the drag.
        draggingDivider_ = true;
        setCompareFraction(compareFractionAt(mapFromImage(QRectF(QPointF(0, 0), QSizeF(imageSize()))),
                                             event->position().x()));
        event->accept();
        return;
    }
    ImageViewport::mousePressEvent(event);
}

void PreviewView::mouseMoveEvent(QMouseEvent* event) {
    if (draggingDivider_) {
        setCompareFraction(compareFractionAt(mapFromImage(QRectF(QPointF(0, 0), QSizeF(imageSize()))),
                                             event->position().x()));
        event->accept();
        return;
    }
    ImageViewport::mouseMoveEvent(event);
}

void PreviewView::mouseReleaseEvent(QMouseEvent* event) {
    if (draggingDivider_ && event->button() == Qt::LeftButton) {
        draggingDivider_ = false;
        event->accept();
        return;
    }
    ImageViewport::mouseReleaseEvent(event);
}

QCursor PreviewView::idleCursor() const {
    return compare_ ? QCursor(Qt::SplitHCursor) : ImageViewport::idleCursor();
}

void PreviewView::paintOverlay(QPainter& painter) {
    const QRectF target = mapFromImage(QRectF(QPointF(0, 0), QSizeF(imageSize())));
    if (heatmapVisible_ && !heatmap_.isNull() && heatmap_.size() == imageSize() &&
        !displayedImage().isNull()) {
        painter.setOpacity(heatmapOpacity_);
        painter.drawImage(target, heatmap_);
        painter.setOpacity(1.0);
    }
    if (compare_ && !displayedImage().isNull()) paintCompare(painter);
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

void PreviewView::paintCompare(QPainter& painter) {
    const QRectF image = mapFromImage(QRectF(QPointF(0, 0), QSizeF(imageSize())));
    const CompareSplit split = compareSplit(image, compareFraction_, QRectF(rect()), imageSize().width());
    painter.save();
    if (compareSource_.size() == imageSize() && !split.before.isEmpty()) {
        painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
        painter.drawImage(split.before, compareSource_, split.beforeSource);
    }
    // The divider: a light line with a dark edge, readable on labels and photos alike, and its grip.
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.setPen(QPen(QColor(0, 0, 0, 120), 3));
    painter.drawLine(QPointF(split.dividerX, image.top()), QPointF(split.dividerX, image.bottom()));
    painter.setPen(QPen(QColor(0xf4, 0xf5, 0xf7), 1.5));
    painter.drawLine(QPointF(split.dividerX, image.top()), QPointF(split.dividerX, image.bottom()));
    painter.setBrush(QColor(0xf4, 0xf5, 0xf7));
    painter.setPen(QPen(QColor(0, 0, 0, 140), 1));
    painter.drawRoundedRect(split.handle, 5, 5);
    painter.setPen(QPen(QColor(0x55, 0x58, 0x5e), 1.2));
    for (double dx : {-2.5, 2.5})
        painter.drawLine(QPointF(split.handle.center().x() + dx, split.handle.top() + 12),
                         QPointF(split.handle.center().x() + dx, split.handle.bottom() - 12));
    // Which side is which, in the top corners of the visible image.
    const QRectF shown = image.intersected(QRectF(rect()));
    const QFontMetrics fm(font());
    auto tag = [&](const QString& text, bool left) {
        const QSizeF size(fm.horizontalAdvance(text) + 12, fm.height() + 4);
        const QRectF box(left ? shown.left() + 6 : shown.right() - 6 - size.width(), shown.top() + 6,
                         size.width(), size.height());
        if (left ? box.right() > split.dividerX - 4 : box.left() < split.dividerX + 4) return;
        painter.setPen(Qt::NoPen);
        painter.setBrush(QColor(20, 22, 25, 170));
        painter.drawRoundedRect(box, 4, 4);
        painter.setPen(QColor(0xe6, 0xe8, 0xeb));
        painter.drawText(box, Qt::AlignCenter, text);
    };
    tag(tr("canvas"), true);
    tag(tr("photo"), false);
    painter.restore();
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
