// The canvas driven with QTest mouse events: strokes, rectangles and flood fills change exactly the expected
// pixels; undo restores the image byte for byte and redo reapplies it; the undo history is bounded by memory.

#include <QtTest/QtTest>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "ui/canvas/canvas_view.h"
#include "ui/canvas/command_history.h"
#include "ui/canvas/label_document.h"

using namespace p2p::ui;

namespace {

// Two label colours (BGR) standing in for "facade" and "window"; the canvas does not care which classes.
const cv::Vec3b kFacade(255, 85, 0);
const cv::Vec3b kWindow(255, 170, 0);
const cv::Vec3b kOther(0, 0, 170);

bool identical(const cv::Mat& a, const cv::Mat& b) {
    return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

}  // namespace

class TestCanvas : public QObject {
    Q_OBJECT

    LabelDocument* doc_ = nullptr;
    CanvasView* view_ = nullptr;

    QPoint at(int x, int y) const {
        // The widget position of the centre of image pixel (x, y).
        return view_->mapFromImage(QRectF(x, y, 1, 1)).center().toPoint();
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
        QTest::mouseMove(view_, at((from.x() + to.x()) / 2, (from.y() + to.y()) / 2));
        QVERIFY(identical(doc_->image(), before));  // nothing until release
        QTest::mouseMove(view_, at(to.x(), to.y()));
        QTest::mouseRelease(view_, Qt::LeftButton, {}, at(to.x(), to.y()));

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

    void eraserPaintsTheEraserColour() {
        view_->setTool(Tool::Eraser);
        view_->setColour(kWindow);
        view_->setEraserColour(kOther);
        view_->setBrushSize(1);
        QTest::mouseClick(view_, Qt::LeftButton, {}, at(7, 8));
        QCOMPARE(doc_->image().at<cv::Vec3b>(8, 7), kOther);
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
