// L1, PSNR and SSIM against hand-computed values and a direct (loop) implementation of Wang et al. 2004.

#include <QtTest/QtTest>

#include <cmath>
#include <random>

#include <opencv2/imgproc.hpp>

#include "core/common/error.h"
#include "core/metrics/metrics.h"

using namespace p2p;

namespace {

cv::Mat randomImage(int w, int h, int type, unsigned seed) {
    cv::Mat m(h, w, type);
    cv::RNG rng(seed);
    rng.fill(m, cv::RNG::UNIFORM, 0, 256);
    return m;
}

// SSIM of one channel written out from the paper's definitions: every 11x11 window inside the image,
// Gaussian weights (sigma 1.5, normalised), weighted means, variances and covariance.
double naiveSsimChannel(const cv::Mat& x, const cv::Mat& y) {
    double w[11][11], sum = 0;
    for (int i = 0; i < 11; ++i)
        for (int j = 0; j < 11; ++j)
            sum += w[i][j] = std::exp(-((i - 5) * (i - 5) + (j - 5) * (j - 5)) / (2 * 1.5 * 1.5));
    const double c1 = std::pow(0.01 * 255, 2), c2 = std::pow(0.03 * 255, 2);
    double total = 0;
    int windows = 0;
    for (int top = 0; top + 11 <= x.rows; ++top)
        for (int left = 0; left + 11 <= x.cols; ++left) {
            double mx = 0, my = 0;
            for (int i = 0; i < 11; ++i)
                for (int j = 0; j < 11; ++j) {
                    mx += w[i][j] / sum * x.at<uchar>(top + i, left + j);
                    my += w[i][j] / sum * y.at<uchar>(top + i, left + j);
                }
            double vx = 0, vy = 0, cxy = 0;
            for (int i = 0; i < 11; ++i)
                for (int j = 0; j < 11; ++j) {
                    const double dx = x.at<uchar>(top + i, left + j) - mx,
                                 dy = y.at<uchar>(top + i, left + j) - my;
                    vx += w[i][j] / sum * dx * dx;
                    vy += w[i][j] / sum * dy * dy;
                    cxy += w[i][j] / sum * dx * dy;
                }
            total += (2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
            ++windows;
        }
    return total / windows;
}

}  // namespace

class TestMetrics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void identicalImages() {
        const cv::Mat a = randomImage(32, 24, CV_8UC3, 1);
        QCOMPARE(meanL1(a, a), 0.0);
        QCOMPARE(meanL1_255(a, a), 0.0);
        QVERIFY(std::isinf(psnr(a, a)) && psnr(a, a) > 0);
        QCOMPARE(ssim(a, a), 1.0);
        const ImageMetrics m = compareImages(a, a.clone());
        QCOMPARE(m.ssim, 1.0);
        QCOMPARE(m.l1, 0.0);
    }

    void uniformImages_data() {
        QTest::addColumn<int>("va");
        QTest::addColumn<int>("vb");
        QTest::newRow("black vs white") << 0 << 255;
        QTest::newRow("100 vs 110") << 100 << 110;
        QTest::newRow("37 vs 36") << 37 << 36;
    }
    void uniformImages() {
        QFETCH(int, va);
        QFETCH(int, vb);
        const cv::Mat a(16, 20, CV_8UC3, cv::Scalar::all(va)), b(16, 20, CV_8UC3, cv::Scalar::all(vb));
        const double d = std::abs(va - vb);
        QCOMPARE(meanL1_255(a, b), d);
        QVERIFY(std::abs(meanL1(a, b) - d / 127.5) < 1e-12);  // the reference's L1 on [-1, 1]
        QVERIFY(std::abs(psnr(a, b) - 10 * std::log10(255.0 * 255.0 / (d * d))) < 1e-9);
        // No variance: SSIM is the luminance term alone.
        const double c1 = std::pow(0.01 * 255, 2);
        const double expected = (2.0 * va * vb + c1) / (double(va) * va + double(vb) * vb + c1);
        QVERIFY2(std::abs(ssim(a, b) - expected) < 1e-9,
                 qPrintable(QString("%1 vs %2").arg(ssim(a, b)).arg(expected)));
    }

