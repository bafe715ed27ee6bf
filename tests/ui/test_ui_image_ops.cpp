// The canvas's pixel operations: no antialiasing, exact footprints, 4-connected zero-tolerance flood fill,
// box shapes filled or outlined inside their box, polygons, drag constraints and the brush size steps.

#include <QtTest/QtTest>

#include <set>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "ui/canvas/image_ops.h"

using namespace p2p::ui;

namespace {

const cv::Vec3b kBase(10, 20, 30);
const cv::Vec3b kInk(200, 100, 0);

int countColour(const cv::Mat& m, const cv::Vec3b& c) {
    int n = 0;
    for (int y = 0; y < m.rows; ++y)
        for (int x = 0; x < m.cols; ++x) n += m.at<cv::Vec3b>(y, x) == c;
    return n;
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

cv::Mat blank(int w, int h) {
    return cv::Mat(h, w, CV_8UC3, cv::Scalar(kBase[0], kBase[1], kBase[2]));
}

// 255 where the image has `c`.
cv::Mat maskOf(const cv::Mat& m, const cv::Vec3b& c) {
    cv::Mat mask;
    cv::inRange(m, cv::Scalar(c[0], c[1], c[2]), cv::Scalar(c[0], c[1], c[2]), mask);
    return mask;
}

}  // namespace

Q_DECLARE_METATYPE(BoxShape)

class TestImageOps : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void brushFootprints_data() {
        QTest::addColumn<int>("size");
        QTest::addColumn<int>("pixels");
        QTest::newRow("1: one pixel") << 1 << 1;
        QTest::newRow("2: 2x2") << 2 << 4;
        QTest::newRow("3: 3x3") << 3 << 9;
        QTest::newRow("5: disc of 21") << 5 << 21;
        QTest::newRow("0 clamps to 1") << 0 << 1;
    }
    void brushFootprints() {
        QFETCH(int, size);
        QFETCH(int, pixels);
        const cv::Mat mask = brushMask(size);
        QCOMPARE(cv::countNonZero(mask), pixels);
        // Symmetric under flips: the dab looks the same whichever way the stroke goes.
        cv::Mat flipped;
        cv::flip(mask, flipped, -1);
        QCOMPARE(cv::norm(mask, flipped, cv::NORM_INF), 0.0);
    }

    void strokeHasNoAntialiasing() {
        cv::Mat image(40, 40, CV_8UC3, cv::Scalar(kBase[0], kBase[1], kBase[2]));
        const cv::Rect r = drawStroke(image, {3, 5}, {35, 31}, 7, kInk);  // a diagonal: where AA would show
        QCOMPARE(distinctColours(image).size(), size_t(2));
        QVERIFY(countColour(image, kInk) > 0);
        // Everything changed lies inside the returned rectangle.
        cv::Mat outside = image.clone();
        outside(r).setTo(cv::Scalar(kBase[0], kBase[1], kBase[2]));
        QCOMPARE(countColour(outside, kInk), 0);
    }

    void strokeMatchesTheDiscSpecification() {
        // Odd sizes: every pixel within size/2 of a line point, nothing else.
        const int size = 5;
        cv::Mat image(30, 40, CV_8UC3, cv::Scalar(kBase[0], kBase[1], kBase[2]));
        drawStroke(image, {6, 12}, {30, 12}, size, kInk);
        for (int y = 0; y < image.rows; ++y)
            for (int x = 0; x < image.cols; ++x) {
                const int dx = x < 6 ? 6 - x : (x > 30 ? x - 30 : 0), dy = y - 12;
                const bool inside = dx * dx + dy * dy <= (size / 2.0) * (size / 2.0);
                QCOMPARE(image.at<cv::Vec3b>(y, x) == kInk, inside);
            }
    }

