#include <QtTest/QtTest>

#include <fstream>

#include <opencv2/imgproc.hpp>

#include "core/common/error.h"
#include "core/common/runtime.h"
#include "core/infer/inference_engine.h"
#include "core/io/model_io.h"
#include "tests/support/image_checks.h"
#include "tests/support/test_support.h"

using namespace p2p;

namespace {

cv::Mat testImage(int width, int height, int seed = 0) {
    cv::Mat image(height, width, CV_8UC3);
    cv::RNG rng(seed);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            image.at<cv::Vec3b>(y, x) =
                cv::Vec3b(uchar(x * 255 / width), uchar(y * 255 / height), uchar((x + y) % 256));
    for (int i = 0; i < 10; ++i)
        cv::rectangle(image, cv::Point(rng.uniform(0, width), rng.uniform(0, height)),
                      cv::Point(rng.uniform(0, width), rng.uniform(0, height)),
                      cv::Scalar(rng.uniform(0, 256), rng.uniform(0, 256), rng.uniform(0, 256)), cv::FILLED);
    return image;
}

double meanDiff(const cv::Mat& a, const cv::Mat& b) {
    cv::Mat d;
    cv::absdiff(a, b, d);
    const cv::Scalar m = cv::mean(d);
    return (m[0] + m[1] + m[2]) / 3.0;
}

// Mean absolute difference between neighbouring columns x-1 and x (all rows, all channels).
double columnStep(const cv::Mat& image, int x) {
    cv::Mat d;
    cv::absdiff(image.col(x - 1), image.col(x), d);
    const cv::Scalar m = cv::mean(d);
    return (m[0] + m[1] + m[2]) / 3.0;
}

EngineOptions fp32Options() {
    EngineOptions o;
    o.precision = "fp32";
    o.device = Device::cpu();
    return o;
}

}  // namespace

