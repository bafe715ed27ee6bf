#include "ui/image_viewport.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace p2p::ui {

namespace {
constexpr double kZoomStep = 1.25;
constexpr int kFitMargin = 12;
}  // namespace

const QColor ImageViewport::kBackdrop(0x3b, 0x3e, 0x43);

ImageViewport::ImageViewport(QWidget* parent) : QWidget(parent) {
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMinimumSize(160, 160);
}

QPointF ImageViewport::mapToImage(const QPointF& widgetPos) const {
    return (widgetPos - offset_) / zoom_;
}

QPoint ImageViewport::pixelAt(const QPointF& widgetPos) const {
    const QPointF p = mapToImage(widgetPos);
    return {static_cast<int>(std::floor(p.x())), static_cast<int>(std::floor(p.y()))};
}

QRectF ImageViewport::mapFromImage(const QRectF& imageRect) const {
    return {offset_ + imageRect.topLeft() * zoom_, imageRect.size() * zoom_};
}

void ImageViewport::setImageSize(QSize size) {
    if (size == imageSize_) return;
    imageSize_ = size;
    fit_ = true;
    applyFit();
    update();
}

void ImageViewport::setDisplayedImage(const QImage& image) {
    image_ = image;
    setImageSize(image.size());
    update();
}

void ImageViewport::applyFit() {
    if (!fit_ || imageSize_.isEmpty()) return;
    const double zx = double(std::max(1, width() - 2 * kFitMargin)) / imageSize_.width();
    const double zy = double(std::max(1, height() - 2 * kFitMargin)) / imageSize_.height();
    double z = std::min(zx, zy);
    // From 2x up, whole steps keep every image pixel the same number of screen pixels; below that the
    // view would be half empty, and uneven 1-2 pixel columns are the lesser evil.
    if (z >= 2.0) z = std::floor(z);
    zoom_ = std::clamp(z, kMinZoom, kMaxZoom);
    offset_ =
        QPointF((width() - imageSize_.width() * zoom_) / 2.0, (height() - imageSize_.height() * zoom_) / 2.0);
    offset_ = QPointF(std::round(offset_.x()), std::round(offset_.y()));
}

void ImageViewport::announce() {
    update();
    Q_EMIT viewChanged(zoom_, offset_, fit_);
}

void ImageViewport::zoomAbout(double factor, const QPointF& widgetPos) {
    if (imageSize_.isEmpty()) return;
    const double z = std::clamp(zoom_ * factor, kMinZoom, kMaxZoom);
    const QPointF anchor = mapToImage(widgetPos);
    zoom_ = z;
    offset_ = widgetPos - anchor * zoom_;
    fit_ = false;
    announce();
}

void ImageViewport::zoomIn() {
    zoomAbout(kZoomStep, rect().center());
}
void ImageViewport::zoomOut() {
    zoomAbout(1.0 / kZoomStep, rect().center());
}

void ImageViewport::zoomToFit() {
    fit_ = true;
    applyFit();
    announce();
}

void ImageViewport::zoomActualSize() {
    zoomAbout(1.0 / zoom_, rect().center());
}

void ImageViewport::setView(double zoom, const QPointF& offset, bool fit) {
    if (fit) {
        fit_ = true;
        applyFit();
    } else {
        fit_ = false;
        zoom_ = zoom;
        offset_ = offset;
    }
    update();
}

void ImageViewport::paintOverlay(QPainter&) {}

void ImageViewport::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), kBackdrop);
    if (!imageSize_.isEmpty()) {
        const QRectF target = mapFromImage(QRectF(QPointF(0, 0), QSizeF(imageSize_)));
        painter.fillRect(target.adjusted(2, 2, 4, 4), QColor(0, 0, 0, 60));  // a soft drop shadow
        painter.fillRect(target, QColor(0x5a, 0x5e, 0x64));
        if (!image_.isNull()) {
            painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
            painter.drawImage(target, image_);
        }
    }
    paintOverlay(painter);
}

void ImageViewport::resizeEvent(QResizeEvent*) {
    if (fit_) {
        applyFit();
        Q_EMIT viewChanged(zoom_, offset_, fit_);
    }
}

void ImageViewport::wheelEvent(QWheelEvent* event) {
    const QPoint angle = event->angleDelta();
    if (event->modifiers() & Qt::ControlModifier) {
        if (angle.y() != 0) zoomAbout(std::pow(kZoomStep, angle.y() / 120.0), event->position());
    } else {
        QPointF delta =
            event->pixelDelta().isNull() ? QPointF(angle) / 120.0 * 40.0 : QPointF(event->pixelDelta());
        if (event->modifiers() & Qt::ShiftModifier) delta = QPointF(delta.y(), delta.x());
        offset_ += delta;
        fit_ = false;
        announce();
    }
    event->accept();
}

void ImageViewport::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::MiddleButton || (event->button() == Qt::LeftButton && spaceHeld_)) {
        panning_ = true;
        panStart_ = event->position();
        panOffsetStart_ = offset_;
        updateCursor();
        event->accept();
        return;
    }
    event->ignore();
}

void ImageViewport::mouseMoveEvent(QMouseEvent* event) {
    if (panning_) {
        offset_ = panOffsetStart_ + (event->position() - panStart_);
        fit_ = false;
        announce();
        event->accept();
        return;
    }
    event->ignore();
}

void ImageViewport::mouseReleaseEvent(QMouseEvent* event) {
    if (panning_ && (event->button() == Qt::MiddleButton || event->button() == Qt::LeftButton)) {
        panning_ = false;
        updateCursor();
        event->accept();
        return;
    }
    event->ignore();
}

void ImageViewport::keyPressEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        spaceHeld_ = true;
        updateCursor();
        return;
    }
    QWidget::keyPressEvent(event);
}

void ImageViewport::keyReleaseEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        spaceHeld_ = false;
        updateCursor();
        return;
    }
    QWidget::keyReleaseEvent(event);
}

void ImageViewport::focusOutEvent(QFocusEvent* event) {
    spaceHeld_ = false;
    updateCursor();
    QWidget::focusOutEvent(event);
}

QCursor ImageViewport::idleCursor() const {
    return Qt::ArrowCursor;
}

void ImageViewport::updateCursor() {
    if (panning_)
        setCursor(Qt::ClosedHandCursor);
    else if (spaceHeld_)
        setCursor(Qt::OpenHandCursor);
    else
        setCursor(idleCursor());
}

}  // namespace p2p::ui