    void strokeClipsAtTheBorder() {
        cv::Mat image(20, 20, CV_8UC3, cv::Scalar(kBase[0], kBase[1], kBase[2]));
        const cv::Rect r = drawStroke(image, {-10, 5}, {4, 5}, 3, kInk);  // starts outside
        QCOMPARE(r, cv::Rect(0, 4, 6, 3));
        QCOMPARE(countColour(image, kInk), 3 * 6);
        QVERIFY(drawStroke(image, {-10, -10}, {-5, -10}, 3, kInk).empty());  // entirely outside
    }

    void rectangleIsInclusiveAndClipped() {
        cv::Mat image(20, 30, CV_8UC3, cv::Scalar(kBase[0], kBase[1], kBase[2]));
        QCOMPARE(fillRectangle(image, {12, 9}, {3, 2}, kInk), cv::Rect(3, 2, 10, 8));
        QCOMPARE(countColour(image, kInk), 80);
        QCOMPARE(fillRectangle(image, {25, 15}, {40, 40}, kInk), cv::Rect(25, 15, 5, 5));
        QVERIFY(fillRectangle(image, {-9, -9}, {-1, -1}, kInk).empty());
    }

    void floodFillIsFourConnectedWithZeroTolerance() {
        const cv::Vec3b wall(0, 0, 0), nearBase(kBase[0] + 1, kBase[1], kBase[2]);
        cv::Mat image(10, 10, CV_8UC3, cv::Scalar(kBase[0], kBase[1], kBase[2]));
        // A wall at x = 5 splits the image. A pocket at (5,4) opens to the left side and touches the right
        // side's (6,3) only at a corner, which 4-connectivity must not cross.
        for (int y = 0; y < 10; ++y) image.at<cv::Vec3b>(y, 5) = wall;
        image.at<cv::Vec3b>(4, 5) = kBase;
        image.at<cv::Vec3b>(4, 6) = wall;
        image.at<cv::Vec3b>(5, 6) = wall;
        image.at<cv::Vec3b>(2, 2) = nearBase;  // one level off: not the same class, must stay
        cv::Mat expected = image.clone();
        for (int y = 0; y < 10; ++y)
            for (int x = 0; x < 10; ++x)
                if ((x < 5 || (x == 5 && y == 4)) && expected.at<cv::Vec3b>(y, x) == kBase)
                    expected.at<cv::Vec3b>(y, x) = kInk;
        const cv::Rect r = floodFill(image, {1, 1}, kInk);
        QCOMPARE(cv::norm(image, expected, cv::NORM_INF), 0.0);
        QCOMPARE(r, cv::Rect(0, 0, 6, 10));
        QCOMPARE(image.at<cv::Vec3b>(2, 2), nearBase);
        QCOMPARE(image.at<cv::Vec3b>(3, 6), kBase);
        QCOMPARE(image.at<cv::Vec3b>(0, 9), kBase);
        QVERIFY(floodFill(image, {1, 1}, kInk).empty());   // already that colour
        QVERIFY(floodFill(image, {-1, 3}, kInk).empty());  // outside
    }

    void diagonalNeighboursAreNotConnected() {
        cv::Mat image(3, 3, CV_8UC3, cv::Scalar(0, 0, 0));
        image.at<cv::Vec3b>(0, 0) = kBase;
        image.at<cv::Vec3b>(1, 1) = kBase;  // touches (0,0) only at a corner
        floodFill(image, {0, 0}, kInk);
        QCOMPARE(image.at<cv::Vec3b>(0, 0), kInk);
        QCOMPARE(image.at<cv::Vec3b>(1, 1), kBase);
    }

