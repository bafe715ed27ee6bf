#pragma once

// What the painting tools do, in image pixels: brush strokes (Shift: a straight line from the press point),
// lines, rectangles and ellipses dragged out live, polygons built click by click, and flood fill. The rule
// per canvas kind lives here: on a label map shapes are filled with the class colour, on a sketch they are
// outlines at the pen width. Every edit ends as one undo step of the LabelDocument. CanvasView turns mouse
// and key events into these calls and draws the previews this class describes.

#include <QCoreApplication>
#include <QPoint>
#include <QRect>
#include <QString>

#include <vector>

#include <opencv2/core.hpp>

namespace p2p::ui {

class LabelDocument;

enum class Tool { Brush, Eraser, Line, Rectangle, Ellipse, Polygon, Fill, Eyedropper };

// The painting state the view owns and the tools read. The eraser and the right button paint the secondary
// colour (a paint program's background colour).
struct ToolSettings {
    Tool tool = Tool::Brush;
    cv::Vec3b primary{0, 0, 0};
    cv::Vec3b secondary{255, 255, 255};
    int brushSize = 8;
};

class CanvasTools {
    Q_DECLARE_TR_FUNCTIONS(p2p::ui::CanvasTools)
public:
    explicit CanvasTools(const ToolSettings& settings) : settings_(settings) {}

    void setDocument(LabelDocument* document);

    // Pointer input. `secondary`: the right button, which paints the secondary colour (the eraser always
    // does). `shift` at the press: brush and eraser draw a straight line from the press point; while
    // dragging: rectangles and ellipses become squares and circles, lines snap to 45 degrees.
    void press(QPoint pixel, bool secondary, bool shift);
    void move(QPoint pixel, bool shift);
    void release(QPoint pixel, bool shift);
    void doubleClick(QPoint pixel);

    bool closePolygon();     // Enter, a double-click, or a click on the first point; false if none is open
    bool removeLastPoint();  // Backspace
    bool cancel();           // Escape: puts back a drag or drops the open polygon; false when idle
    // Ends whatever is in progress (tool change, new content): a drag is kept, an open polygon dropped.
    void finish();

    bool dragging() const { return drag_ != Drag::None; }
    bool busy() const { return dragging() || !polygon_.empty(); }
    // For the view's previews: the open polygon's points, the pointer (its rubber band's end), and the box
    // of a rectangle or ellipse drag (both corners included; null otherwise).
    const std::vector<QPoint>& polygon() const { return polygon_; }
    QPoint pointer() const { return pointer_; }
    QRect dragBox() const;
    // Whether the tool paints at the pen width on this canvas (then the view shows the brush outline).
    bool usesPenWidth() const;

private:
    enum class Drag { None, Freehand, Line, Box };
    cv::Vec3b colourFor(bool secondary) const;
    bool outlines() const;  // a sketch canvas
    void redraw(QPoint end, bool shift);
    QString commandText() const;

    const ToolSettings& settings_;
    LabelDocument* document_ = nullptr;
    Drag drag_ = Drag::None;
    Tool dragTool_ = Tool::Brush;
    cv::Vec3b colour_;  // of the drag or polygon in progress, fixed at its first press
    QPoint start_, last_, end_, pointer_;
    std::vector<QPoint> polygon_;
};

}  // namespace p2p::ui
