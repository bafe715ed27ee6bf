// `pix2pix-studio --self-test`: passes with a model and a label map, and fails (with where it looked) without a
// model, with an unreadable label map, and on a blank preview's contrast.

#include <QtTest/QtTest>

#include <QImage>
#include <QTemporaryDir>

#include <opencv2/imgcodecs.hpp>

#include "core/io/model_io.h"
#include "core/labels/palette.h"
#include "tests/support/studio_test_support.h"
#include "tests/support/test_support.h"
#include "ui/main_window.h"
#include "ui/self_test.h"

using namespace p2p;
using namespace p2p::ui;

class TestSelfTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString modelsDir_;
    QString labelMap_;

    int windows_ = 0;

    MainWindowOptions options(const QStringList& modelDirs) {
        // A first start each time: a remembered model would be loaded whatever the folders hold.
        MainWindowOptions o = test::quietStudioOptions(dir_.filePath(QStringLiteral("self-test-%1.ini").arg(++windows_)),
                                                       /*loadStartupModel=*/true);
        o.modelDirectories = modelDirs;
        return o;
    }

    // Runs the self-test to its end; returns (passed, report).
    std::pair<bool, QString> run(MainWindow& window, const QString& labelMap) {
        SelfTestOptions o;
        o.labelMap = labelMap;
        o.timeoutMs = 60000;
        StudioSelfTest test(&window, o);
        QSignalSpy finished(&test, &StudioSelfTest::finished);
        test.start();
        if (!QTest::qWaitFor([&] { return finished.count() == 1; }, 90000)) return {false, "never finished"};
        return {finished.at(0).at(0).toBool(), finished.at(0).at(1).toString()};
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(dir_.isValid());
        modelsDir_ = dir_.filePath(QStringLiteral("models"));
        QVERIFY(QDir().mkpath(modelsDir_));
        torch::manual_seed(11);
        UnetGenerator g(test::tinyGeneratorOptions("unet_128"));
        SaveModelOptions save;
        save.name = "facades";
        save.input_kind = "facade-labels";
        saveModel(QDir(modelsDir_).filePath(QStringLiteral("facades.p2pm")).toStdString(), g,
                  PatchDiscriminator{nullptr}, save);
        // A small label map: a facade with a grid of windows on a background border.
        cv::Mat labels(128, 128, CV_8UC3, cmpClass(cmpClassId("background")).bgr());
        labels(cv::Rect(8, 8, 112, 112)).setTo(cmpClass(cmpClassId("facade")).bgr());
        for (int y = 16; y < 110; y += 24)
            for (int x = 16; x < 110; x += 24)
                labels(cv::Rect(x, y, 12, 16)).setTo(cmpClass(cmpClassId("window")).bgr());
        labelMap_ = dir_.filePath(QStringLiteral("labels.png"));
        QVERIFY(cv::imwrite(labelMap_.toStdString(), labels));
    }

    void passesWithAModelAndALabelMap() {
        MainWindow w(options({modelsDir_}));
        const auto [passed, report] = run(w, labelMap_);
        QVERIFY2(passed, qPrintable(report));
        QVERIFY2(report.contains(QStringLiteral("facades.p2pm")), qPrintable(report));  // says which file it used
        QVERIFY2(report.contains(QStringLiteral("128×128")), qPrintable(report));
        QVERIFY(StudioSelfTest::contrast(w.lastResult()) > 0);
    }

    void failsWithoutAModelAndSaysWhereItLooked() {
        const QString empty = dir_.filePath(QStringLiteral("no-models"));
        QVERIFY(QDir().mkpath(empty));
        MainWindow w(options({empty}));
        const auto [passed, report] = run(w, labelMap_);
        QVERIFY(!passed);
        QVERIFY2(report.contains(QStringLiteral("no facades model found")), qPrintable(report));
        QVERIFY2(report.contains(empty), qPrintable(report));
    }

    void failsOnAnUnreadableLabelMap() {
        MainWindow w(options({modelsDir_}));
        const QString missing = dir_.filePath(QStringLiteral("missing.png"));
        const auto [passed, report] = run(w, missing);
        QVERIFY(!passed);
        QVERIFY2(report.contains(missing), qPrintable(report));
    }

    void contrastTellsABlankImageFromAPicture_data() {
        QTest::addColumn<QImage>("image");
        QTest::addColumn<bool>("blank");
        QImage grey(64, 64, QImage::Format_RGB32);
        grey.fill(QColor(128, 128, 128));
        QTest::newRow("uniform grey") << grey << true;
        QTest::newRow("null") << QImage() << true;
        QImage stripes(64, 64, QImage::Format_RGB32);
        for (int y = 0; y < 64; ++y)
            for (int x = 0; x < 64; ++x) stripes.setPixelColor(x, y, (x / 8) % 2 ? Qt::white : Qt::black);
        QTest::newRow("stripes") << stripes << false;
    }
    void contrastTellsABlankImageFromAPicture() {
        QFETCH(QImage, image);
        QFETCH(bool, blank);
        QCOMPARE(StudioSelfTest::contrast(image) < SelfTestOptions{}.minContrast, blank);
    }
};

QTEST_MAIN(TestSelfTest)
#include "test_self_test.moc"
