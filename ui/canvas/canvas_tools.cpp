#include "ui/canvas/canvas_tools.h"

#include <algorithm>

#include "ui/canvas/image_ops.h"
#include "ui/canvas/label_document.h"

namespace p2p::ui {

void CanvasTools::setDocument(LabelDocument* document) {
    finish();
    document_ = document;
}

cv::Vec3b CanvasTools::colourFor(bool secondary) const {
    return settings_.tool == Tool::Eraser || secondary ? settings_.secondary : settings_.primary;
}

bool CanvasTools::outlines() const {
    return document_ && document_->kind() == CanvasKind::Edges;
}

bool CanvasTools::usesPenWidth() const {
    switch (settings_.tool) {
        case Tool::Brush:
        case Tool::Eraser:
        case Tool::Line:
            return true;
        case Tool::Rectangle:
        case Tool::Ellipse:
        case Tool::Polygon:
            return outlines();
        case Tool::Fill:
        case Tool::Eyedropper:
            return false;
    }
    return false;
}

void CanvasTools::press(QPoint pixel, bool secondary, bool shift) {
    if (!document_ || document_->isEmpty() || dragging()) return;
    pointer_ = pixel;
    const Tool tool = settings_.tool;
    switch (tool) {
        case Tool::Brush:
        case Tool::Eraser:
        case Tool::Line:
        case Tool::Rectangle:
        case Tool::Ellipse:
            colour_ = colourFor(secondary);
            dragTool_ = tool;
            start_ = last_ = end_ = pixel;
            document_->beginStroke();
            if ((tool == Tool::Brush || tool == Tool::Eraser) && !shift) {
                drag_ = Drag::Freehand;
                document_->strokeSegment(pixel, pixel, settings_.brushSize, colour_);
            } else {
                drag_ = tool == Tool::Rectangle || tool == Tool::Ellipse ? Drag::Box : Drag::Line;
                redraw(pixel, shift);
            }
            break;
        case Tool::Polygon:
            if (polygon_.empty()) {
                colour_ = colourFor(secondary);
                polygon_.push_back(pixel);
            } else if (polygon_.size() >= 3 && pixel == polygon_.front()) {
                closePolygon();
            } else if (pixel != polygon_.back()) {  // a double-click's second press adds no corner
                polygon_.push_back(pixel);
            }
            break;
        case Tool::Fill:
            if (QRect(QPoint(0, 0), document_->size()).contains(pixel))
                document_->floodFill(pixel, colourFor(secondary));
            break;
        case Tool::Eyedropper:
            break;  // the view reports the colour
    }
}

void CanvasTools::move(QPoint pixel, bool shift) {
    pointer_ = pixel;
    if (drag_ == Drag::Freehand) {
        if (pixel == last_) return;
        document_->strokeSegment(last_, pixel, settings_.brushSize, colour_);
        last_ = pixel;
    } else if (drag_ != Drag::None) {
        redraw(pixel, shift);
    }
}

void CanvasTools::release(QPoint pixel, bool shift) {
    if (!dragging()) return;
    move(pixel, shift);
    const QString text = commandText();
    drag_ = Drag::None;
    document_->endStroke(text);  // a no-op when undo already ended the stroke
}

void CanvasTools::doubleClick(QPoint pixel) {
    if (settings_.tool != Tool::Polygon || polygon_.empty()) return;
    if (pixel != polygon_.back()) polygon_.push_back(pixel);
    closePolygon();
}

void CanvasTools::redraw(QPoint end, bool shift) {
    const cv::Point a = toCvPoint(start_);
    const cv::Vec3b colour = colour_;
    const int size = settings_.brushSize;
    if (drag_ == Drag::Line) {
        // Shift at the press made a brush line; Shift while dragging a Line snaps it.
        const cv::Point b =
            dragTool_ == Tool::Line && shift ? snapTo45Degrees(a, toCvPoint(end)) : toCvPoint(end);
        end_ = QPoint(b.x, b.y);
        document_->redrawStroke([=](cv::Mat& m) { return drawStroke(m, a, b, size, colour); });
    } else {
        const cv::Point b = shift ? squareCorner(a, toCvPoint(end)) : toCvPoint(end);
        end_ = QPoint(b.x, b.y);
        const BoxShape shape = dragTool_ == Tool::Ellipse ? BoxShape::Ellipse : BoxShape::Rectangle;
        const int outline = outlines() ? size : 0;
        document_->redrawStroke([=](cv::Mat& m) { return drawBoxShape(m, a, b, shape, outline, colour); });
    }
}

QString CanvasTools::commandText() const {
    switch (dragTool_) {
        case Tool::Eraser:
            return drag_ == Drag::Line ? tr("Erase line") : tr("Erase");
        case Tool::Brush:
            return drag_ == Drag::Line ? tr("Brush line") : tr("Brush stroke");
        case Tool::Line:
            return tr("Line");
        case Tool::Rectangle:
            return tr("Rectangle");
        case Tool::Ellipse:
            return tr("Ellipse");
        default:
            return tr("Paint");
    }
}

QRect CanvasTools::dragBox() const {
    if (drag_ != Drag::Box) return {};
    return QRect(QPoint(std::min(start_.x(), end_.x()), std::min(start_.y(), end_.y())),
                 QPoint(std::max(start_.x(), end_.x()), std::max(start_.y(), end_.y())));
}

bool CanvasTools::closePolygon() {
    if (polygon_.empty()) return false;
    std::vector<cv::Point> points;
    for (const QPoint& p : polygon_) points.push_back(toCvPoint(p));
    polygon_.clear();
    if (!document_ || document_->isEmpty()) return true;
    const cv::Vec3b colour = colour_;
    const int size = settings_.brushSize;
    if (outlines())
        document_->paint(tr("Polygon"),
                         [&](cv::Mat& m) { return strokePolygon(m, points, size, colour, /*closed=*/true); });
    else
        document_->paint(tr("Polygon"), [&](cv::Mat& m) { return fillPolygon(m, points, colour); });
    return true;
}

bool CanvasTools::removeLastPoint() {
    if (polygon_.empty()) return false;
    polygon_.pop_back();
    return true;
}

bool CanvasTools::cancel() {
    if (dragging()) {
        drag_ = Drag::None;
        if (document_) document_->cancelStroke();
        return true;
    }
    if (polygon_.empty()) return false;
    polygon_.clear();
    return true;
}

void CanvasTools::finish() {
    if (dragging()) {
        const QString text = commandText();
        drag_ = Drag::None;
        if (document_) document_->endStroke(text);
    }
    polygon_.clear();
}

}  // namespace p2p::ui
