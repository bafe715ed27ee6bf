// The Random facade: a pure function of its seed that draws every part of a facade in the CMP classes.

#include <QtTest/QtTest>

#include "core/labels/palette.h"
#include "core/labels/random_facade.h"

using namespace p2p;

class TestRandomFacade : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void isAFacade_data() {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::newRow("256") << 256 << 256;
        QTest::newRow("512") << 512 << 512;
        QTest::newRow("1024x512") << 1024 << 512;
        QTest::newRow("tiny") << 24 << 20;
    }
    void isAFacade() {
        QFETCH(int, width);
        QFETCH(int, height);
        for (uint64_t seed = 0; seed < 30; ++seed) {
            const cv::Mat ids = randomFacadeLabels({width, height}, seed);
            QCOMPARE(ids.type(), CV_8UC1);
            QCOMPARE(ids.cols, std::max(width, 16));
            QCOMPARE(ids.rows, std::max(height, 16));
            const auto histogram = classHistogram(ids);
            QCOMPARE(histogram[0], int64_t(0));  // every pixel is a class
            if (width < 100) continue;
            for (const char* name : {"facade", "window", "door", "cornice", "sill", "shop"})
                QVERIFY2(histogram[size_t(cmpClassId(name))] > 0, qPrintable(QString("seed %1 has no %2").arg(seed).arg(name)));
            // The facade and its windows are most of the picture; the door is at the bottom.
            QVERIFY(histogram[size_t(cmpClassId("facade"))] + histogram[size_t(cmpClassId("window"))] > ids.total() / 4);
            const cv::Mat doorRows = ids.row(ids.rows - 1) == cmpClassId("door");
            QVERIFY(cv::countNonZero(doorRows) > 0);
            QVERIFY(!labelsToColour(ids).empty());
        }
    }

    void theSeedDecides() {
        const cv::Mat a = randomFacadeLabels({256, 256}, 42), b = randomFacadeLabels({256, 256}, 42);
        QCOMPARE(cv::countNonZero(a != b), 0);
        int differing = 0;
        for (uint64_t seed = 1; seed < 10; ++seed)
            differing += cv::countNonZero(randomFacadeLabels({256, 256}, seed) != a) > 0;
        QCOMPARE(differing, 9);
    }
};

QTEST_GUILESS_MAIN(TestRandomFacade)
#include "test_random_facade.moc"
