// The canvas driven with QTest mouse events: strokes, lines, rectangles, ellipses, polygons and flood fills
// change exactly the expected pixels (filled on a label map, outlines at the pen width on a sketch); a label
// map stays one class colour per pixel; the right button and the eraser paint the secondary colour; undo
// restores the image byte for byte and redo reapplies it; the undo history is bounded by memory.

#include <QtTest/QtTest>

#include <set>
#include <tuple>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "ui/canvas/canvas_view.h"
#include "ui/canvas/command_history.h"
#include "ui/canvas/image_ops.h"
#include "ui/canvas/label_document.h"
#include "tests/support/image_checks.h"

using namespace p2p::ui;

using p2p::test::everyPixelIsAClass;
using p2p::test::identical;

namespace {

// Two label colours (BGR) standing in for "facade" and "window"; the canvas does not care which classes.
const cv::Vec3b kFacade(255, 85, 0);
const cv::Vec3b kWindow(255, 170, 0);
const cv::Vec3b kOther(0, 0, 170);
const cv::Vec3b kDoor(0, 170, 255);
const cv::Vec3b kSky(170, 255, 85);
const cv::Vec3b kInk(0, 0, 0);
const cv::Vec3b kPaper(255, 255, 255);

cv::Scalar scalar(const cv::Vec3b& c) {
    return cv::Scalar(c[0], c[1], c[2]);
}

std::set<std::tuple<int, int, int>> distinctColours(const cv::Mat& m) {
    std::set<std::tuple<int, int, int>> s;
    for (int y = 0; y < m.rows; ++y)
        for (int x = 0; x < m.cols; ++x) {
            const auto v = m.at<cv::Vec3b>(y, x);
            s.insert({v[0], v[1], v[2]});
        }
    return s;
}

std::tuple<int, int, int> key(const cv::Vec3b& c) {
    return {c[0], c[1], c[2]};
}

cv::Point cvp(QPoint p) {
    return {p.x(), p.y()};
}

// What each label-canvas test row does (see labelCanvasStaysOneClassPerPixel).
enum class Action {
    Brush,
    ShiftBrush,
    RightBrush,
    Eraser,
    Line,
    Rectangle,
    Ellipse,
    Polygon,
    Fill,
    RightFill
};

}  // namespace

Q_DECLARE_METATYPE(Action)

class TestCanvas : public QObject {
    Q_OBJECT

    LabelDocument* doc_ = nullptr;
    CanvasView* view_ = nullptr;

    QPoint at(int x, int y) const {
        // The widget position of the centre of image pixel (x, y).
        return view_->mapFromImage(QRectF(x, y, 1, 1)).center().toPoint();
    }
    QPoint at(QPoint p) const { return at(p.x(), p.y()); }

    // Press at `from`, move in `steps` through to `to` (with the modifiers held throughout), release.
    void drag(QPoint from, QPoint to, Qt::MouseButton button = Qt::LeftButton,
              Qt::KeyboardModifiers modifiers = {}, int steps = 4) {
        QTest::mousePress(view_, button, modifiers, at(from));
        for (int i = 1; i <= steps; ++i)
            QTest::mouseEvent(QTest::MouseMove, view_, button, modifiers, at(from + (to - from) * i / steps));
        QTest::mouseRelease(view_, button, modifiers, at(to));
    }
    void click(QPoint p, Qt::MouseButton button = Qt::LeftButton) {
        QTest::mouseClick(view_, button, {}, at(p));
    }