    void nextBrushSizeSteps_data() {
        QTest::addColumn<int>("size");
        QTest::addColumn<int>("direction");
        QTest::addColumn<int>("expected");
        // The uneven runs, now symmetric.
        QTest::newRow("7 up") << 7 << +1 << 8;
        QTest::newRow("8 up") << 8 << +1 << 10;
        QTest::newRow("10 up") << 10 << +1 << 12;
        QTest::newRow("12 down") << 12 << -1 << 10;
        QTest::newRow("10 down") << 10 << -1 << 8;
        QTest::newRow("8 down") << 8 << -1 << 7;
        QTest::newRow("1 down stays") << 1 << -1 << 1;
        QTest::newRow("128 up stays") << 128 << +1 << 128;
        QTest::newRow("between entries up") << 9 << +1 << 10;
        QTest::newRow("between entries down") << 9 << -1 << 8;
        QTest::newRow("above the table down") << 200 << -1 << 128;
        QTest::newRow("no direction") << 13 << 0 << 13;
    }
    void nextBrushSizeSteps() {
        QFETCH(int, size);
        QFETCH(int, direction);
        QFETCH(int, expected);
        QCOMPARE(nextBrushSize(size, direction), expected);
    }

    void brushStepsAreEvenAndReversible() {
        // Walk the whole table up: every step grows by at most a quarter (or by one pixel), and one step
        // down from each size returns to where it came from.
        int size = 1, steps = 0;
        while (size < 128) {
            const int up = nextBrushSize(size, +1);
            QVERIFY(up > size);
            QVERIFY2(up - size <= std::max(1, (size + 3) / 4), qPrintable(QString::number(size)));
            QCOMPARE(nextBrushSize(up, -1), size);
            size = up;
            QVERIFY(++steps < 40);
        }
        QCOMPARE(size, 128);
    }

    void boxShapes_data() {
        QTest::addColumn<BoxShape>("shape");
        QTest::addColumn<int>("outline");
        QTest::addColumn<QRect>("box");
        QTest::newRow("rectangle filled") << BoxShape::Rectangle << 0 << QRect(4, 5, 17, 11);
        QTest::newRow("rectangle outline 1") << BoxShape::Rectangle << 1 << QRect(4, 5, 17, 11);
        QTest::newRow("rectangle outline 3") << BoxShape::Rectangle << 3 << QRect(4, 5, 17, 11);
        QTest::newRow("ellipse filled") << BoxShape::Ellipse << 0 << QRect(4, 5, 17, 11);
        QTest::newRow("ellipse outline 1, odd") << BoxShape::Ellipse << 1 << QRect(3, 3, 31, 21);
        QTest::newRow("ellipse outline 1, even") << BoxShape::Ellipse << 1 << QRect(3, 3, 30, 20);
        QTest::newRow("ellipse outline 1, flat") << BoxShape::Ellipse << 1 << QRect(2, 10, 34, 5);
        QTest::newRow("ellipse outline 1, tall") << BoxShape::Ellipse << 1 << QRect(15, 1, 6, 28);
        QTest::newRow("ellipse outline 2") << BoxShape::Ellipse << 2 << QRect(3, 3, 30, 24);
        QTest::newRow("ellipse outline 4") << BoxShape::Ellipse << 4 << QRect(3, 3, 31, 25);
        QTest::newRow("circle outline 1, small") << BoxShape::Ellipse << 1 << QRect(10, 10, 5, 5);
    }
    void boxShapes() {
        QFETCH(BoxShape, shape);
        QFETCH(int, outline);
        QFETCH(QRect, box);
        cv::Mat image = blank(40, 32);
        // Corners given in the "wrong" order on purpose: any order spans the same box.
        const cv::Rect r =
            drawBoxShape(image, {box.right(), box.bottom()}, {box.left(), box.top()}, shape, outline, kInk);
        const cv::Rect cvBox(box.x(), box.y(), box.width(), box.height());
        QCOMPARE(distinctColours(image).size(), size_t(2));  // no antialiasing
        QVERIFY((r & cvBox) == r);
        const cv::Mat ink = maskOf(image, kInk);
        QCOMPARE(cv::countNonZero(ink(cvBox)), cv::countNonZero(ink));  // nothing outside the box
        // The shape reaches all four sides of its box.
        QVERIFY(cv::countNonZero(ink(cvBox).row(0)) > 0);
        QVERIFY(cv::countNonZero(ink(cvBox).row(box.height() - 1)) > 0);
        QVERIFY(cv::countNonZero(ink(cvBox).col(0)) > 0);
        QVERIFY(cv::countNonZero(ink(cvBox).col(box.width() - 1)) > 0);
        // Symmetric under flips within the box.
        cv::Mat flipped;
        cv::flip(ink(cvBox), flipped, -1);
        QCOMPARE(cv::norm(ink(cvBox), flipped, cv::NORM_INF), 0.0);

        cv::Mat filledImage = blank(40, 32);
        drawBoxShape(filledImage, {box.left(), box.top()}, {box.right(), box.bottom()}, shape, 0, kInk);
        const cv::Mat filled = maskOf(filledImage, kInk);
        if (shape == BoxShape::Rectangle && outline == 0)
            QCOMPARE(cv::countNonZero(filled), box.width() * box.height());
        if (outline == 0) return;
        QCOMPARE(cv::countNonZero(ink & ~filled), 0);  // the outline lies inside the filled shape
        if (shape == BoxShape::Rectangle) {
            const int innerW = std::max(0, box.width() - 2 * outline),
                      innerH = std::max(0, box.height() - 2 * outline);
            QCOMPARE(cv::countNonZero(ink), box.width() * box.height() - innerW * innerH);
        }
        // The outline is one 8-connected ring...
        cv::Mat labels;
        QCOMPARE(cv::connectedComponents(ink, labels, 8), 2);  // background + one ring
        // ... that a 4-connected fill cannot cross: filling inside it reaches only the shape's interior.
        const cv::Point centre(box.x() + box.width() / 2, box.y() + box.height() / 2);
        if (image.at<cv::Vec3b>(centre) == kBase) {
            const cv::Vec3b other(1, 2, 3);
            floodFill(image, centre, other);
            const cv::Mat interior = maskOf(image, other);
            QCOMPARE(cv::countNonZero(interior & ~filled), 0);
            QCOMPARE(cv::countNonZero(interior) + cv::countNonZero(ink), cv::countNonZero(filled));
        }
    }

