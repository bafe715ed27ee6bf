#pragma once

// The painting surface: shows a LabelDocument and turns mouse input into tool edits. During a stroke every
// mouse move paints at once, so the document (and the live preview that follows it) changes under the pen.

#include <QImage>
#include <QPoint>

#include <opencv2/core.hpp>

#include "ui/image_viewport.h"

namespace p2p::ui {

class LabelDocument;

enum class Tool { Brush, Eraser, Rectangle, Fill, Eyedropper };

class CanvasView : public ImageViewport {
    Q_OBJECT
public:
    explicit CanvasView(QWidget* parent = nullptr);

    void setDocument(LabelDocument* document);
    LabelDocument* document() const { return document_; }

    Tool tool() const { return tool_; }
    cv::Vec3b colour() const { return colour_; }
    cv::Vec3b eraserColour() const { return eraserColour_; }
    int brushSize() const { return brushSize_; }

    static constexpr int kMinBrush = 1;
    static constexpr int kMaxBrush = 128;

    // The translated image drawn over the canvas (overlay view). Opacity in [0, 1].
    void setOverlay(const QImage& image);
    void setOverlayVisible(bool visible);
    void setOverlayOpacity(double opacity);
    bool overlayVisible() const { return overlayVisible_; }

public Q_SLOTS:
    void setTool(p2p::ui::Tool tool);
    void setColour(const cv::Vec3b& colour);
    void setEraserColour(const cv::Vec3b& colour);
    void setBrushSize(int size);

Q_SIGNALS:
    void colourPicked(const cv::Vec3b& colour);  // eyedropper
    void hoverChanged(const QPoint& pixel, bool inside);
    void brushSizeChanged(int size);

protected:
    void paintOverlay(QPainter& painter) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    QCursor idleCursor() const override;

private:
    void onImageChanged(const QRect& region);
    void onDocumentReset();
    cv::Vec3b strokeColour() const { return tool_ == Tool::Eraser ? eraserColour_ : colour_; }
    void finishStroke();

    LabelDocument* document_ = nullptr;
    Tool tool_ = Tool::Brush;
    cv::Vec3b colour_{0, 0, 0};
    cv::Vec3b eraserColour_{255, 255, 255};
    int brushSize_ = 8;

    bool stroking_ = false;
    QPoint lastPixel_;
    bool rectangleDragging_ = false;
    QPoint rectangleStart_, rectangleEnd_;
    QPointF hoverPos_;
    bool hovering_ = false;

    QImage overlay_;
    bool overlayVisible_ = false;
    double overlayOpacity_ = 0.6;
};

}  // namespace p2p::ui

Q_DECLARE_METATYPE(p2p::ui::Tool)
Q_DECLARE_METATYPE(cv::Vec3b)