    // A sketch canvas: white paper, black ink, a thin pen.
    void makeSketch(int pen) {
        doc_->reset(cv::Mat(48, 64, CV_8UC3, scalar(kPaper)), CanvasKind::Edges);
        view_->setColour(kInk);
        view_->setSecondaryColour(kPaper);
        view_->setBrushSize(pen);
    }
    // A label map with a few classes: facade, a window and a strip of another class.
    cv::Mat makeLabels() {
        cv::Mat start(48, 64, CV_8UC3, scalar(kFacade));
        start(cv::Rect(8, 8, 14, 10)).setTo(scalar(kWindow));
        start(cv::Rect(0, 40, 64, 8)).setTo(scalar(kOther));
        doc_->reset(start, CanvasKind::FacadeLabels);
        return start;
    }

private Q_SLOTS:
    void init() {
        doc_ = new LabelDocument;
        doc_->reset(cv::Mat(48, 64, CV_8UC3, cv::Scalar(kFacade[0], kFacade[1], kFacade[2])),
                    CanvasKind::FacadeLabels);
        view_ = new CanvasView;
        view_->resize(400, 320);
        view_->setDocument(doc_);
        view_->show();
        QVERIFY(QTest::qWaitForWindowExposed(view_));
        QVERIFY(view_->zoom() >= 2.0);  // fit: several screen pixels per image pixel
    }
    void cleanup() {
        delete view_;
        delete doc_;
    }

    void strokePaintsExactlyTheDiscs_data() {
        QTest::addColumn<int>("size");
        QTest::addColumn<QPoint>("from");
        QTest::addColumn<QPoint>("to");
        QTest::newRow("size 1, horizontal") << 1 << QPoint(10, 20) << QPoint(40, 20);
        QTest::newRow("size 5, horizontal") << 5 << QPoint(10, 20) << QPoint(40, 20);
        QTest::newRow("size 9, vertical") << 9 << QPoint(30, 5) << QPoint(30, 40);
        QTest::newRow("size 3, a click") << 3 << QPoint(12, 12) << QPoint(12, 12);
    }
    void strokePaintsExactlyTheDiscs() {
        QFETCH(int, size);
        QFETCH(QPoint, from);
        QFETCH(QPoint, to);
        view_->setTool(Tool::Brush);
        view_->setColour(kWindow);
        view_->setBrushSize(size);
        const cv::Mat before = doc_->image().clone();
        QSignalSpy changes(doc_, &LabelDocument::imageChanged);

        QTest::mousePress(view_, Qt::LeftButton, {}, at(from.x(), from.y()));
        const int steps = 6;
        for (int i = 1; i <= steps; ++i) {
            const QPoint p = from + (to - from) * i / steps;
            QTest::mouseMove(view_, at(p.x(), p.y()));
        }
        // The document follows the pen before the button is released (the live preview depends on it).
        if (from != to) QVERIFY(changes.count() >= 2);
        QCOMPARE(doc_->image().at<cv::Vec3b>(to.y(), to.x()), kWindow);
        QTest::mouseRelease(view_, Qt::LeftButton, {}, at(to.x(), to.y()));

        // Expected: every pixel within size/2 of the segment (axis-aligned here, so every pixel between the
        // ends is a line point) is the window colour, and nothing else changed.
        const double r2 = (size / 2.0) * (size / 2.0);
        const cv::Mat after = doc_->image().clone();
        for (int y = 0; y < after.rows; ++y)
            for (int x = 0; x < after.cols; ++x) {
                const int cx = std::clamp(x, std::min(from.x(), to.x()), std::max(from.x(), to.x()));
                const int cy = std::clamp(y, std::min(from.y(), to.y()), std::max(from.y(), to.y()));
                const double d2 = double(x - cx) * (x - cx) + double(y - cy) * (y - cy);
                const cv::Vec3b want = d2 <= r2 ? kWindow : kFacade;
                if (after.at<cv::Vec3b>(y, x) != want)
                    QFAIL(qPrintable(QStringLiteral("pixel (%1, %2) is wrong").arg(x).arg(y)));
            }

        QCOMPARE(doc_->history()->undoCount(), 1);  // one stroke, one step
        QVERIFY(doc_->isModified());
        doc_->undo();
        QVERIFY(identical(doc_->image(), before));
        QVERIFY(!doc_->isModified());
        doc_->redo();
        QVERIFY(identical(doc_->image(), after));
    }