    void boxShapeClipsWithoutFalseEdges() {
        // A rectangle outline whose frame lies entirely outside the image paints nothing inside it: the
        // image border is not an edge of the shape.
        cv::Mat image = blank(20, 20);
        drawBoxShape(image, {-20, -20}, {30, 30}, BoxShape::Rectangle, 2, kInk);
        QCOMPARE(countColour(image, kInk), 0);
        // Partly inside: only the part of the frame inside the image.
        image = blank(20, 20);
        const cv::Rect r = drawBoxShape(image, {-5, 4}, {9, 30}, BoxShape::Rectangle, 1, kInk);
        QCOMPARE(countColour(image, kInk), 10 + 15);  // the top edge (x 0..9) and the right edge (y 5..19)
        QCOMPARE(r & cv::Rect(0, 0, 20, 20), r);
        QVERIFY(drawBoxShape(image, {-9, -9}, {-2, -2}, BoxShape::Ellipse, 0, kInk).empty());
    }

    void polygonFillIsExact() {
        // An axis-aligned square polygon is exactly the rectangle through its corners.
        cv::Mat a = blank(30, 30), b = blank(30, 30);
        fillPolygon(a, {{5, 6}, {20, 6}, {20, 17}, {5, 17}}, kInk);
        fillRectangle(b, {5, 6}, {20, 17}, kInk);
        QCOMPARE(cv::norm(a, b, cv::NORM_INF), 0.0);

        // A concave, diagonal polygon: two colours only, every corner painted, the notch left alone.
        cv::Mat c = blank(40, 40);
        const std::vector<cv::Point> arrow{{3, 3}, {36, 10}, {15, 18}, {34, 36}, {5, 30}};
        const cv::Rect r = fillPolygon(c, arrow, kInk);
        QCOMPARE(distinctColours(c).size(), size_t(2));
        for (const cv::Point& p : arrow) QCOMPARE(c.at<cv::Vec3b>(p), kInk);
        QCOMPARE(c.at<cv::Vec3b>(18, 30), kBase);  // inside the notch between (36,10), (15,18), (34,36)
        QCOMPARE(r, cv::Rect(3, 3, 34, 34));
        QCOMPARE(countColour(c(r), kInk), countColour(c, kInk));
    }

