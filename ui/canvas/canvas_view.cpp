#include "ui/canvas/canvas_view.h"

#include <QContextMenuEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>

#include <algorithm>
#include <functional>

#include "ui/canvas/image_ops.h"
#include "ui/canvas/label_document.h"
#include "ui/image_convert.h"

namespace p2p::ui {

CanvasView::CanvasView(QWidget* parent) : ImageViewport(parent) {
    setAcceptDrops(false);  // the main window takes drops for the whole canvas area
    updateCursor();
}

void CanvasView::setDocument(LabelDocument* document) {
    if (document_) disconnect(document_, nullptr, this, nullptr);
    tools_.setDocument(document);
    document_ = document;
    if (document_) {
        connect(document_, &LabelDocument::imageChanged, this, &CanvasView::onImageChanged);
        connect(document_, &LabelDocument::documentReset, this, &CanvasView::onDocumentReset);
    }
    onDocumentReset();
}

bool CanvasView::paints() const {
    return document_ && !document_->isEmpty();
}

void CanvasView::onDocumentReset() {
    tools_.finish();
    dragButton_ = Qt::NoButton;
    setDisplayedImage(paints() ? matToQImage(document_->image()) : QImage());
}

void CanvasView::onImageChanged(const QRect& region) {
    if (!paints()) return;
    QImage& shown = mutableDisplayedImage();
    if (shown.size() != document_->size()) {
        setDisplayedImage(matToQImage(document_->image()));
        return;
    }
    const QRect r = region.intersected(QRect(QPoint(0, 0), shown.size()));
    if (r.isEmpty()) return;
    copyRegionToQImage(document_->image(), cv::Rect(r.x(), r.y(), r.width(), r.height()), shown);
    update(mapFromImage(QRectF(r)).toAlignedRect().adjusted(-2, -2, 2, 2));
    // What is under a still pointer changed (a fill, an undo): say so without waiting for a mouse move.
    const QPoint under = pixelAt(hoverPos_);
    if (hovering_ && r.contains(under)) Q_EMIT hoverChanged(under, true);
}

void CanvasView::setTool(Tool tool) {
    tools_.finish();
    dragButton_ = Qt::NoButton;
    settings_.tool = tool;
    updateCursor();
    update();
}

void CanvasView::setColour(const cv::Vec3b& colour) {
    if (colour == settings_.primary) return;
    settings_.primary = colour;
    Q_EMIT coloursChanged(settings_.primary, settings_.secondary);
}

void CanvasView::setSecondaryColour(const cv::Vec3b& colour) {
    if (colour == settings_.secondary) return;
    settings_.secondary = colour;
    Q_EMIT coloursChanged(settings_.primary, settings_.secondary);
}

void CanvasView::swapColours() {
    if (settings_.primary == settings_.secondary) return;
    std::swap(settings_.primary, settings_.secondary);
    Q_EMIT coloursChanged(settings_.primary, settings_.secondary);
}

void CanvasView::setBrushSize(int size) {
    size = std::clamp(size, kMinBrush, kMaxBrush);
    if (size == settings_.brushSize) return;
    settings_.brushSize = size;
    update();
    Q_EMIT brushSizeChanged(size);
}

void CanvasView::stepBrushSize(int direction) {
    setBrushSize(nextBrushSize(settings_.brushSize, direction));
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

namespace {

// A preview line readable on any colour: white under a black dash.
void drawDashed(QPainter& painter, const std::function<void(QPainter&)>& shape) {
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(Qt::white, 1));
    shape(painter);
    painter.setPen(QPen(Qt::black, 1, Qt::DashLine));
    shape(painter);
}

}  // namespace

void CanvasView::paintOverlay(QPainter& painter) {
    if (overlayVisible_ && !overlay_.isNull() && overlay_.size() == imageSize()) {
        painter.setOpacity(overlayOpacity_);
        painter.drawImage(mapFromImage(QRectF(QPointF(0, 0), QSizeF(imageSize()))), overlay_);
        painter.setOpacity(1.0);
    }
    painter.setRenderHint(QPainter::Antialiasing, true);
    // The box of a rectangle or ellipse drag (the shape itself is on the canvas already).
    if (const QRect box = tools_.dragBox(); !box.isNull()) {
        const QRectF w = mapFromImage(QRectF(box.topLeft(), QSizeF(box.width(), box.height())));
        drawDashed(painter, [&](QPainter& p) { p.drawRect(w); });
    }
    paintPolygon(painter);
    if (hovering_ && !panning() && !spaceHeld() && tools_.usesPenWidth()) paintBrushOutline(painter);
}

void CanvasView::paintPolygon(QPainter& painter) {
    const std::vector<QPoint>& points = tools_.polygon();
    if (points.empty()) return;
    auto centre = [this](QPoint p) { return mapFromImage(QRectF(p, QSizeF(1, 1))).center(); };
    QPolygonF open;
    for (const QPoint& p : points) open << centre(p);
    open << centre(tools_.pointer());
    drawDashed(painter, [&](QPainter& p) { p.drawPolyline(open); });
    if (points.size() >= 2) {  // where Enter would close it
        painter.setPen(QPen(QColor(255, 255, 255, 150), 1));
        painter.drawLine(open.back(), open.front());
        painter.setPen(QPen(QColor(0, 0, 0, 150), 1, Qt::DotLine));
        painter.drawLine(open.back(), open.front());
    }
    // Corners as small squares; the first one larger, since clicking it closes the polygon.
    painter.setPen(QPen(Qt::black, 1));
    painter.setBrush(Qt::white);
    for (std::size_t i = 0; i < points.size(); ++i) {
        const double r = i == 0 ? 4.0 : 2.5;
        painter.drawRect(QRectF(open[int(i)] - QPointF(r, r), QSizeF(2 * r, 2 * r)));
    }
}

void CanvasView::paintBrushOutline(QPainter& painter) {
    // Exactly how wide the next dab is.
    const int size = settings_.brushSize;
    const QPoint p = pixelAt(hoverPos_);
    const double half = size / 2.0;
    const QPointF centre = QPointF(p) + QPointF(size % 2 ? 0.5 : 0.0, size % 2 ? 0.5 : 0.0);
    const QRectF footprint = mapFromImage(QRectF(centre - QPointF(half, half), QSizeF(size, size)));
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(QColor(0, 0, 0, 200), 1.5));
    painter.drawEllipse(footprint);
    painter.setPen(QPen(QColor(255, 255, 255, 220), 1.0));
    painter.drawEllipse(footprint.adjusted(1.5, 1.5, -1.5, -1.5));
}

