// ClassConfusion: the FCN-score measures (pixel accuracy, mean class accuracy, mean class IoU) on maps whose
// answers are worked out by hand.

#include <QtTest>

#include <cmath>

#include "core/common/error.h"
#include "core/metrics/label_consistency.h"

using p2p::ClassConfusion;

Q_DECLARE_METATYPE(cv::Mat)

namespace {

// A 1-row id map.
cv::Mat ids(std::initializer_list<int> values) {
    cv::Mat m(1, int(values.size()), CV_8UC1);
    int x = 0;
    for (int v : values) m.at<uint8_t>(0, x++) = uint8_t(v);
    return m;
}

}  // namespace

class TestLabelConsistency : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void scores_data() {
        QTest::addColumn<cv::Mat>("truth");
        QTest::addColumn<cv::Mat>("predicted");
        QTest::addColumn<double>("pixelAccuracy");
        QTest::addColumn<double>("meanClassAccuracy");
        QTest::addColumn<double>("meanIoU");
        QTest::addColumn<int>("present");
        QTest::newRow("perfect") << ids({1, 2, 2, 3}) << ids({1, 2, 2, 3}) << 1.0 << 1.0 << 1.0 << 3;
        // Truth 1 1 2 2, predicted 1 2 2 2: class 1 acc 1/2, IoU 1/2; class 2 acc 1, IoU 2/3.
        QTest::newRow("one pixel wrong")
            << ids({1, 1, 2, 2}) << ids({1, 2, 2, 2}) << 0.75 << 0.75 << (0.5 + 2.0 / 3.0) / 2 << 2;
        // A class only predicted (3) is not present: it lowers class 1's IoU but is not averaged itself.
        QTest::newRow("a class that is not there")
            << ids({1, 1, 1, 1}) << ids({1, 1, 3, 3}) << 0.5 << 0.5 << 0.5 << 1;
        // Id 0 in the truth is left out; id 0 predicted is wrong for its true class.
        QTest::newRow("id 0") << ids({0, 0, 4, 4}) << ids({4, 4, 4, 0}) << 0.5 << 0.5 << 0.5 << 1;
        QTest::newRow("all wrong") << ids({1, 2}) << ids({2, 1}) << 0.0 << 0.0 << 0.0 << 2;
    }
    void scores() {
        QFETCH(cv::Mat, truth);
        QFETCH(cv::Mat, predicted);
        QFETCH(double, pixelAccuracy);
        QFETCH(double, meanClassAccuracy);
        QFETCH(double, meanIoU);
        QFETCH(int, present);
        ClassConfusion confusion(12);
        confusion.add(predicted, truth);
        const p2p::LabelScores s = confusion.scores();
        QCOMPARE(s.pixel_accuracy, pixelAccuracy);
        QCOMPARE(s.mean_class_accuracy, meanClassAccuracy);
        QVERIFY2(std::abs(s.mean_iou - meanIoU) < 1e-12, qPrintable(QString::number(s.mean_iou)));
        QCOMPARE(s.classes_present, present);
    }

    // Pooled over images: one matrix, not a mean of per-image scores.
    void poolsOverImages() {
        ClassConfusion confusion(12);
        confusion.add(ids({1, 1, 1, 1, 1, 1, 1, 1}), ids({1, 1, 1, 1, 1, 1, 1, 1}));
        confusion.add(ids({1, 1}), ids({2, 2}));
        QCOMPARE(confusion.pixels(), int64_t(10));
        QCOMPARE(confusion.count(2, 1), int64_t(2));
        const p2p::LabelScores s = confusion.scores();
        QCOMPARE(s.pixel_accuracy, 0.8);
        QCOMPARE(s.mean_class_accuracy, 0.5);          // class 1: 8/8, class 2: 0/2
        QVERIFY(std::isnan(confusion.classIoU()[5]));  // class 6: nowhere
    }

    void refusesMismatches() {
        ClassConfusion confusion(12);
        QVERIFY_THROWS_EXCEPTION(p2p::Error, confusion.add(ids({1, 2}), ids({1})));
        QVERIFY_THROWS_EXCEPTION(p2p::Error, confusion.add(ids({13}), ids({1})));
        QVERIFY_THROWS_EXCEPTION(p2p::Error, confusion.add(cv::Mat(1, 1, CV_8UC3), ids({1})));
        QCOMPARE(confusion.scores().pixel_accuracy, 0.0);  // nothing counted
    }
};

QTEST_APPLESS_MAIN(TestLabelConsistency)
#include "test_label_consistency.moc"