    void polygonStrokeIsTheClosedOutline() {
        // Size 1 around a square: exactly the 1-pixel rectangle outline.
        cv::Mat a = blank(30, 30), b = blank(30, 30);
        strokePolygon(a, {{5, 6}, {20, 6}, {20, 17}, {5, 17}}, 1, kInk, /*closed=*/true);
        drawBoxShape(b, {5, 6}, {20, 17}, BoxShape::Rectangle, 1, kInk);
        QCOMPARE(cv::norm(a, b, cv::NORM_INF), 0.0);
        // Open: the closing edge is missing.
        cv::Mat c = blank(30, 30);
        strokePolygon(c, {{5, 6}, {20, 6}, {20, 17}, {5, 17}}, 1, kInk, /*closed=*/false);
        QCOMPARE(c.at<cv::Vec3b>(10, 5), kBase);
        QCOMPARE(countColour(c, kInk), countColour(a, kInk) - 10);
        // One point is one dab.
        cv::Mat d = blank(30, 30);
        QCOMPARE(strokePolygon(d, {{10, 10}}, 3, kInk, true), cv::Rect(9, 9, 3, 3));
    }

    void dragConstraints_data() {
        QTest::addColumn<QPoint>("end");
        QTest::addColumn<QPoint>("square");
        QTest::addColumn<QPoint>("snapped");
        // Anchor (10, 10).
        QTest::newRow("right, a little down") << QPoint(30, 13) << QPoint(30, 30) << QPoint(30, 10);
        QTest::newRow("up, a little left") << QPoint(8, -10) << QPoint(-10, -10) << QPoint(10, -10);
        QTest::newRow("diagonal down-left") << QPoint(1, 20) << QPoint(0, 20) << QPoint(0, 20);
        QTest::newRow("near 45 up-right") << QPoint(22, 0) << QPoint(22, -2) << QPoint(21, -1);
        QTest::newRow("the anchor") << QPoint(10, 10) << QPoint(10, 10) << QPoint(10, 10);
    }
    void dragConstraints() {
        QFETCH(QPoint, end);
        QFETCH(QPoint, square);
        QFETCH(QPoint, snapped);
        const cv::Point anchor(10, 10), e(end.x(), end.y());
        QCOMPARE(squareCorner(anchor, e), cv::Point(square.x(), square.y()));
        QCOMPARE(snapTo45Degrees(anchor, e), cv::Point(snapped.x(), snapped.y()));
    }

    void pickColourClamps() {
        cv::Mat image(4, 4, CV_8UC3, cv::Scalar(kBase[0], kBase[1], kBase[2]));
        image.at<cv::Vec3b>(3, 3) = kInk;
        QCOMPARE(pickColour(image, {3, 3}), kInk);
        QCOMPARE(pickColour(image, {99, 99}), kInk);
        QCOMPARE(pickColour(image, {-5, 0}), kBase);
    }

    void borderedCanvasHasAFrame() {
        const cv::Vec3b fill(1, 2, 3), border(4, 5, 6);
        const cv::Mat c = borderedCanvas({12, 8}, fill, border, 2);
        QCOMPARE(c.size(), cv::Size(12, 8));
        QCOMPARE(countColour(c, fill), 8 * 4);
        QCOMPARE(countColour(c, border), 12 * 8 - 32);
        QCOMPARE(countColour(borderedCanvas({5, 5}, fill, border, 0), fill), 25);
    }
};

QTEST_GUILESS_MAIN(TestImageOps)
#include "test_ui_image_ops.moc"
