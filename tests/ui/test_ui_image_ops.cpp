// The canvas's pixel operations: no antialiasing, exact footprints, 4-connected zero-tolerance flood fill.

#include <QtTest/QtTest>

#include <set>

#include <opencv2/core.hpp>

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

}  // namespace

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
