// Photo -> edge sketch, paired edge datasets, and the `pix2pix edges` command line.

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <filesystem>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/common/error.h"
#include "core/data/paired_dataset.h"
#include "core/edges/edges.h"
#include "core/io/image_io.h"
#include "tests/core/data/crafted_files.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using namespace p2p;

namespace {

cv::Mat squarePhoto(int size, int variant) {
    cv::Mat m(size, size, CV_8UC3, cv::Scalar(20, 30, 40));
    cv::rectangle(m, cv::Rect(size / 4 + variant, size / 4, size / 2, size / 2), cv::Scalar(230, 220, 210),
                  cv::FILLED);
    return m;
}

void writePng(const fs::path& path, const cv::Mat& image) {
    fs::create_directories(path.parent_path());
    std::vector<uint8_t> bytes;
    cv::imencode(".png", image, bytes);
    test::writeBytes(path.string(), bytes);
}

int blackPixels(const cv::Mat& sketch) {
    cv::Mat grey;
    cv::cvtColor(sketch, grey, cv::COLOR_BGR2GRAY);
    return cv::countNonZero(grey == 0);
}

QString cli() {
    return qEnvironmentVariable("P2P_CLI");
}

}  // namespace

class TestEdges : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void blackEdgesOnWhite() {
        const cv::Mat photo = squarePhoto(64, 0);
        const cv::Mat sketch = photoToEdges(photo);
        QCOMPARE(sketch.type(), CV_8UC3);
        QCOMPARE(sketch.size(), photo.size());
        // Only black and white, white background, black along the square's outline and nowhere else.
        cv::Mat grey;
        cv::cvtColor(sketch, grey, cv::COLOR_BGR2GRAY);
        QCOMPARE(cv::countNonZero((grey != 0) & (grey != 255)), 0);
        QCOMPARE(int(grey.at<uchar>(2, 2)), 255);
        QCOMPARE(int(grey.at<uchar>(32, 32)), 255);
        QVERIFY(blackPixels(sketch) > 4 * 20);
        cv::Mat outline(64, 64, CV_8UC1, cv::Scalar(0));
        cv::rectangle(outline, cv::Rect(16, 16, 32, 32), cv::Scalar(255), 5);  // the outline +-2 px
        QCOMPARE(cv::countNonZero((grey == 0) & (outline == 0)), 0);
        // A flat image has no edges.
        QCOMPARE(blackPixels(photoToEdges(cv::Mat(32, 32, CV_8UC3, cv::Scalar(90, 90, 90)))), 0);
    }

    void thicknessAndThresholds() {
        const cv::Mat photo = squarePhoto(64, 0);
        EdgeOptions thick;
        thick.thickness = 3;
        QVERIFY(blackPixels(photoToEdges(photo, thick)) > blackPixels(photoToEdges(photo)));
        // A faint square (contrast 30) passes a low threshold and not a high one.
        cv::Mat faint(64, 64, CV_8UC3, cv::Scalar(100, 100, 100));
        cv::rectangle(faint, cv::Rect(16, 16, 32, 32), cv::Scalar(130, 130, 130), cv::FILLED);
        EdgeOptions low;
        low.low = 20;
        low.high = 40;
        low.blur = 0;
        EdgeOptions high = low;
        high.low = 400;
        high.high = 800;
        QVERIFY(blackPixels(photoToEdges(faint, low)) > 0);
        QCOMPARE(blackPixels(photoToEdges(faint, high)), 0);
    }

    void validateRefusesBadOptions_data() {
        QTest::addColumn<double>("low");
        QTest::addColumn<double>("high");
        QTest::addColumn<int>("blur");
        QTest::addColumn<int>("thickness");
        QTest::addColumn<QString>("reason");
        QTest::newRow("low > high") << 200.0 << 100.0 << 3 << 1 << "must not exceed";
        QTest::newRow("negative") << -1.0 << 100.0 << 3 << 1 << "between 0 and";
        QTest::newRow("nan") << std::nan("") << 100.0 << 3 << 1 << "between 0 and";
        QTest::newRow("even blur") << 100.0 << 200.0 << 4 << 1 << "blur";
        QTest::newRow("blur 1") << 100.0 << 200.0 << 1 << 1 << "blur";
        QTest::newRow("thickness 0") << 100.0 << 200.0 << 3 << 0 << "thickness";
    }
    void validateRefusesBadOptions() {
        QFETCH(double, low);
        QFETCH(double, high);
        QFETCH(int, blur);
        QFETCH(int, thickness);
        QFETCH(QString, reason);
        EdgeOptions o;
        o.low = low;
        o.high = high;
        o.blur = blur;
        o.thickness = thickness;
        try {
            o.validate();
            QFAIL("accepted bad options");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains(reason), e.what());
        }
    }

    void datasetFromPhotoFolderWithSplits() {
        QTemporaryDir dir;
        const fs::path in = fs::path(dir.path().toStdString()) / "photos",
                       out = fs::path(dir.path().toStdString()) / "edges";
        for (int i = 0; i < 3; ++i) writePng(in / "train" / (std::to_string(i) + ".png"), squarePhoto(48, i));
        for (int i = 0; i < 2; ++i)
            writePng(in / "test" / ("t" + std::to_string(i) + ".png"), squarePhoto(48, i));
        test::writeBytes((in / "train" / "broken.jpg").string(), {0xFF, 0xD8, 0xFF});
        test::writeBytes((in / "train" / "notes.txt").string(), {'x'});
        int lastDone = -1;
        const EdgeDatasetSummary summary = makeEdgesDataset(
            in.string(), out.string(), {}, [&](int done, int) { return lastDone = done, true; });
        QCOMPARE(summary.written.at("train"), 3);
        QCOMPARE(summary.written.at("test"), 2);
        QCOMPARE(summary.skipped.size(), size_t(1));
        QVERIFY(summary.skipped[0].path.find("broken.jpg") != std::string::npos);
        QCOMPARE(lastDone, 6);
        QVERIFY(fs::exists(out / "edges_summary.txt"));

        const DatasetScan scan = scanPairedFolder(out.string());
        QCOMPARE(int(scan.layout), int(DatasetLayout::Aligned));
        QCOMPARE(scan.split("train").size(), size_t(3));
        QCOMPARE(scan.split("test").size(), size_t(2));
        // A = edges of the photo, B = the photo (lossless PNG all the way).
        const ImagePair pair = loadPair(scan.split("train")[1], scan.layout, Direction::AtoB);
        QCOMPARE(cv::norm(pair.target, squarePhoto(48, 1), cv::NORM_INF), 0.0);
        QCOMPARE(cv::norm(pair.input, photoToEdges(squarePhoto(48, 1)), cv::NORM_INF), 0.0);
    }

    void datasetFromAlignedFolderTakesOneSide_data() {
        QTest::addColumn<QString>("side");
        QTest::newRow("left") << "left";
        QTest::newRow("right") << "right";
    }
    void datasetFromAlignedFolderTakesOneSide() {
        QFETCH(QString, side);
        QTemporaryDir dir;
        const fs::path in = fs::path(dir.path().toStdString()) / "aligned",
                       out = fs::path(dir.path().toStdString()) / "edges";
        cv::Mat ab;
        cv::hconcat(squarePhoto(40, 0), squarePhoto(40, 5), ab);
        writePng(in / "ab.png", ab);
        EdgeDatasetOptions options;
        options.side = photoSideFromString(side.toStdString());
        const EdgeDatasetSummary summary = makeEdgesDataset(in.string(), out.string(), options);
        QCOMPARE(summary.written.at(""), 1);
        const cv::Mat written = loadImage((out / "ab.png").string()).bgr;
        QCOMPARE(written.size(), cv::Size(80, 40));
        const cv::Mat photo = squarePhoto(40, side == "left" ? 0 : 5);
        QCOMPARE(cv::norm(written(cv::Rect(40, 0, 40, 40)), photo, cv::NORM_INF), 0.0);
        QCOMPARE(cv::norm(written(cv::Rect(0, 0, 40, 40)), photoToEdges(photo), cv::NORM_INF), 0.0);
    }

    void datasetErrors() {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        fs::create_directories(root + "/empty");
        QVERIFY_EXCEPTION_THROWN(makeEdgesDataset(root + "/missing", root + "/out", {}), Error);
        QVERIFY_EXCEPTION_THROWN(makeEdgesDataset(root + "/empty", root + "/out", {}), Error);
        writePng(root + "/photos/a.png", squarePhoto(32, 0));
        try {
            makeEdgesDataset(root + "/photos", root + "/photos", {});
            QFAIL("wrote into the photo folder");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("is the photo folder"));
        }
        // Two photos that would both become a.png.
        writePng(root + "/photos/a.bmp", squarePhoto(32, 1));
        const auto summary = makeEdgesDataset(root + "/photos", root + "/out2", {});
        QCOMPARE(summary.written.at(""), 1);
        QCOMPARE(summary.skipped.size(), size_t(1));
        QVERIFY(QString::fromStdString(summary.skipped[0].reason).contains("same name"));
        try {
            makeEdgesDataset(root + "/photos", root + "/out3", {}, [](int done, int) { return done < 1; });
            QFAIL("cancel ignored");
        } catch (const Error& e) {
            QCOMPARE(std::string(e.what()), std::string("cancelled"));
        }
        QVERIFY(photoSideFromString("whole") == PhotoSide::Whole);
        QVERIFY_EXCEPTION_THROWN(photoSideFromString("middle"), Error);
    }

    void realFacadesPhotoHalf() {
        P2P_REQUIRE_SHARED(facades, "data/facades/test");
        QTemporaryDir dir;
        const fs::path in = fs::path(dir.path().toStdString()) / "facades";
        fs::create_directories(in / "test");
        for (const char* n : {"1.jpg", "2.jpg"}) fs::copy_file(fs::path(facades) / n, in / "test" / n);
        EdgeDatasetOptions options;
        options.side = PhotoSide::Left;
        const auto summary = makeEdgesDataset(in.string(), dir.path().toStdString() + "/out", options);
        QCOMPARE(summary.written.at("test"), 2);
        const cv::Mat written = loadImage(dir.path().toStdString() + "/out/test/1.png").bgr;
        QCOMPARE(written.size(), cv::Size(512, 256));
        const cv::Mat photo = loadImage(facades + "/1.jpg").bgr(cv::Rect(0, 0, 256, 256));
        QCOMPARE(cv::norm(written(cv::Rect(256, 0, 256, 256)), photo, cv::NORM_INF), 0.0);
        // A facade photo has plenty of edges, but far from everywhere.
        const int black = blackPixels(written(cv::Rect(0, 0, 256, 256)));
        QVERIFY2(black > 256 * 256 / 50 && black < 256 * 256 / 2, qPrintable(QString::number(black)));
    }

    void commandLine_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::newRow("help") << QStringList{"edges", "--help"} << 0;
        QTest::newRow("no input") << QStringList{"edges", "--output", "x"} << 2;
        QTest::newRow("low > high") << QStringList{"edges", "--input", "IN", "--output",
                                                   "OUT",   "--low",   "300"}
                                    << 2;
        QTest::newRow("even blur") << QStringList{"edges", "--input", "IN", "--output", "OUT", "--blur", "4"}
                                   << 2;
        QTest::newRow("bad side") << QStringList{"edges", "--input", "IN", "--output", "OUT", "--side", "top"}
                                  << 2;
        QTest::newRow("not a number")
            << QStringList{"edges", "--input", "IN", "--output", "OUT", "--low", "x"} << 2;
        QTest::newRow("missing folder") << QStringList{"edges", "--input", "MISSING", "--output", "OUT"} << 1;
        QTest::newRow("runs") << QStringList{"edges", "--input", "IN", "--output", "OUT", "--side", "left"}
                              << 0;
    }
    void commandLine() {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        if (cli().isEmpty() || !QFileInfo::exists(cli()))
            P2P_SKIP_UNLESS_REQUIRED("P2P_TESTS_REQUIRE_SHARED", QStringLiteral("P2P_CLI (the pix2pix binary) is not set; run via ctest"));
        QTemporaryDir dir;
        const fs::path in = fs::path(dir.path().toStdString()) / "in";
        cv::Mat ab;
        cv::hconcat(squarePhoto(32, 0), squarePhoto(32, 3), ab);
        writePng(in / "train" / "1.png", ab);
        for (auto& a : args) {
            a.replace("MISSING", dir.path() + "/missing");
            a.replace("IN", QString::fromStdString(in.string()));
            a.replace("OUT", dir.path() + "/out");
        }
        QProcess process;
        process.start(cli(), args);
        QVERIFY(process.waitForFinished(60000));
        const QString output = process.readAllStandardOutput() + process.readAllStandardError();
        QVERIFY2(process.exitCode() == exitCode, qPrintable(output));
        if (QByteArray(QTest::currentDataTag()) == "help") QVERIFY(output.contains("--side"));
        if (QByteArray(QTest::currentDataTag()) == "runs") {
            QVERIFY(fs::exists(dir.path().toStdString() + "/out/train/1.png"));
            QVERIFY2(output.contains("train: 1 pairs"), qPrintable(output));
        }
    }
};

QTEST_GUILESS_MAIN(TestEdges)
#include "test_edges.moc"
