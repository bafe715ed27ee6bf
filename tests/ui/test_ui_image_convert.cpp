// QImage <-> cv::Mat conversion: exact round trips, channel order, no aliasing, heatmaps.

#include <QtTest/QtTest>

#include <opencv2/core.hpp>

#include "ui/image_convert.h"

using namespace p2p::ui;

class TestImageConvert : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void bgrBecomesRgb() {
        cv::Mat bgr(3, 5, CV_8UC3, cv::Scalar(10, 20, 30));  // B=10 G=20 R=30
        bgr.at<cv::Vec3b>(2, 4) = cv::Vec3b(255, 0, 128);
        const QImage image = matToQImage(bgr);
        QCOMPARE(image.size(), QSize(5, 3));
        QCOMPARE(image.pixel(0, 0), qRgb(30, 20, 10));
        QCOMPARE(image.pixel(4, 2), qRgb(128, 0, 255));
    }

    void roundTripIsExact_data() {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::newRow("256x256") << 256 << 256;
        QTest::newRow("odd width 7x3 (unaligned rows)") << 7 << 3;
        QTest::newRow("512x256") << 512 << 256;
    }
    void roundTripIsExact() {
        QFETCH(int, width);
        QFETCH(int, height);
        cv::Mat bgr(height, width, CV_8UC3);
        cv::randu(bgr, cv::Scalar::all(0), cv::Scalar::all(256));
        const cv::Mat back = qImageToMat(matToQImage(bgr));
        QCOMPARE(back.type(), CV_8UC3);
        QCOMPARE(back.size(), bgr.size());
        QCOMPARE(cv::norm(back, bgr, cv::NORM_INF), 0.0);
    }

    void roiAndOtherFormats() {
        cv::Mat big(10, 10, CV_8UC3, cv::Scalar(1, 2, 3));
        big(cv::Rect(2, 2, 3, 3)).setTo(cv::Scalar(7, 8, 9));
        const QImage roi = matToQImage(big(cv::Rect(2, 2, 3, 3)));
        QCOMPARE(roi.pixel(1, 1), qRgb(9, 8, 7));

        cv::Mat grey(4, 4, CV_8UC1, cv::Scalar(77));
        QCOMPARE(matToQImage(grey).pixel(3, 3), qRgb(77, 77, 77));
        cv::Mat bgra(2, 2, CV_8UC4, cv::Scalar(1, 2, 3, 200));
        QCOMPARE(matToQImage(bgra).pixel(0, 0), qRgba(3, 2, 1, 200));

        QImage argb(2, 2, QImage::Format_ARGB32);
        argb.fill(qRgb(40, 50, 60));
        const cv::Mat fromArgb = qImageToMat(argb);
        QCOMPARE(fromArgb.at<cv::Vec3b>(1, 1), cv::Vec3b(60, 50, 40));

        QVERIFY(matToQImage(cv::Mat()).isNull());
        QVERIFY(matToQImage(cv::Mat(2, 2, CV_32FC3)).isNull());
        QVERIFY(qImageToMat(QImage()).empty());
    }

    void resultsDoNotAlias() {
        cv::Mat bgr(4, 4, CV_8UC3, cv::Scalar(0, 0, 0));
        const QImage image = matToQImage(bgr);
        bgr.setTo(cv::Scalar(255, 255, 255));
        QCOMPARE(image.pixel(0, 0), qRgb(0, 0, 0));

        QImage source(4, 4, QImage::Format_RGB888);
        source.fill(Qt::black);
        const cv::Mat mat = qImageToMat(source);
        source.fill(Qt::white);
        QCOMPARE(mat.at<cv::Vec3b>(0, 0), cv::Vec3b(0, 0, 0));
    }

    void copyRegionTouchesOnlyTheRegion() {
        cv::Mat bgr(6, 7, CV_8UC3, cv::Scalar(1, 2, 3));
        QImage target = matToQImage(bgr);
        bgr(cv::Rect(2, 1, 3, 4)).setTo(cv::Scalar(200, 100, 50));
        bgr.at<cv::Vec3b>(0, 0) = cv::Vec3b(9, 9, 9);  // outside the region: must not be copied
        copyRegionToQImage(bgr, cv::Rect(2, 1, 3, 4), target);
        for (int y = 0; y < 6; ++y)
            for (int x = 0; x < 7; ++x) {
                const bool inside = x >= 2 && x < 5 && y >= 1 && y < 5;
                QCOMPARE(target.pixel(x, y), inside ? qRgb(50, 100, 200) : qRgb(3, 2, 1));
            }
        QImage wrongSize(3, 3, QImage::Format_RGB888);
        wrongSize.fill(Qt::black);
        copyRegionToQImage(bgr, cv::Rect(0, 0, 3, 3), wrongSize);  // size mismatch: untouched
        QCOMPARE(wrongSize.pixel(0, 0), qRgb(0, 0, 0));
    }

    void heatmap() {
        cv::Mat p(2, 2, CV_32FC1);
        p.at<float>(0, 0) = 0.f;
        p.at<float>(0, 1) = 1.f;
        p.at<float>(1, 0) = 2.f;   // clamps to 1
        p.at<float>(1, 1) = -1.f;  // clamps to 0
        const QImage small = probabilityMapToHeatmap(p);
        QCOMPARE(small.size(), QSize(2, 2));
        QCOMPARE(small.pixel(0, 0), small.pixel(1, 1));  // both 0
        QCOMPARE(small.pixel(1, 0), small.pixel(0, 1));  // (x=1,y=0)=1 and (x=0,y=1)=2 clamp to 1
        QVERIFY(small.pixel(0, 0) != small.pixel(1, 0));
        // JET: low values are blue, high values red.
        QVERIFY(qBlue(small.pixel(0, 0)) > qRed(small.pixel(0, 0)));
        QVERIFY(qRed(small.pixel(1, 0)) > qBlue(small.pixel(1, 0)));

        const QImage big = probabilityMapToHeatmap(p, QSize(8, 8));
        QCOMPARE(big.size(), QSize(8, 8));
        QCOMPARE(big.pixel(3, 3), small.pixel(0, 0));  // nearest: blocks, no blending
        QCOMPARE(big.pixel(4, 3), small.pixel(1, 0));
        QVERIFY(probabilityMapToHeatmap(cv::Mat(2, 2, CV_8UC1)).isNull());
    }
};

QTEST_GUILESS_MAIN(TestImageConvert)
#include "test_ui_image_convert.moc"
