#include "ui/canvas/canvas_view.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>

#include "ui/canvas/label_document.h"
#include "ui/icons.h"
#include "ui/image_convert.h"

namespace p2p::ui {

CanvasView::CanvasView(QWidget* parent) : ImageViewport(parent) {
    setAcceptDrops(false);  // the main window takes drops for the whole canvas area
    updateCursor();
}

void CanvasView::setDocument(LabelDocument* document) {
    if (document_) disconnect(document_, nullptr, this, nullptr);
    document_ = document;
    if (document_) {
        connect(document_, &LabelDocument::imageChanged, this, &CanvasView::onImageChanged);
        connect(document_, &LabelDocument::documentReset, this, &CanvasView::onDocumentReset);
    }
    onDocumentReset();
}

void CanvasView::onDocumentReset() {
    stroking_ = false;
    rectangleDragging_ = false;
    setDisplayedImage(document_ && !document_->isEmpty() ? matToQImage(document_->image()) : QImage());
}

void CanvasView::onImageChanged(const QRect& region) {
    if (!document_ || document_->isEmpty()) return;
    QImage& shown = mutableDisplayedImage();
    if (shown.size() != document_->size()) {
        setDisplayedImage(matToQImage(document_->image()));
        return;
    }
    const QRect r = region.intersected(QRect(QPoint(0, 0), shown.size()));
    if (r.isEmpty()) return;
    copyRegionToQImage(document_->image(), cv::Rect(r.x(), r.y(), r.width(), r.height()), shown);
    update(mapFromImage(QRectF(r)).toAlignedRect().adjusted(-2, -2, 2, 2));
}

void CanvasView::setTool(Tool tool) {
    if (stroking_) finishStroke();
    rectangleDragging_ = false;
    tool_ = tool;
    updateCursor();
    update();
}

void CanvasView::setColour(const cv::Vec3b& colour) {
    colour_ = colour;
}
void CanvasView::setEraserColour(const cv::Vec3b& colour) {
    eraserColour_ = colour;
}

void CanvasView::setBrushSize(int size) {
    size = std::clamp(size, kMinBrush, kMaxBrush);
    if (size == brushSize_) return;
    brushSize_ = size;
    update();
    Q_EMIT brushSizeChanged(size);
}

void CanvasView::setOverlay(const QImage& image) {
    overlay_ = image;
    if (overlayVisible_) update();
}

void CanvasView::setOverlayVisible(bool visible) {
    overlayVisible_ = visible;
    update();
}

void CanvasView::setOverlayOpacity(double opacity) {
    overlayOpacity_ = std::clamp(opacity, 0.0, 1.0);
    update();
}

void CanvasView::paintOverlay(QPainter& painter) {
    if (overlayVisible_ && !overlay_.isNull() && overlay_.size() == imageSize()) {
        painter.setOpacity(overlayOpacity_);
        painter.drawImage(mapFromImage(QRectF(QPointF(0, 0), QSizeF(imageSize()))), overlay_);
        painter.setOpacity(1.0);
    }
    painter.setRenderHint(QPainter::Antialiasing, true);
    if (rectangleDragging_) {
        const QPointF topLeft(std::min(rectangleStart_.x(), rectangleEnd_.x()),
                              std::min(rectangleStart_.y(), rectangleEnd_.y()));
        const QPointF bottomRight(std::max(rectangleStart_.x(), rectangleEnd_.x()) + 1,
                                  std::max(rectangleStart_.y(), rectangleEnd_.y()) + 1);
        const QRectF w = mapFromImage(QRectF(topLeft, bottomRight));
        painter.setPen(QPen(Qt::white, 1));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(w);
        painter.setPen(QPen(Qt::black, 1, Qt::DashLine));
        painter.drawRect(w);
    }
    // The brush outline shows exactly how wide the next dab is.
    if (hovering_ && !panning() && !spaceHeld() && (tool_ == Tool::Brush || tool_ == Tool::Eraser)) {
        const QPoint p = pixelAt(hoverPos_);
        const double half = brushSize_ / 2.0;
        const QPointF centre = QPointF(p) + QPointF(brushSize_ % 2 ? 0.5 : 0.0, brushSize_ % 2 ? 0.5 : 0.0);
        const QRectF footprint =
            mapFromImage(QRectF(centre - QPointF(half, half), QSizeF(brushSize_, brushSize_)));
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(QColor(0, 0, 0, 200), 1.5));
        painter.drawEllipse(footprint);
        painter.setPen(QPen(QColor(255, 255, 255, 220), 1.0));
        painter.drawEllipse(footprint.adjusted(1.5, 1.5, -1.5, -1.5));
    }
}

