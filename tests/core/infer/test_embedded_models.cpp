// The models shipped in models/: they load, are what the model card says, and still produce the output stored
// when they were shipped (tests/data/golden). A broken fp16 conversion, load path, palette or normalisation
// mode changes the output far beyond the tolerance.

#include <QtTest/QtTest>

#include <filesystem>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/infer/inference_engine.h"
#include "tests/support/test_support.h"

using namespace p2p;

class TestEmbeddedModels : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void matchesTheGoldenOutput_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("inputKind");
        QTest::addColumn<bool>("withDiscriminator");
        QTest::newRow("facades") << "facades" << "facade-labels" << true;
        QTest::newRow("edges") << "edges" << "edges" << true;
        // The evaluation's photo -> label model: nobody asks for its patch maps.
        QTest::newRow("facades-segmenter") << "facades-segmenter" << "photo" << false;
    }

    void matchesTheGoldenOutput() {
        QFETCH(QString, model);
        QFETCH(QString, inputKind);
        QFETCH(bool, withDiscriminator);
        const std::string path = P2P_SOURCE_DIR "/models/" + model.toStdString() + ".p2pm";
        const std::string golden = P2P_SOURCE_DIR "/tests/data/golden/" + model.toStdString();
        QVERIFY2(std::filesystem::exists(path), path.c_str());
        QVERIFY(std::filesystem::file_size(path) <= 30u * 1000 * 1000);

        const ModelInfo info = inspectModel(path);
        QCOMPARE(info.stored_dtype, std::string("float16"));
        QCOMPARE(info.input_kind, inputKind.toStdString());
        QCOMPARE(info.discriminator.has_value(), withDiscriminator);  // the studio's heatmap needs one

        EngineOptions options;
        options.device = p2p::Device::cpu();
        options.precision = "fp32";
        options.warm_up = false;
        options.preview_norm = preferredPreviewNorm(info);
        InferenceEngine engine(options);
        engine.load(path);

        const cv::Mat input = cv::imread(golden + "_input.png", cv::IMREAD_COLOR);
        const cv::Mat expected = cv::imread(golden + "_expected.png", cv::IMREAD_COLOR);
        QVERIFY(!input.empty() && !expected.empty());
        const cv::Mat output = engine.translate(input);
        QCOMPARE(output.size(), expected.size());

        // Float results differ slightly between CPUs (oneDNN picks kernels per ISA): allow a little.
        cv::Mat diff;
        cv::absdiff(output, expected, diff);
        const double mean = cv::mean(diff.reshape(1))[0];
        cv::Mat far;
        cv::threshold(diff.reshape(1), far, 8, 1, cv::THRESH_BINARY);
        const double farFraction = cv::countNonZero(far) / double(diff.total() * diff.channels());
        QVERIFY2(mean <= 1.0 && farFraction <= 0.01,
                 qPrintable(QStringLiteral("mean |diff| %1, %2% of values off by more than 8")
                                .arg(mean)
                                .arg(farFraction * 100)));

        // And it is a picture, not a constant: the golden output has structure.
        cv::Scalar m, sd;
        cv::meanStdDev(expected.reshape(1), m, sd);
        QVERIFY(sd[0] > 20);
    }
};

QTEST_GUILESS_MAIN(TestEmbeddedModels)
#include "test_embedded_models.moc"