class TestInferenceEngine : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string modelPath_, noDPath_;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        torch::manual_seed(11);
        UnetGenerator g(test::tinyGeneratorOptions("unet_128", Norm::Batch));  // dropout on
        initWeights(*g);
        DiscriminatorOptions dopt;
        dopt.ndf = 8;
        PatchDiscriminator d(dopt);
        initWeights(*d);
        {
            torch::NoGradGuard noGrad;
            g->train();
            d->train();
            for (int i = 0; i < 3; ++i) {
                g->forward(torch::randn({2, 3, 128, 128}) * 0.5);
                d->forward(torch::randn({2, 6, 128, 128}) * 0.5);
            }
        }
        SaveModelOptions options;
        options.name = "tiny";
        modelPath_ = dir_.filePath("tiny.p2pm").toStdString();
        saveModel(modelPath_, g, d, options);
        noDPath_ = dir_.filePath("tiny_g.p2pm").toStdString();
        saveModel(noDPath_, g, PatchDiscriminator(nullptr), options);
    }

    void oddSizesComeBackTheSameSize_data() {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("type");
        QTest::newRow("300x200") << 300 << 200 << CV_8UC3;
        QTest::newRow("37x50 (smaller than the pad)") << 37 << 50 << CV_8UC3;
        QTest::newRow("1x1") << 1 << 1 << CV_8UC3;
        QTest::newRow("128x128 exact") << 128 << 128 << CV_8UC3;
        QTest::newRow("grey 65x129") << 65 << 129 << CV_8UC1;
        QTest::newRow("bgra 40x30") << 40 << 30 << CV_8UC4;
    }
    void oddSizesComeBackTheSameSize() {
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(int, type);
        InferenceEngine engine(fp32Options());
        engine.load(modelPath_);
        cv::Mat input = testImage(width, height);
        if (type == CV_8UC1) cv::cvtColor(input, input, cv::COLOR_BGR2GRAY);
        if (type == CV_8UC4) cv::cvtColor(input, input, cv::COLOR_BGR2BGRA);
        const cv::Mat out = engine.translate(input);
        QCOMPARE(out.cols, width);
        QCOMPARE(out.rows, height);
        QCOMPARE(out.type(), CV_8UC3);
    }

    void fastPathMatchesTheModule_data() {
        QTest::addColumn<int>("norm");
        QTest::newRow("running") << int(NormStats::Running);
        QTest::newRow("image") << int(NormStats::Image);
    }
    void fastPathMatchesTheModule() {
        QFETCH(int, norm);
        EngineOptions fast = fp32Options(), naive = fp32Options();
        fast.preview_norm = naive.preview_norm = NormStats(norm);
        naive.fast_path = false;
        InferenceEngine a(fast), b(naive);
        a.load(modelPath_);
        b.load(modelPath_);
        const cv::Mat image = testImage(200, 150, 3);
        // Rounding to 8 bits may flip a value that sits on a .5 boundary by one level.
        QVERIFY(test::maxPixelDifference(a.translate(image), b.translate(image)) <= 1.0);
        QVERIFY(a.describe().find("fast path") != std::string::npos);
    }

    void previewIsDeterministic() {
        InferenceEngine engine(fp32Options());
        engine.load(modelPath_);
        const cv::Mat image = testImage(160, 120);
        QCOMPARE(test::maxPixelDifference(engine.translate(image), engine.translate(image)), 0.0);
    }

    void paperModeIsSeeded() {
        InferenceEngine engine(fp32Options());
        engine.load(modelPath_);
        const cv::Mat image = testImage(128, 128);
        TranslateOptions paper;
        paper.mode = TranslateMode::Paper;
        paper.seed = 1;
        const cv::Mat a = engine.translate(image, paper);
        const cv::Mat again = engine.translate(image, paper);
        QCOMPARE(test::maxPixelDifference(a, again), 0.0);
        paper.seed = 2;
        const cv::Mat b = engine.translate(image, paper);
        QVERIFY(meanDiff(a, b) > 0.01);
        // Paper mode (dropout) is not the deterministic preview either.
        QVERIFY(meanDiff(a, engine.translate(image)) > 0.01);
    }

    void runningAndImageStatisticsDiffer() {
        EngineOptions running = fp32Options(), image = fp32Options();
        running.preview_norm = NormStats::Running;
        image.preview_norm = NormStats::Image;
        InferenceEngine a(running), b(image);
        a.load(modelPath_);
        b.load(modelPath_);
        const cv::Mat input = testImage(128, 128, 5);
        QVERIFY(meanDiff(a.translate(input), b.translate(input)) > 0.5);
    }

    void tilesMatchTheWholeImageWithoutSeams_data() {
        QTest::addColumn<int>("norm");
        QTest::newRow("running") << int(NormStats::Running);
        QTest::newRow("image (shared statistics)") << int(NormStats::Image);
    }
    void tilesMatchTheWholeImageWithoutSeams() {
        QFETCH(int, norm);
        EngineOptions whole = fp32Options(), tiled = fp32Options();
        whole.preview_norm = tiled.preview_norm = NormStats(norm);
        tiled.tile_size = 256;
        tiled.tile_overlap = 64;
        InferenceEngine a(whole), b(tiled);
        a.load(modelPath_);
        b.load(modelPath_);
        const cv::Mat image = testImage(700, 300, 9);
        const cv::Mat full = a.translate(image), tiles = b.translate(image);
        QCOMPARE(tiles.size(), image.size());
        // Tiles see less context than the whole image, so they are close, not equal.
        const double mean = meanDiff(full, tiles);
        QVERIFY2(mean < 12.0, qPrintable(QString("mean |tiled - whole| = %1 levels").arg(mean)));
        // No seams: the step between neighbouring columns at tile borders is like the steps elsewhere.
        double typical = 0;
        for (int x = 1; x < tiles.cols; ++x) typical += columnStep(tiles, x);
        typical /= tiles.cols - 1;
        // 700 wide in tiles of 256 with overlap >= 64: starts 0, 148, 296, 444; tile edges at these and +256.
        qInfo("mean |tiled - whole| %.2f levels; typical column step %.2f", mean, typical);
        for (int edge : {148, 256, 296, 404, 444, 552}) {
            const double step = columnStep(tiles, edge);
            qInfo("column %d: step %.2f", edge, step);
            QVERIFY2(step < 3.0 * typical + 2.0,
                     qPrintable(QString("column %1: step %2, typical %3").arg(edge).arg(step).arg(typical)));
        }
    }

    void discriminatorMapShape_data() {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("mapWidth");
        QTest::addColumn<int>("mapHeight");
        QTest::newRow("256x256") << 256 << 256 << 30 << 30;
        QTest::newRow("128x128") << 128 << 128 << 14 << 14;
        QTest::newRow("100x70 (padded)") << 100 << 70 << -1 << -1;
    }
    void discriminatorMapShape() {
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(int, mapWidth);
        QFETCH(int, mapHeight);
        InferenceEngine engine(fp32Options());
        engine.load(modelPath_);
        QVERIFY(engine.hasDiscriminator());
        const cv::Mat input = testImage(width, height);
        const cv::Mat map = engine.discriminatorMap(input, engine.translate(input));
        QCOMPARE(map.type(), CV_32FC1);
        if (mapWidth > 0) {
            QCOMPARE(map.cols, mapWidth);
            QCOMPARE(map.rows, mapHeight);
        } else {
            QVERIFY(map.cols >= 1 && map.rows >= 1);
            QVERIFY(map.cols > map.rows);  // keeps the aspect
        }
        double lo = 0, hi = 0;
        cv::minMaxLoc(map, &lo, &hi);
        QVERIFY(lo >= 0.0 && hi <= 1.0);
        QVERIFY_THROWS_EXCEPTION(Error, engine.discriminatorMap(input, testImage(width + 1, height)));
    }

    void errors() {
        InferenceEngine engine(fp32Options());
        QVERIFY(!engine.hasModel());
        QVERIFY_THROWS_EXCEPTION(Error, engine.translate(testImage(64, 64)));
        QVERIFY_THROWS_EXCEPTION(Error, engine.model());
        QVERIFY_THROWS_EXCEPTION(Error, engine.load(dir_.filePath("missing.p2pm").toStdString()));
        const std::string garbage = dir_.filePath("garbage.p2pm").toStdString();
        std::ofstream(garbage) << "not a model";
        QVERIFY_THROWS_EXCEPTION(Error, engine.load(garbage));
        QVERIFY(!engine.hasModel());

        engine.load(noDPath_);
        QVERIFY(!engine.hasDiscriminator());
        QVERIFY_THROWS_EXCEPTION(Error, engine.discriminatorMap(testImage(64, 64), testImage(64, 64)));
        // A failed load keeps the previous model.
        QVERIFY_THROWS_EXCEPTION(Error, engine.load(garbage));
        QVERIFY(engine.hasModel());
        QCOMPARE(engine.translate(testImage(64, 64)).cols, 64);
        QVERIFY_THROWS_EXCEPTION(Error, engine.translate(cv::Mat()));

        EngineOptions bad;
        bad.precision = "fp8";
        QVERIFY_THROWS_EXCEPTION(Error, InferenceEngine{bad});
        bad = {};
        bad.tile_size = 10;
        QVERIFY_THROWS_EXCEPTION(Error, InferenceEngine{bad});
        if (!torch::cuda::is_available()) {
            bad = {};
            bad.device = Device::cuda();
            QVERIFY_THROWS_EXCEPTION(Error, InferenceEngine{bad});
        }
    }

    void autoPrecisionIsCheckedAgainstFp32() {
        InferenceEngine engine;  // auto precision
        engine.load(modelPath_);
        if (cpuBf16Support().any()) {
            QVERIFY2(engine.precisionReport().find("max |bf16 - fp32|") != std::string::npos,
                     engine.precisionReport().c_str());
            // Whatever it chose, the output stays close to fp32.
            InferenceEngine reference(fp32Options());
            reference.load(modelPath_);
            const cv::Mat image = testImage(128, 128, 2);
            QVERIFY(meanDiff(engine.translate(image), reference.translate(image)) < 2.0);
        } else {
            QCOMPARE(engine.precision(), std::string("fp32"));
        }
        QVERIFY(engine.describe().find(engine.precision()) != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestInferenceEngine)
#include "test_inference_engine.moc"