    void rectangleFillsTheDraggedPixels_data() {
        QTest::addColumn<QPoint>("from");
        QTest::addColumn<QPoint>("to");
        QTest::newRow("down-right") << QPoint(5, 6) << QPoint(20, 15);
        QTest::newRow("up-left") << QPoint(20, 15) << QPoint(5, 6);
        QTest::newRow("past the edge") << QPoint(50, 30) << QPoint(90, 90);
    }
    void rectangleFillsTheDraggedPixels() {
        QFETCH(QPoint, from);
        QFETCH(QPoint, to);
        view_->setTool(Tool::Rectangle);
        view_->setColour(kWindow);
        const cv::Mat before = doc_->image().clone();
        QTest::mousePress(view_, Qt::LeftButton, {}, at(from.x(), from.y()));
        const QPoint middle = (from + to) / 2;
        QTest::mouseMove(view_, at(middle));
        // The shape so far is on the canvas while dragging (the live preview follows it)...
        cv::Mat sofar = before.clone();
        fillRectangle(sofar, cvp(from), cvp(middle), kWindow);
        QVERIFY(identical(doc_->image(), sofar));
        QTest::mouseMove(view_, at(to.x(), to.y()));
        QTest::mouseRelease(view_, Qt::LeftButton, {}, at(to.x(), to.y()));
        QCOMPARE(doc_->history()->undoCount(), 1);  // ... and the drag is one step

        // Both corners included, whichever way the drag went (QRect::normalized() would be off by one).
        const QRect r = QRect(QPoint(std::min(from.x(), to.x()), std::min(from.y(), to.y())),
                              QPoint(std::max(from.x(), to.x()), std::max(from.y(), to.y())))
                            .intersected(QRect(0, 0, 64, 48));
        const cv::Mat after = doc_->image().clone();
        for (int y = 0; y < after.rows; ++y)
            for (int x = 0; x < after.cols; ++x)
                QCOMPARE(after.at<cv::Vec3b>(y, x), r.contains(x, y) ? kWindow : kFacade);
        doc_->undo();
        QVERIFY(identical(doc_->image(), before));
        doc_->redo();
        QVERIFY(identical(doc_->image(), after));
    }

    void floodFillFillsTheRegion() {
        // A window frame of another class splits the canvas: its inside is a separate region.
        cv::Mat start = doc_->image().clone();
        cv::rectangle(start, cv::Rect(10, 10, 20, 15), cv::Scalar(kOther[0], kOther[1], kOther[2]), 1);
        doc_->reset(start, CanvasKind::FacadeLabels);
        view_->setTool(Tool::Fill);
        view_->setColour(kWindow);
        QTest::mouseClick(view_, Qt::LeftButton, {}, at(15, 15));  // inside the frame

        const cv::Mat after = doc_->image().clone();
        for (int y = 0; y < after.rows; ++y)
            for (int x = 0; x < after.cols; ++x) {
                const bool inside = x > 10 && x < 29 && y > 10 && y < 24;
                QCOMPARE(after.at<cv::Vec3b>(y, x), inside ? kWindow : start.at<cv::Vec3b>(y, x));
            }
        doc_->undo();
        QVERIFY(identical(doc_->image(), start));
        doc_->redo();
        QVERIFY(identical(doc_->image(), after));

        QTest::mouseClick(view_, Qt::LeftButton, {}, at(15, 15));  // same colour again: no step
        QCOMPARE(doc_->history()->undoCount(), 1);
    }

    void eraserPaintsTheSecondaryColour() {
        view_->setTool(Tool::Eraser);
        view_->setColour(kWindow);
        view_->setSecondaryColour(kOther);
        QCOMPARE(view_->eraserColour(), kOther);
        view_->setBrushSize(1);
        QTest::mouseClick(view_, Qt::LeftButton, {}, at(7, 8));
        QCOMPARE(doc_->image().at<cv::Vec3b>(8, 7), kOther);
        QTest::mouseClick(view_, Qt::RightButton, {}, at(9, 8));  // either button
        QCOMPARE(doc_->image().at<cv::Vec3b>(8, 9), kOther);
        QCOMPARE(doc_->history()->undoText(), QStringLiteral("Erase"));
    }