void CanvasView::mousePressEvent(QMouseEvent* event) {
    ImageViewport::mousePressEvent(event);
    const Qt::MouseButton button = event->button();
    if (event->isAccepted() || (button != Qt::LeftButton && button != Qt::RightButton) || !paints()) return;
    event->accept();
    if (tools_.dragging()) return;  // another button during a drag does nothing
    hoverPos_ = event->position();
    hovering_ = true;
    const QPoint pixel = pixelAt(event->position());
    const bool secondary = button == Qt::RightButton;
    if (settings_.tool == Tool::Eyedropper) {
        if (!QRect(QPoint(0, 0), document_->size()).contains(pixel)) return;
        const cv::Vec3b picked = document_->colourAt(pixel);
        if (secondary)
            Q_EMIT secondaryColourPicked(picked);
        else
            Q_EMIT colourPicked(picked);
        return;
    }
    tools_.press(pixel, secondary, event->modifiers() & Qt::ShiftModifier);
    if (tools_.dragging()) dragButton_ = button;
    update();
}

void CanvasView::mouseMoveEvent(QMouseEvent* event) {
    hoverPos_ = event->position();
    hovering_ = true;
    ImageViewport::mouseMoveEvent(event);
    if (!event->isAccepted() && paints()) {
        const QPoint pixel = pixelAt(event->position());
        tools_.move(pixel, event->modifiers() & Qt::ShiftModifier);
        Q_EMIT hoverChanged(pixel, QRect(QPoint(0, 0), document_->size()).contains(pixel));
    }
    update();
}

void CanvasView::mouseReleaseEvent(QMouseEvent* event) {
    ImageViewport::mouseReleaseEvent(event);
    const Qt::MouseButton button = event->button();
    if (event->isAccepted() || (button != Qt::LeftButton && button != Qt::RightButton)) return;
    event->accept();
    if (button != dragButton_) return;  // a click that started nothing (polygon corner, fill, pick)
    dragButton_ = Qt::NoButton;
    tools_.release(pixelAt(event->position()), event->modifiers() & Qt::ShiftModifier);
    update();
}

void CanvasView::mouseDoubleClickEvent(QMouseEvent* event) {
    // A double-click closes a polygon; for every other tool it is one more press.
    if (settings_.tool == Tool::Polygon && !tools_.polygon().empty() && paints()) {
        tools_.doubleClick(pixelAt(event->position()));
        update();
        event->accept();
        return;
    }
    ImageViewport::mouseDoubleClickEvent(event);
}

bool CanvasView::handlesKey(int key) const {
    switch (key) {
        case Qt::Key_Escape:
            return tools_.busy();
        case Qt::Key_Return:
        case Qt::Key_Enter:
        case Qt::Key_Backspace:
            return !tools_.polygon().empty();
        default:
            return false;
    }
}

bool CanvasView::event(QEvent* event) {
    // While a polygon is open (or a drag is on) its keys belong to the canvas, not to window shortcuts.
    if (event->type() == QEvent::ShortcutOverride && handlesKey(static_cast<QKeyEvent*>(event)->key())) {
        event->accept();
        return true;
    }
    return ImageViewport::event(event);
}

void CanvasView::keyPressEvent(QKeyEvent* event) {
    if (!handlesKey(event->key())) {
        ImageViewport::keyPressEvent(event);
        return;
    }
    switch (event->key()) {
        case Qt::Key_Escape:
            tools_.cancel();
            dragButton_ = Qt::NoButton;
            break;
        case Qt::Key_Backspace:
            tools_.removeLastPoint();
            break;
        default:
            tools_.closePolygon();
            break;
    }
    update();
    event->accept();
}

void CanvasView::contextMenuEvent(QContextMenuEvent* event) {
    event->accept();  // the right button paints; no menu should open over the canvas
}

void CanvasView::leaveEvent(QEvent* event) {
    hovering_ = false;
    update();
    ImageViewport::leaveEvent(event);
}

QCursor CanvasView::idleCursor() const {
    switch (settings_.tool) {
        case Tool::Fill:
            return Qt::PointingHandCursor;
        case Tool::Eyedropper:
            return Qt::WhatsThisCursor;
        default:
            return Qt::CrossCursor;
    }
}

}  // namespace p2p::ui