void CanvasView::mousePressEvent(QMouseEvent* event) {
    ImageViewport::mousePressEvent(event);
    if (event->isAccepted() || event->button() != Qt::LeftButton || !document_ || document_->isEmpty())
        return;
    const QPoint pixel = pixelAt(event->position());
    const QRect bounds(QPoint(0, 0), document_->size());
    switch (tool_) {
        case Tool::Brush:
        case Tool::Eraser:
            stroking_ = true;
            lastPixel_ = pixel;
            document_->beginStroke();
            document_->strokeSegment(pixel, pixel, brushSize_, strokeColour());
            break;
        case Tool::Rectangle:
            rectangleDragging_ = true;
            rectangleStart_ = rectangleEnd_ = pixel;
            update();
            break;
        case Tool::Fill:
            if (bounds.contains(pixel)) document_->floodFill(pixel, colour_);
            break;
        case Tool::Eyedropper:
            if (bounds.contains(pixel)) Q_EMIT colourPicked(document_->colourAt(pixel));
            break;
    }
    event->accept();
}

void CanvasView::mouseMoveEvent(QMouseEvent* event) {
    hoverPos_ = event->position();
    hovering_ = true;
    ImageViewport::mouseMoveEvent(event);
    if (!event->isAccepted() && document_ && !document_->isEmpty()) {
        const QPoint pixel = pixelAt(event->position());
        if (stroking_ && pixel != lastPixel_) {
            document_->strokeSegment(lastPixel_, pixel, brushSize_, strokeColour());
            lastPixel_ = pixel;
        } else if (rectangleDragging_) {
            rectangleEnd_ = pixel;
        }
        Q_EMIT hoverChanged(pixel, QRect(QPoint(0, 0), document_->size()).contains(pixel));
    }
    update();
}

void CanvasView::mouseReleaseEvent(QMouseEvent* event) {
    ImageViewport::mouseReleaseEvent(event);
    if (event->isAccepted() || event->button() != Qt::LeftButton || !document_) return;
    const QPoint pixel = pixelAt(event->position());
    if (stroking_) {
        if (pixel != lastPixel_) document_->strokeSegment(lastPixel_, pixel, brushSize_, strokeColour());
        finishStroke();
    } else if (rectangleDragging_) {
        rectangleDragging_ = false;
        rectangleEnd_ = pixel;
        document_->fillRectangle(rectangleStart_, rectangleEnd_, colour_);
        update();
    }
    event->accept();
}

void CanvasView::finishStroke() {
    stroking_ = false;
    if (document_) document_->endStroke(tool_ == Tool::Eraser ? tr("Erase") : tr("Brush stroke"));
}

void CanvasView::leaveEvent(QEvent* event) {
    hovering_ = false;
    update();
    ImageViewport::leaveEvent(event);
}

QCursor CanvasView::idleCursor() const {
    switch (tool_) {
        case Tool::Brush:
        case Tool::Eraser:
        case Tool::Rectangle:
            return Qt::CrossCursor;
        case Tool::Fill:
            return Qt::PointingHandCursor;
        case Tool::Eyedropper:
            return Qt::WhatsThisCursor;
    }
    return Qt::ArrowCursor;
}

}  // namespace p2p::ui
