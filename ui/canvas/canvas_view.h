#pragma once

// The painting surface: shows a LabelDocument and turns mouse and key input into tool edits (CanvasTools).
// During a stroke or a shape drag the document changes at every mouse move, so the canvas (and the live
// preview that follows it) shows the edit under the pointer. The left button paints the primary colour, the
// right button the secondary one; the eraser always paints the secondary colour.

#include <QImage>
#include <QPoint>

#include <opencv2/core.hpp>

#include "ui/canvas/canvas_tools.h"
#include "ui/image_viewport.h"

namespace p2p::ui {

class LabelDocument;

class CanvasView : public ImageViewport {
    Q_OBJECT
public:
    explicit CanvasView(QWidget* parent = nullptr);

    void setDocument(LabelDocument* document);
    LabelDocument* document() const { return document_; }

    Tool tool() const { return settings_.tool; }
    cv::Vec3b colour() const { return settings_.primary; }
    cv::Vec3b secondaryColour() const { return settings_.secondary; }
    cv::Vec3b eraserColour() const { return settings_.secondary; }  // the eraser paints the secondary colour
    int brushSize() const { return settings_.brushSize; }
    // The corners of the polygon being clicked (empty when none is open).
    const std::vector<QPoint>& polygonPoints() const { return tools_.polygon(); }

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
    void setSecondaryColour(const cv::Vec3b& colour);
    void setEraserColour(const cv::Vec3b& colour) { setSecondaryColour(colour); }  // the old name
    void swapColours();  // primary <-> secondary (X in paint programs)
    void setBrushSize(int size);
    void stepBrushSize(int direction);  // `]` (+1) and `[` (-1): nextBrushSize's table

Q_SIGNALS:
    void colourPicked(const cv::Vec3b& colour);           // eyedropper, left button
    void secondaryColourPicked(const cv::Vec3b& colour);  // eyedropper, right button
    void coloursChanged(const cv::Vec3b& primary, const cv::Vec3b& secondary);
    void hoverChanged(const QPoint& pixel, bool inside);  // also after an edit under a still pointer
    void brushSizeChanged(int size);

protected:
    void paintOverlay(QPainter& painter) override;
    bool event(QEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    void leaveEvent(QEvent* event) override;
    QCursor idleCursor() const override;

private:
    void onImageChanged(const QRect& region);
    void onDocumentReset();
    bool paints() const;  // a document with pixels
    void paintBrushOutline(QPainter& painter);
    void paintPolygon(QPainter& painter);
    bool handlesKey(int key) const;

    LabelDocument* document_ = nullptr;
    ToolSettings settings_;
    CanvasTools tools_{settings_};
    Qt::MouseButton dragButton_ = Qt::NoButton;  // the button that started the drag in progress

    QPointF hoverPos_;
    bool hovering_ = false;

    QImage overlay_;
    bool overlayVisible_ = false;
    double overlayOpacity_ = 0.6;
};

}  // namespace p2p::ui

Q_DECLARE_METATYPE(p2p::ui::Tool)
Q_DECLARE_METATYPE(cv::Vec3b)