    void rightButtonPaintsTheSecondaryColour() {
        view_->setColour(kWindow);
        view_->setSecondaryColour(kOther);
        view_->setBrushSize(3);
        view_->setTool(Tool::Brush);
        const cv::Mat before = doc_->image().clone();
        drag({5, 5}, {30, 5}, Qt::RightButton);
        cv::Mat expected = before.clone();
        drawStroke(expected, {5, 5}, {30, 5}, 3, kOther);
        QVERIFY(identical(doc_->image(), expected));

        view_->setTool(Tool::Fill);
        click({40, 30}, Qt::RightButton);
        QCOMPARE(doc_->image().at<cv::Vec3b>(30, 40), kOther);

        view_->setTool(Tool::Eyedropper);
        QSignalSpy primary(view_, &CanvasView::colourPicked);
        QSignalSpy secondary(view_, &CanvasView::secondaryColourPicked);
        doc_->fillRectangle({50, 2}, {52, 4}, kDoor);
        click({51, 3}, Qt::RightButton);
        QCOMPARE(primary.count(), 0);
        QCOMPARE(secondary.count(), 1);
        QCOMPARE(secondary.at(0).at(0).value<cv::Vec3b>(), kDoor);
    }

    void swapColoursSwapsPrimaryAndSecondary() {
        view_->setColour(kWindow);
        view_->setSecondaryColour(kFacade);
        QSignalSpy changed(view_, &CanvasView::coloursChanged);
        view_->swapColours();
        QCOMPARE(view_->colour(), kFacade);
        QCOMPARE(view_->secondaryColour(), kWindow);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).value<cv::Vec3b>(), kFacade);
        QCOMPARE(changed.at(0).at(1).value<cv::Vec3b>(), kWindow);
        // The eraser now paints what was the primary colour.
        view_->setTool(Tool::Eraser);
        view_->setBrushSize(1);
        click({3, 3});
        QCOMPARE(doc_->image().at<cv::Vec3b>(3, 3), kWindow);
        // Setting a colour it already has is no change.
        view_->setColour(kFacade);
        QCOMPARE(changed.count(), 1);
    }

    void shiftDragDrawsAStraightBrushLine() {
        view_->setTool(Tool::Brush);
        view_->setColour(kWindow);
        view_->setBrushSize(3);
        const cv::Mat before = doc_->image().clone();
        // The pointer wanders off the line on the way; only the straight line from the press point stays.
        QTest::mousePress(view_, Qt::LeftButton, Qt::ShiftModifier, at(6, 30));
        for (const QPoint p : {QPoint(20, 5), QPoint(35, 44), QPoint(50, 12)})
            QTest::mouseEvent(QTest::MouseMove, view_, Qt::LeftButton, Qt::ShiftModifier, at(p));
        cv::Mat sofar = before.clone();
        drawStroke(sofar, {6, 30}, {50, 12}, 3, kWindow);
        QVERIFY(identical(doc_->image(), sofar));  // live, and only the current line
        QTest::mouseRelease(view_, Qt::LeftButton, Qt::ShiftModifier, at(58, 20));
        cv::Mat expected = before.clone();
        drawStroke(expected, {6, 30}, {58, 20}, 3, kWindow);
        QVERIFY(identical(doc_->image(), expected));
        QCOMPARE(doc_->history()->undoCount(), 1);
        doc_->undo();
        QVERIFY(identical(doc_->image(), before));
    }

    void lineToolDrawsAndSnaps() {
        view_->setTool(Tool::Line);
        view_->setColour(kOther);
        view_->setBrushSize(2);
        const cv::Mat before = doc_->image().clone();
        drag({10, 10}, {40, 25});
        cv::Mat expected = before.clone();
        drawStroke(expected, {10, 10}, {40, 25}, 2, kOther);
        QVERIFY(identical(doc_->image(), expected));
        QCOMPARE(doc_->history()->undoText(), QStringLiteral("Line"));
        // Shift snaps to 45 degrees: nearly horizontal becomes horizontal.
        drag({10, 30}, {50, 34}, Qt::LeftButton, Qt::ShiftModifier);
        drawStroke(expected, {10, 30}, {50, 30}, 2, kOther);
        QVERIFY(identical(doc_->image(), expected));
    }

    void shapesOnALabelCanvasAreFilled_data() {
        QTest::addColumn<Tool>("tool");
        QTest::newRow("rectangle") << Tool::Rectangle;
        QTest::newRow("ellipse") << Tool::Ellipse;
    }
    void shapesOnALabelCanvasAreFilled() {
        QFETCH(Tool, tool);
        view_->setTool(tool);
        view_->setColour(kWindow);
        view_->setBrushSize(5);  // irrelevant: label shapes are filled
        const cv::Mat before = doc_->image().clone();
        drag({6, 40}, {50, 9});
        cv::Mat expected = before.clone();
        drawBoxShape(expected, {6, 40}, {50, 9},
                     tool == Tool::Ellipse ? BoxShape::Ellipse : BoxShape::Rectangle, 0, kWindow);
        QVERIFY(identical(doc_->image(), expected));
        QCOMPARE(doc_->image().at<cv::Vec3b>(25, 28), kWindow);  // the middle is filled
        // Shift makes a square / circle.
        doc_->undo();
        drag({6, 6}, {30, 16}, Qt::LeftButton, Qt::ShiftModifier);
        expected = before.clone();
        drawBoxShape(expected, {6, 6}, {30, 30},
                     tool == Tool::Ellipse ? BoxShape::Ellipse : BoxShape::Rectangle, 0, kWindow);
        QVERIFY(identical(doc_->image(), expected));
    }

    void sketchShapesAreOutlinesAtThePenWidth_data() {
        QTest::addColumn<Tool>("tool");
        QTest::addColumn<int>("pen");
        QTest::newRow("rectangle, pen 1") << Tool::Rectangle << 1;
        QTest::newRow("rectangle, pen 3") << Tool::Rectangle << 3;
        QTest::newRow("ellipse, pen 1") << Tool::Ellipse << 1;
        QTest::newRow("ellipse, pen 2") << Tool::Ellipse << 2;
        QTest::newRow("polygon, pen 2") << Tool::Polygon << 2;
    }
    void sketchShapesAreOutlinesAtThePenWidth() {
        QFETCH(Tool, tool);
        QFETCH(int, pen);
        makeSketch(pen);
        view_->setTool(tool);
        const cv::Mat before = doc_->image().clone();
        cv::Mat expected = before.clone();
        if (tool == Tool::Polygon) {
            for (const QPoint p : {QPoint(5, 5), QPoint(55, 8), QPoint(40, 42)}) click(p);
            QTest::keyClick(view_, Qt::Key_Return);
            strokePolygon(expected, {{5, 5}, {55, 8}, {40, 42}}, pen, kInk, true);
        } else {
            drag({5, 6}, {55, 41});
            drawBoxShape(expected, {5, 6}, {55, 41},
                         tool == Tool::Ellipse ? BoxShape::Ellipse : BoxShape::Rectangle, pen, kInk);
        }
        QVERIFY(identical(doc_->image(), expected));
        QCOMPARE(doc_->image().at<cv::Vec3b>(22, 32), kPaper);  // not a solid block (issue 17, defect 4)
        QCOMPARE(distinctColours(doc_->image()).size(), size_t(2));
        QCOMPARE(doc_->history()->undoCount(), 1);
        doc_->undo();
        QVERIFY(identical(doc_->image(), before));
    }

    void polygonClosesByDoubleClickEnterOrFirstPoint_data() {
        QTest::addColumn<QString>("how");
        QTest::newRow("double-click") << QStringLiteral("double-click");
        QTest::newRow("enter") << QStringLiteral("enter");
        QTest::newRow("first point") << QStringLiteral("first point");
    }
    void polygonClosesByDoubleClickEnterOrFirstPoint() {
        QFETCH(QString, how);
        const cv::Mat before = makeLabels();
        view_->setTool(Tool::Polygon);
        view_->setColour(kDoor);
        std::vector<cv::Point> corners{{4, 4}, {50, 6}, {58, 30}, {20, 44}};
        for (std::size_t i = 0; i + 1 < corners.size(); ++i) click({corners[i].x, corners[i].y});
        QCOMPARE(view_->polygonPoints().size(), size_t(3));
        QVERIFY(identical(doc_->image(), before));  // nothing painted while the polygon is open
        const QPoint last(corners.back().x, corners.back().y);
        if (how == QLatin1String("double-click")) {
            // As a platform sends it: press and release, then the double-click and its release.
            click(last);
            QTest::mouseDClick(view_, Qt::LeftButton, {}, at(last));
            QTest::mouseRelease(view_, Qt::LeftButton, {}, at(last));
        } else if (how == QLatin1String("enter")) {
            click(last);
            QTest::keyClick(view_, Qt::Key_Enter);
        } else {
            click(last);
            click({corners.front().x, corners.front().y});
        }
        QVERIFY(view_->polygonPoints().empty());
        cv::Mat expected = before.clone();
        fillPolygon(expected, corners, kDoor);
        QVERIFY(identical(doc_->image(), expected));
        QCOMPARE(doc_->history()->undoCount(), 1);
        QCOMPARE(doc_->history()->undoText(), QStringLiteral("Polygon"));
    }

    void polygonKeys() {
        const cv::Mat before = makeLabels();
        view_->setTool(Tool::Polygon);
        view_->setColour(kDoor);
        // Escape drops the open polygon.
        click({5, 5});
        click({40, 5});
        QTest::keyClick(view_, Qt::Key_Escape);
        QVERIFY(view_->polygonPoints().empty());
        QTest::keyClick(view_, Qt::Key_Return);  // nothing open: nothing happens
        QVERIFY(identical(doc_->image(), before));
        QCOMPARE(doc_->history()->undoCount(), 0);
        // Backspace takes back the last corner.
        click({5, 5});
        click({40, 5});
        click({60, 45});
        QTest::keyClick(view_, Qt::Key_Backspace);
        click({40, 30});
        QTest::keyClick(view_, Qt::Key_Return);
        cv::Mat expected = before.clone();
        fillPolygon(expected, {{5, 5}, {40, 5}, {40, 30}}, kDoor);
        QVERIFY(identical(doc_->image(), expected));
        // The right button starts a polygon in the secondary colour; a tool change drops an open one.
        view_->setSecondaryColour(kSky);
        click({50, 20}, Qt::RightButton);
        click({60, 20});
        click({55, 35});
        QTest::keyClick(view_, Qt::Key_Return);
        QCOMPARE(doc_->image().at<cv::Vec3b>(25, 55), kSky);
        click({1, 1});
        view_->setTool(Tool::Brush);
        QVERIFY(view_->polygonPoints().empty());
    }

    void escapeCancelsADrag() {
        view_->setTool(Tool::Ellipse);
        view_->setColour(kWindow);
        const cv::Mat before = doc_->image().clone();
        QTest::mousePress(view_, Qt::LeftButton, {}, at(5, 5));
        QTest::mouseMove(view_, at(40, 30));
        QVERIFY(!identical(doc_->image(), before));
        QTest::keyClick(view_, Qt::Key_Escape);
        QVERIFY(identical(doc_->image(), before));
        QTest::mouseMove(view_, at(45, 35));
        QTest::mouseRelease(view_, Qt::LeftButton, {}, at(45, 35));
        QVERIFY(identical(doc_->image(), before));
        QCOMPARE(doc_->history()->undoCount(), 0);
    }

    void labelCanvasStaysOneClassPerPixel_data() {
        QTest::addColumn<Action>("action");
        QTest::newRow("brush") << Action::Brush;
        QTest::newRow("shift-drag brush") << Action::ShiftBrush;
        QTest::newRow("right-button brush") << Action::RightBrush;
        QTest::newRow("eraser") << Action::Eraser;
        QTest::newRow("line") << Action::Line;
        QTest::newRow("rectangle") << Action::Rectangle;
        QTest::newRow("ellipse") << Action::Ellipse;
        QTest::newRow("polygon") << Action::Polygon;
        QTest::newRow("fill") << Action::Fill;
        QTest::newRow("right-button fill") << Action::RightFill;
    }
    void labelCanvasStaysOneClassPerPixel() {
        // After each tool (diagonal strokes and odd sizes, where antialiasing would show) every pixel is one
        // of the colours there before or the tool's colour.
        QFETCH(Action, action);
        const cv::Mat before = makeLabels();
        view_->setColour(kDoor);
        view_->setSecondaryColour(kSky);
        view_->setBrushSize(7);
        cv::Vec3b toolColour = kDoor;
        switch (action) {
            case Action::Brush:
                view_->setTool(Tool::Brush);
                drag({3, 5}, {57, 37}, Qt::LeftButton, {}, 9);
                break;
            case Action::ShiftBrush:
                view_->setTool(Tool::Brush);
                drag({3, 5}, {57, 37}, Qt::LeftButton, Qt::ShiftModifier);
                break;
            case Action::RightBrush:
                view_->setTool(Tool::Brush);
                drag({3, 37}, {57, 5}, Qt::RightButton, {}, 9);
                toolColour = kSky;
                break;
            case Action::Eraser:
                view_->setTool(Tool::Eraser);
                drag({3, 37}, {57, 5}, Qt::LeftButton, {}, 9);
                toolColour = kSky;
                break;
            case Action::Line:
                view_->setTool(Tool::Line);
                drag({2, 44}, {61, 3});
                break;
            case Action::Rectangle:
                view_->setTool(Tool::Rectangle);
                drag({12, 3}, {45, 43});
                break;
            case Action::Ellipse:
                view_->setTool(Tool::Ellipse);
                drag({12, 3}, {45, 43});
                break;
            case Action::Polygon:
                view_->setTool(Tool::Polygon);
                for (const QPoint p : {QPoint(3, 20), QPoint(33, 2), QPoint(61, 27), QPoint(29, 46)})
                    click(p);
                QTest::keyClick(view_, Qt::Key_Return);
                break;
            case Action::Fill:
                view_->setTool(Tool::Fill);
                click({10, 10});
                break;
            case Action::RightFill:
                view_->setTool(Tool::Fill);
                click({40, 20}, Qt::RightButton);
                toolColour = kSky;
                break;
        }
        const cv::Mat after = doc_->image().clone();
        auto allowed = distinctColours(before);
        allowed.insert(key(toolColour));
        for (const auto& colour : distinctColours(after)) QVERIFY(allowed.count(colour) == 1);
        QVERIFY(distinctColours(after).count(key(toolColour)) == 1);  // the tool did paint
        QCOMPARE(doc_->history()->undoCount(), 1);
        doc_->undo();
        QVERIFY(identical(doc_->image(), before));
        doc_->redo();
        QVERIFY(identical(doc_->image(), after));
    }

    void brushSizeStepsAreReversible() {
        QSignalSpy changed(view_, &CanvasView::brushSizeChanged);
        view_->setBrushSize(7);
        view_->stepBrushSize(+1);
        QCOMPARE(view_->brushSize(), 8);
        view_->stepBrushSize(+1);
        QCOMPARE(view_->brushSize(), 10);
        view_->stepBrushSize(-1);
        view_->stepBrushSize(-1);
        QCOMPARE(view_->brushSize(), 7);
        QCOMPARE(changed.count(), 5);
    }

    void hoverIsReportedAfterAFill() {
        // The status bar names the class under the pointer; a fill under a still pointer must update it.
        view_->setTool(Tool::Fill);
        view_->setColour(kWindow);
        QSignalSpy hover(view_, &CanvasView::hoverChanged);
        click({20, 20});
        QVERIFY(hover.count() >= 1);
        QCOMPARE(hover.last().at(0).toPoint(), QPoint(20, 20));
        QCOMPARE(doc_->colourAt(hover.last().at(0).toPoint()), kWindow);
    }

    void eyedropperReportsTheColour() {
        doc_->fillRectangle({3, 3}, {4, 4}, kOther);
        view_->setTool(Tool::Eyedropper);
        QSignalSpy picked(view_, &CanvasView::colourPicked);
        QTest::mouseClick(view_, Qt::LeftButton, {}, at(4, 4));
        QCOMPARE(picked.count(), 1);
        QCOMPARE(picked.at(0).at(0).value<cv::Vec3b>(), kOther);
        const cv::Mat before = doc_->image().clone();
        QTest::mouseClick(view_, Qt::LeftButton, {}, at(20, 20));
        QCOMPARE(picked.at(1).at(0).value<cv::Vec3b>(), kFacade);
        QVERIFY(identical(doc_->image(), before));  // picking changes nothing
    }

    void undoDuringAStrokeEndsItFirst() {
        view_->setTool(Tool::Brush);
        view_->setColour(kWindow);
        view_->setBrushSize(3);
        const cv::Mat before = doc_->image().clone();
        QTest::mousePress(view_, Qt::LeftButton, {}, at(10, 10));
        QTest::mouseMove(view_, at(20, 10));
        doc_->undo();  // Ctrl+Z with the button still down
        QVERIFY(identical(doc_->image(), before));
        QTest::mouseRelease(view_, Qt::LeftButton, {}, at(20, 10));
        QVERIFY(identical(doc_->image(), before));
    }

    void zoomKeepsPixelsUnderTheCursor() {
        const QPoint p = at(32, 24);
        const QPoint pixelBefore = view_->pixelAt(p);
        QWheelEvent wheel(p, view_->mapToGlobal(p), QPoint(), QPoint(0, 120), Qt::NoButton,
                          Qt::ControlModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(view_, &wheel);
        QVERIFY(view_->zoom() > 2.0);
        QCOMPARE(view_->pixelAt(p), pixelBefore);
        view_->zoomToFit();
        QVERIFY(view_->fitsWindow());
    }

    void historyIsBoundedByMemory() {
        // Each 16x16 rectangle keeps 2 * 16*16*3 bytes of pixels (+ a little bookkeeping).
        doc_->history()->setBudget(40 * 1024);
        std::vector<cv::Mat> states{doc_->image().clone()};
        for (int i = 0; i < 40; ++i) {
            const cv::Vec3b c(i * 5, 255 - i * 5, 100);
            const int x = (i * 16) % 48, y = ((i / 3) * 16) % 32;
            doc_->fillRectangle({x, y}, {x + 15, y + 15}, c);
            states.push_back(doc_->image().clone());
            QVERIFY(doc_->history()->bytes() <= doc_->history()->budget());
        }
        const int kept = doc_->history()->undoCount();
        QVERIFY(kept > 5);   // about 40 KiB / 1.5 KiB
        QVERIFY(kept < 40);  // the oldest were dropped
        // What is kept still undoes exactly, back to the state after the oldest kept step's predecessor.
        for (int i = 0; i < kept; ++i) doc_->undo();
        QVERIFY(!doc_->history()->canUndo());
        QVERIFY(identical(doc_->image(), states[40 - kept]));
        for (int i = 0; i < kept; ++i) doc_->redo();
        QVERIFY(identical(doc_->image(), states[40]));
        // The clean (saved) state was dropped: the document never reads as unmodified again by undoing.
        QVERIFY(doc_->isModified());
    }

    void aStepLargerThanTheBudgetIsStillUndoable() {
        doc_->history()->setBudget(1000);  // less than one full-canvas step (2 * 64*48*3 bytes)
        doc_->fillRectangle({0, 0}, {10, 10}, kOther);
        const cv::Mat before = doc_->image().clone();
        doc_->replaceImage(cv::Mat(48, 64, CV_8UC3, cv::Scalar(kWindow[0], kWindow[1], kWindow[2])),
                           QStringLiteral("Clear"));
        QCOMPARE(doc_->history()->undoCount(), 1);  // the older step made room
        doc_->undo();
        QVERIFY(identical(doc_->image(), before));
    }

    void historyCountsBytesAndDropsTheRedoBranch() {
        CommandHistory& h = *doc_->history();
        doc_->fillRectangle({0, 0}, {9, 9}, kOther);     // 10x10
        doc_->fillRectangle({0, 0}, {19, 19}, kWindow);  // 20x20
        const std::size_t both = h.bytes();
        QVERIFY(both >= 2 * 3 * (100 + 400));
        doc_->undo();
        QCOMPARE(h.bytes(), both);                        // undone steps stay for redo
        doc_->fillRectangle({30, 30}, {31, 31}, kOther);  // a new step discards the redo branch
        QVERIFY(!h.canRedo());
        QVERIFY(h.bytes() < both);
        QCOMPARE(h.undoCount(), 2);
    }
};

QTEST_MAIN(TestCanvas)
#include "test_ui_canvas.moc"