    void handComputedTinyImage() {
        // 2x2 grey: |0-1| + |10-10| + |20-24| + |255-250| = 10 over 4 pixels.
        cv::Mat a = (cv::Mat_<uchar>(2, 2) << 0, 10, 20, 255), b = (cv::Mat_<uchar>(2, 2) << 1, 10, 24, 250);
        QCOMPARE(meanL1_255(a, b), 2.5);
        // MSE = (1 + 0 + 16 + 25) / 4 = 10.5
        QVERIFY(std::abs(psnr(a, b) - 10 * std::log10(65025.0 / 10.5)) < 1e-9);
        QVERIFY_EXCEPTION_THROWN(ssim(a, b), Error);  // smaller than one 11x11 window
    }

    void ssimMatchesTheDefinition_data() {
        QTest::addColumn<int>("w");
        QTest::addColumn<int>("h");
        QTest::addColumn<int>("type");
        QTest::newRow("11x11 grey: one window") << 11 << 11 << int(CV_8UC1);
        QTest::newRow("20x13 grey") << 20 << 13 << int(CV_8UC1);
        QTest::newRow("16x16 colour") << 16 << 16 << int(CV_8UC3);
    }
    void ssimMatchesTheDefinition() {
        QFETCH(int, w);
        QFETCH(int, h);
        QFETCH(int, type);
        const cv::Mat a = randomImage(w, h, type, 7);
        // b: a blurred, brightened copy with noise, so all three SSIM terms matter.
        cv::Mat b;
        cv::GaussianBlur(a, b, cv::Size(3, 3), 0);
        b = b + cv::Scalar::all(12);
        cv::Mat noise = randomImage(w, h, type, 9) / 8;
        b = b - noise;
        std::vector<cv::Mat> pa, pb;
        cv::split(a, pa);
        cv::split(b, pb);
        double expected = 0;
        for (size_t c = 0; c < pa.size(); ++c) expected += naiveSsimChannel(pa[c], pb[c]);
        expected /= double(pa.size());
        const double got = ssim(a, b);
        QVERIFY2(std::abs(got - expected) < 1e-9,
                 qPrintable(QString("%1 vs %2").arg(got, 0, 'g', 15).arg(expected, 0, 'g', 15)));
        QVERIFY(got < 1.0);
        QVERIFY(std::abs(ssim(b, a) - got) < 1e-12);  // symmetric
        QCOMPARE(ssimMap(a, b).size(), cv::Size(w - 10, h - 10));
    }

    void worseImagesScoreWorse() {
        const cv::Mat a = randomImage(48, 48, CV_8UC3, 3);
        cv::Mat slight, heavy;
        cv::GaussianBlur(a, slight, cv::Size(3, 3), 0.6);
        cv::GaussianBlur(a, heavy, cv::Size(9, 9), 3);
        QVERIFY(ssim(a, slight) > ssim(a, heavy));
        QVERIFY(psnr(a, slight) > psnr(a, heavy));
        QVERIFY(meanL1(a, slight) < meanL1(a, heavy));
    }

    void refusesMismatchedImages() {
        const cv::Mat a(16, 16, CV_8UC3, cv::Scalar::all(1));
        QVERIFY_EXCEPTION_THROWN(meanL1(a, cv::Mat(16, 17, CV_8UC3)), Error);
        QVERIFY_EXCEPTION_THROWN(psnr(a, cv::Mat(16, 16, CV_8UC1)), Error);
        QVERIFY_EXCEPTION_THROWN(ssim(a, cv::Mat()), Error);
        QVERIFY_EXCEPTION_THROWN(psnr(cv::Mat(16, 16, CV_32FC3), cv::Mat(16, 16, CV_32FC3)), Error);
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "test_metrics.moc"
