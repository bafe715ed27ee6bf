#include <QtTest/QtTest>

#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "core/io/model_io.h"
#include "tests/support/test_support.h"

using namespace p2p;

// `pix2pix translate` end to end: folder in, PNGs out, per-file errors, exit codes.
class TestTranslateCli : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString model_;

    int runCli(const QStringList& args, QString* errors = nullptr) {
        const auto r = test::runCli(args);
        if (errors) *errors = r.err;
        return r.exitCode;
    }

private Q_SLOTS:
    void initTestCase() {
        if (test::cliPath().isEmpty()) P2P_SKIP_UNLESS_REQUIRED("P2P_TESTS_REQUIRE_SHARED", QStringLiteral("the pix2pix CLI is not built"));
        torch::manual_seed(1);
        UnetGenerator g(test::tinyGeneratorOptions("unet_128", Norm::Batch));
        initWeights(*g);
        model_ = dir_.filePath("tiny.p2pm");
        saveModel(model_.toStdString(), g, PatchDiscriminator(nullptr), SaveModelOptions{});
    }

    void translatesAFolderAndReportsBadFiles() {
        const QString input = dir_.filePath("in"), output = dir_.filePath("out");
        QDir().mkpath(input);
        cv::Mat a(70, 90, CV_8UC3, cv::Scalar(10, 200, 30)), pair(64, 128, CV_8UC3, cv::Scalar(90, 90, 90));
        QVERIFY(cv::imwrite((input + "/a.png").toStdString(), a));
        QVERIFY(cv::imwrite((input + "/pair.jpg").toStdString(), pair));
        std::ofstream((input + "/broken.png").toStdString()) << "not an image";

        QString errors;
        const int code = runCli({"translate", "--model", model_, "--input", input, "--output", output,
                                 "--precision", "fp32", "--device", "cpu"},
                                &errors);
        QCOMPARE(code, 1);  // one file failed, the others were written
        QVERIFY2(errors.contains("broken.png"), qPrintable(errors));
        const cv::Mat outA = cv::imread((output + "/a.png").toStdString());
        QCOMPARE(outA.cols, 90);
        QCOMPARE(outA.rows, 70);
        QVERIFY(QFileInfo::exists(output + "/pair.png"));
        QVERIFY(!QFileInfo::exists(output + "/broken.png"));

        // An aligned A|B pair: one half goes through.
        const QString aligned = dir_.filePath("aligned");
        QCOMPARE(runCli({"translate", "--model", model_, "--input", input + "/pair.jpg", "--output", aligned,
                         "--aligned", "--direction", "BtoA", "--mode", "paper", "--seed", "3"}),
                 0);
        const cv::Mat half = cv::imread((aligned + "/pair.png").toStdString());
        QCOMPARE(half.cols, 64);
        QCOMPARE(half.rows, 64);
    }

    void oneFileToANamedImage() {
        // One input and an --output that names an image: that file is written (its folder created).
        const QString input = dir_.filePath("single.png");
        QVERIFY(cv::imwrite(input.toStdString(), cv::Mat(64, 64, CV_8UC3, cv::Scalar(200, 40, 40))));
        const QString output = dir_.filePath("named/photo.jpg");
        QString errors;
        QCOMPARE(runCli({"translate", "--model", model_, "--input", input, "--output", output, "--direction", "BtoA"},
                        &errors),
                 0);
        QVERIFY2(errors.contains("warning: --direction BtoA applies to aligned"), qPrintable(errors));  // not silent
        QVERIFY(QFileInfo(output).isFile());
        QCOMPARE(cv::imread(output.toStdString()).cols, 64);
    }

    void usageErrors() {
        QCOMPARE(runCli({"translate", "--model", model_, "--input", dir_.path(), "--output", dir_.path(),
                         "--mode", "dream"}),
                 2);
        QCOMPARE(runCli({"translate", "--model", model_, "--input", dir_.path(), "--output", dir_.path(),
                         "--device", "tpu"}),
                 2);
        QCOMPARE(runCli({"translate", "--input", dir_.path(), "--output", dir_.path()}), 2);
        // A file that is not a model: a clear error and exit code 1.
        const QString fake = dir_.filePath("fake.p2pm");
        std::ofstream(fake.toStdString()) << "nope";
        QString errors;
        QCOMPARE(
            runCli({"translate", "--model", fake, "--input", dir_.path(), "--output", dir_.filePath("x")},
                   &errors),
            1);
        QVERIFY2(errors.contains("fake.p2pm"), qPrintable(errors));
    }
};

QTEST_GUILESS_MAIN(TestTranslateCli)
#include "test_translate_cli.moc"
