// The dataset scan: layouts, split folders, a bad-input corpus made by the test itself, and clear errors.

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <filesystem>
#include <random>

#include <unistd.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/common/error.h"
#include "core/data/paired_dataset.h"
#include "tests/core/data/crafted_files.h"
#include "tests/support/bad_inputs.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using namespace p2p;

namespace {

cv::Mat solid(int w, int h, cv::Scalar colour) {
    return cv::Mat(h, w, CV_8UC3, colour);
}

void writeImage(const fs::path& path, const cv::Mat& image) {
    fs::create_directories(path.parent_path());
    std::vector<uint8_t> bytes;
    if (!cv::imencode(path.extension().string(), image, bytes)) throw std::runtime_error("imencode failed");
    test::writeBytes(path.string(), bytes);
}

bool skippedWith(const DatasetScan& scan, const std::string& pathPart, const QString& reason) {
    for (const auto& s : scan.skipped)
        if (s.path.find(pathPart) != std::string::npos && QString::fromStdString(s.reason).contains(reason))
            return true;
    return false;
}

QString skippedList(const DatasetScan& scan) {
    QString out;
    for (const auto& s : scan.skipped) out += QString::fromStdString(s.path + ": " + s.reason + "\n");
    return out;
}

}  // namespace

class TestDatasetScan : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void alignedWithSplits() {
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        test::writeTinyAlignedSet((root / "train").string(), 5);
        test::writeTinyAlignedSet((root / "test").string(), 3);
        test::writeTinyAlignedSet((root / "val").string(), 2);
        const DatasetScan scan = scanPairedFolder(root.string());
        QCOMPARE(int(scan.layout), int(DatasetLayout::Aligned));
        QCOMPARE(scan.split("train").size(), size_t(5));
        QCOMPARE(scan.split("test").size(), size_t(3));
        QCOMPARE(scan.split("val").size(), size_t(2));
        QCOMPARE(scan.trainSplit(), std::string("train"));
        QCOMPARE(scan.testSplit(), std::string("test"));
        QCOMPARE(scan.image_sizes.at("128x64"), 10);
        QVERIFY(scan.skipped.empty());
        const PairEntry& first = scan.split("train").front();
        QCOMPARE(first.a_path, first.b_path);
        QCOMPARE(first.name, std::string("1"));
        QVERIFY_EXCEPTION_THROWN(scan.split("nope"), Error);
        QVERIFY(QString::fromStdString(scan.summary()).contains("train: 5 pairs"));
    }

    void alignedWithoutSplits() {
        QTemporaryDir dir;
        test::writeTinyAlignedSet(dir.path().toStdString(), 4);
        const DatasetScan scan = scanPairedFolder(dir.path().toStdString());
        QCOMPARE(scan.split("").size(), size_t(4));
        QCOMPARE(scan.trainSplit(), std::string(""));
        QCOMPARE(scan.testSplit(), std::string(""));
    }

    void onlyATestSplitHasNothingToTrainOn() {
        QTemporaryDir dir;
        test::writeTinyAlignedSet(dir.path().toStdString() + "/test", 2);
        const DatasetScan scan = scanPairedFolder(dir.path().toStdString());
        QCOMPARE(scan.testSplit(), std::string("test"));
        QVERIFY_EXCEPTION_THROWN(scan.trainSplit(), Error);
    }

    void twoFolderLayouts_data() {
        QTest::addColumn<QString>("a");  // folder of A for split "train" ("" split: no split)
        QTest::addColumn<QString>("b");
        QTest::addColumn<QString>("split");
        QTest::newRow("A/train B/train") << "A/train"
                                         << "B/train"
                                         << "train";
        QTest::newRow("train/A train/B") << "train/A"
                                         << "train/B"
                                         << "train";
        QTest::newRow("trainA trainB") << "trainA"
                                       << "trainB"
                                       << "train";
        QTest::newRow("A B") << "A"
                             << "B"
                             << "";
    }
    void twoFolderLayouts() {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(QString, split);
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        // A as JPEG, B as PNG: pairs are matched by base name across extensions.
        for (int i = 0; i < 3; ++i) {
            writeImage(root / a.toStdString() / (std::to_string(i) + ".jpg"),
                       solid(40, 30, cv::Scalar(i * 50, 0, 0)));
            writeImage(root / b.toStdString() / (std::to_string(i) + ".png"),
                       solid(40, 30, cv::Scalar(0, i * 50, 0)));
        }
        const DatasetScan scan = scanPairedFolder(root.string());
        QCOMPARE(int(scan.layout), int(DatasetLayout::TwoFolders));
        const auto& pairs = scan.split(split.toStdString());
        QCOMPARE(pairs.size(), size_t(3));
        QVERIFY(QString::fromStdString(pairs[1].a_path).endsWith("1.jpg"));
        QVERIFY(QString::fromStdString(pairs[1].b_path).endsWith("1.png"));
        QCOMPARE(scan.image_sizes.at("40x30"), 3);

        const ImagePair ab = loadPair(pairs[1], scan.layout, Direction::AtoB);
        QVERIFY(cv::norm(ab.input, solid(40, 30, cv::Scalar(50, 0, 0)), cv::NORM_INF) <= 3);  // JPEG
        QCOMPARE(cv::norm(ab.target, solid(40, 30, cv::Scalar(0, 50, 0)), cv::NORM_INF), 0.0);
        const ImagePair ba = loadPair(pairs[1], scan.layout, Direction::BtoA);
        QCOMPARE(cv::norm(ba.input, ab.target, cv::NORM_INF), 0.0);
    }

    void twoFolderProblems() {
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        writeImage(root / "A/good.png", solid(32, 32, cv::Scalar(1, 2, 3)));
        writeImage(root / "B/good.png", solid(32, 32, cv::Scalar(4, 5, 6)));
        writeImage(root / "A/mismatch.png", solid(32, 32, cv::Scalar(1, 2, 3)));
        writeImage(root / "B/mismatch.png", solid(16, 32, cv::Scalar(4, 5, 6)));
        writeImage(root / "A/onlyA.png", solid(32, 32, cv::Scalar(1, 2, 3)));
        writeImage(root / "B/onlyB.png", solid(32, 32, cv::Scalar(1, 2, 3)));
        writeImage(root / "A/twice.png", solid(32, 32, cv::Scalar(1, 2, 3)));
        writeImage(root / "A/twice.jpg", solid(32, 32, cv::Scalar(1, 2, 3)));
        writeImage(root / "B/twice.png", solid(32, 32, cv::Scalar(1, 2, 3)));
        test::writeBytes((root / "B/broken.png").string(), {0x89, 'P', 'N', 'G'});
        writeImage(root / "A/broken.png", solid(32, 32, cv::Scalar(1, 2, 3)));
        const DatasetScan scan = scanPairedFolder(root.string());
        QCOMPARE(scan.split("").size(), size_t(1));
        QCOMPARE(scan.split("").front().name, std::string("good"));
        QVERIFY2(skippedWith(scan, "mismatch.png", "32x32 but B"), qPrintable(skippedList(scan)));
        QVERIFY2(skippedWith(scan, "onlyA.png", "unpaired"), qPrintable(skippedList(scan)));
        QVERIFY2(skippedWith(scan, "onlyB.png", "unpaired"), qPrintable(skippedList(scan)));
        QVERIFY2(skippedWith(scan, "twice.jpg", "ambiguous"), qPrintable(skippedList(scan)));
        QVERIFY2(skippedWith(scan, "broken.png", "truncated PNG"), qPrintable(skippedList(scan)));
        QVERIFY(QString::fromStdString(scan.summary()).contains("onlyB.png"));
    }

    // One bad file among good ones: it is skipped with a reason naming it, the good files still scan.
    void badFileIsSkipped_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("reason");
        const auto qb = [](const std::vector<uint8_t>& v) {
            return QByteArray(reinterpret_cast<const char*>(v.data()), int(v.size()));
        };
        std::vector<uint8_t> jpg, png, odd, onePx, twoByOne;
        cv::imencode(".jpg", solid(64, 32, cv::Scalar(9, 9, 9)), jpg);
        cv::imencode(".png", solid(64, 32, cv::Scalar(9, 9, 9)), png);
        cv::imencode(".png", solid(65, 32, cv::Scalar(9, 9, 9)), odd);
        cv::imencode(".png", solid(1, 1, cv::Scalar(9, 9, 9)), onePx);
        cv::imencode(".png", solid(2, 1, cv::Scalar(9, 9, 9)), twoByOne);
        std::mt19937 rng(3);
        std::vector<uint8_t> noise(2048);
        for (auto& b : noise) b = uint8_t(rng());
        QTest::newRow("zero bytes") << "zero.jpg" << QByteArray() << "empty";
        QTest::newRow("truncated jpeg header")
            << "cut.jpg" << qb({jpg.begin(), jpg.begin() + 30}) << "truncated JPEG";
        QTest::newRow("truncated png header")
            << "cut.png" << qb({png.begin(), png.begin() + 20}) << "truncated PNG";
        QTest::newRow("random bytes") << "noise.jpg" << qb(noise) << "not an image";
        QTest::newRow("text") << "readme.png" << QByteArray("hello\n") << "not an image";
        QTest::newRow("huge header") << "huge.png" << qb(test::craftPngClaiming(100000, 100000))
                                     << "too large";
        QTest::newRow("odd width") << "odd.png" << qb(odd) << "odd width 65";
        QTest::newRow("1x1") << "one.png" << qb(onePx) << "odd width 1";
        QTest::newRow("2x1") << "two.png" << qb(twoByOne) << "too small";
        QTest::newRow("gif") << "anim.gif" << QByteArray("GIF89a\x02\x00\x01\x00", 10) << "GIF";
    }
    void badFileIsSkipped() {
        QFETCH(QString, name);
        QFETCH(QByteArray, bytes);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        test::writeTinyAlignedSet((root / "train").string(), 3);
        test::writeBytes((root / "train" / name.toStdString()).string(),
                         std::vector<uint8_t>(bytes.begin(), bytes.end()));
        const DatasetScan scan = scanPairedFolder(root.string());
        QCOMPARE(scan.split("train").size(), size_t(3));
        QCOMPARE(scan.skipped.size(), size_t(1));
        QVERIFY2(skippedWith(scan, name.toStdString(), reason), qPrintable(skippedList(scan)));
        QVERIFY(QString::fromStdString(scan.summary()).contains(name));
    }

    void nonImageFilesAreIgnoredWithANote() {
        QTemporaryDir dir;
        test::writeTinyAlignedSet(dir.path().toStdString(), 2);
        test::writeBytes(dir.path().toStdString() + "/labels.xml", {'<', 'x', '/', '>'});
        test::writeBytes(dir.path().toStdString() + "/.hidden.png", {1, 2, 3});
        const DatasetScan scan = scanPairedFolder(dir.path().toStdString());
        QCOMPARE(scan.split("").size(), size_t(2));
        QVERIFY(scan.skipped.empty());
        bool noted = false;
        for (const auto& n : scan.notes) noted = noted || n == "1 non-image file(s) ignored";
        QVERIFY(noted);
    }

    void conversionNotes() {
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        test::writeTinyAlignedSet(root.string(), 2);
        cv::Mat grey(32, 64, CV_8UC1, cv::Scalar(128));
        writeImage(root / "grey.png", grey);
        const DatasetScan scan = scanPairedFolder(root.string());
        QCOMPARE(scan.split("").size(), size_t(3));
        bool noted = false;
        for (const auto& n : scan.notes)
            noted = noted || n == "1 pair(s): grayscale images will be converted to 3 channels";
        QVERIFY2(noted, scan.summary().c_str());
        const auto& pairs = scan.split("");
        const auto it =
            std::find_if(pairs.begin(), pairs.end(), [](const PairEntry& p) { return p.name == "grey"; });
        QVERIFY(it != pairs.end());
        const ImagePair pair = loadPair(*it, scan.layout, Direction::AtoB);
        QCOMPARE(pair.input.type(), CV_8UC3);
        QCOMPARE(pair.input.size(), cv::Size(32, 32));
        QVERIFY(!pair.notes.empty());
    }

    void oddNames() {
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        const std::string longName = std::string(230, 'n') + ".png";
        const std::string unicode = "façade_ファサード.png";
        cv::Mat ab(32, 64, CV_8UC3, cv::Scalar(0, 0, 255));
        ab(cv::Rect(32, 0, 32, 32)).setTo(cv::Scalar(255, 0, 0));
        writeImage(root / longName, ab);
        writeImage(root / unicode, ab);
        const DatasetScan scan = scanPairedFolder(root.string());
        QCOMPARE(scan.split("").size(), size_t(2));
        for (const auto& entry : scan.split("")) {
            const ImagePair pair = loadPair(entry, scan.layout, Direction::AtoB);
            QCOMPARE(pair.input.at<cv::Vec3b>(5, 5), cv::Vec3b(0, 0, 255));
            QCOMPARE(pair.target.at<cv::Vec3b>(5, 5), cv::Vec3b(255, 0, 0));
        }
    }

    void folderErrors_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("reason");
        QTest::newRow("missing") << "missing"
                                 << "does not exist";
        QTest::newRow("empty") << "empty"
                               << "no usable image pairs";
        QTest::newRow("a file") << "file"
                                << "not a folder";
        QTest::newRow("only text files") << "text"
                                         << "no image files";
        QTest::newRow("only bad images") << "bad"
                                         << "skipped";
        QTest::newRow("unpaired A and B") << "unpaired"
                                          << "unpaired";
    }
    void folderErrors() {
        QFETCH(QString, kind);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        fs::path root = fs::path(dir.path().toStdString()) / "data";
        if (kind == "empty") fs::create_directories(root);
        if (kind == "file") test::writeBytes(root.string(), {1});
        if (kind == "text") {
            fs::create_directories(root);
            test::writeBytes((root / "a.txt").string(), {'a'});
        }
        if (kind == "bad") {
            fs::create_directories(root / "train");
            test::writeBytes((root / "train/1.jpg").string(), {'a'});
        }
        if (kind == "unpaired") {
            writeImage(root / "A/1.png", solid(8, 8, cv::Scalar::all(0)));
            writeImage(root / "B/2.png", solid(8, 8, cv::Scalar::all(0)));
        }
        try {
            scanPairedFolder(root.string());
            QFAIL("the scan accepted a folder without pairs");
        } catch (const Error& e) {
            const QString message = QString::fromStdString(e.what());
            QVERIFY2(message.contains(QString::fromStdString(root.string())), qPrintable(message));
            QVERIFY2(message.contains(reason), qPrintable(message));
            QVERIFY2(message.contains("Expected one of these layouts"), qPrintable(message));
            QVERIFY2(message.contains("ROOT/A/train"), qPrintable(message));
        }
    }

    void unreadableFolder() {
        QTemporaryDir dir;
        const fs::path root = fs::path(dir.path().toStdString()) / "locked";
        test::writeTinyAlignedSet(root.string(), 1);
        fs::permissions(root, fs::perms::none);
        const bool bypassed = ::access(root.c_str(), R_OK) == 0;  // root ignores permission bits
        if (bypassed) {
            fs::permissions(root, fs::perms::owner_all);
            P2P_SKIP_UNLESS_REQUIRED("P2P_TESTS_REQUIRE_UNPRIVILEGED",
                                     QStringLiteral("running with permission checks bypassed (root): a chmod 000 folder is still readable"));
        }
        try {
            scanPairedFolder(root.string());
            fs::permissions(root, fs::perms::owner_all);
            QFAIL("scanned an unreadable folder");
        } catch (const Error& e) {
            fs::permissions(root, fs::perms::owner_all);
            const QString message = QString::fromStdString(e.what());
            QVERIFY2(message.contains("cannot read the folder"), qPrintable(message));
            QVERIFY2(message.contains(QString::fromStdString(root.string())), qPrintable(message));
        }
    }

    void progressAndCancel() {
        QTemporaryDir dir;
        test::writeTinyAlignedSet(dir.path().toStdString(), 6);
        int calls = 0, lastDone = -1, lastTotal = -1;
        scanPairedFolder(dir.path().toStdString(), [&](int done, int total) {
            ++calls;
            lastDone = done;
            lastTotal = total;
            return true;
        });
        QCOMPARE(lastTotal, 6);
        QCOMPARE(lastDone, 6);
        QVERIFY(calls >= 7);
        try {
            scanPairedFolder(dir.path().toStdString(), [](int done, int) { return done < 2; });
            QFAIL("cancel ignored");
        } catch (const Error& e) {
            QCOMPARE(std::string(e.what()), std::string("cancelled"));
        }
    }

    void alignedPairSplitsAtHalfWidth() {
        QTemporaryDir dir;
        cv::Mat ab(16, 32, CV_8UC3, cv::Scalar(10, 20, 30));
        ab(cv::Rect(16, 0, 16, 16)).setTo(cv::Scalar(200, 100, 50));
        writeImage(fs::path(dir.path().toStdString()) / "p.png", ab);
        const DatasetScan scan = scanPairedFolder(dir.path().toStdString());
        const ImagePair ab2 = loadPair(scan.split("").front(), scan.layout, Direction::AtoB);
        QCOMPARE(ab2.input.size(), cv::Size(16, 16));
        QCOMPARE(cv::norm(ab2.input, solid(16, 16, cv::Scalar(10, 20, 30)), cv::NORM_INF), 0.0);
        QCOMPARE(cv::norm(ab2.target, solid(16, 16, cv::Scalar(200, 100, 50)), cv::NORM_INF), 0.0);
        const ImagePair ba = loadPair(scan.split("").front(), scan.layout, Direction::BtoA);
        QCOMPARE(cv::norm(ba.input, ab2.target, cv::NORM_INF), 0.0);
        QCOMPARE(cv::norm(ba.target, ab2.input, cv::NORM_INF), 0.0);
        QCOMPARE(ba.name, std::string("p"));
    }

    // Issue 22: a flat A/ + B/ folder has no split folders; "all" (and its aliases) names its pairs, and the
    // message for a split that does not exist lists the names that do.
    void unsplitFolderAnswersToAll() {
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        for (const char* n : {"1", "2"}) {
            writeImage(root / "A" / (std::string(n) + ".png"), solid(32, 32, cv::Scalar(1, 2, 3)));
            writeImage(root / "B" / (std::string(n) + ".png"), solid(32, 32, cv::Scalar(4, 5, 6)));
        }
        const DatasetScan scan = scanPairedFolder(root.string());
        for (const char* name : {"all", "unsplit", ".", "", "train"}) QCOMPARE(scan.split(name).size(), size_t(2));
        QCOMPARE(scan.resolveSplit("all"), std::string());
        try {
            scan.split("test");
            QFAIL("a split that does not exist was found");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("no split 'test'") && QString(e.what()).contains("accepts: all"),
                     e.what());
        }
        // With split folders, "train" is the folder and "all" is not a name.
        QTemporaryDir splitDir;
        test::writeTinyAlignedSet(splitDir.path().toStdString() + "/train", 2);
        test::writeTinyAlignedSet(splitDir.path().toStdString() + "/test", 1);
        const DatasetScan split = scanPairedFolder(splitDir.path().toStdString());
        QCOMPARE(split.split("test").size(), size_t(1));
        QCOMPARE(split.acceptedSplitNames(), std::string("test, train"));
        QVERIFY_THROWS_EXCEPTION(Error, split.split("all"));
    }

    // Cut files are listed by the scan, before any training: the header alone would pass them.
    void truncatedFilesAreListedByTheScan() {
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        test::writeTinyAlignedSet(root.string(), 2);
        test::writeBytes((root / "cut.jpg").string(), test::truncatedJpeg());
        test::writeBytes((root / "cut.png").string(), test::truncatedPng());
        std::vector<uint8_t> bmp = test::encodeImage(".bmp", test::noiseImage(32, 16));
        bmp.resize(bmp.size() - 100);
        test::writeBytes((root / "cut.bmp").string(), bmp);
        // Whole files of every kind still pass, an upper-case .JPG among them.
        test::writeBytes((root / "whole.JPG").string(), test::encodeImage(".jpg", test::noiseImage(32, 16)));
        const DatasetScan scan = scanPairedFolder(root.string());
        QCOMPARE(scan.split("").size(), size_t(3));
        QVERIFY2(skippedWith(scan, "cut.jpg", "truncated JPEG (no end-of-image marker"), qPrintable(skippedList(scan)));
        QVERIFY2(skippedWith(scan, "cut.png", "truncated PNG (the file ends before its IEND chunk"),
                 qPrintable(skippedList(scan)));
        QVERIFY2(skippedWith(scan, "cut.bmp", "truncated BMP"), qPrintable(skippedList(scan)));
        QVERIFY(QString::fromStdString(scan.summary()).contains("cut.jpg"));
    }

    // Different sizes with the same aspect ratio: skipped with a way forward, or resized with a note per pair;
    // different aspect ratios are never stretched.
    void pairResize() {
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        writeImage(root / "A/half.png", solid(64, 48, cv::Scalar(1, 2, 3)));
        writeImage(root / "B/half.png", solid(32, 24, cv::Scalar(4, 5, 6)));  // a half-size label map
        writeImage(root / "A/larger.png", solid(100, 100, cv::Scalar(1, 2, 3)));
        writeImage(root / "B/larger.png", solid(101, 101, cv::Scalar(4, 5, 6)));  // 1% larger
        writeImage(root / "A/other.png", solid(32, 32, cv::Scalar(1, 2, 3)));
        writeImage(root / "B/other.png", solid(32, 16, cv::Scalar(4, 5, 6)));  // another aspect ratio
        writeImage(root / "A/same.png", solid(32, 32, cv::Scalar(1, 2, 3)));
        writeImage(root / "B/same.png", solid(32, 32, cv::Scalar(4, 5, 6)));

        const DatasetScan strict = scanPairedFolder(root.string());
        QCOMPARE(strict.split("").size(), size_t(1));
        QVERIFY2(skippedWith(strict, "half.png", "--pair-resize"), qPrintable(skippedList(strict)));
        QVERIFY2(skippedWith(strict, "larger.png", "agree within 1%"), qPrintable(skippedList(strict)));
        QVERIFY2(skippedWith(strict, "other.png", "aspect ratios differ"), qPrintable(skippedList(strict)));

        ScanOptions resize;
        resize.pair_resize = true;
        const DatasetScan scan = scanPairedFolder(root.string(), {}, resize);
        QCOMPARE(scan.split("").size(), size_t(3));
        QCOMPARE(scan.pair_notes.size(), size_t(2));
        QVERIFY2(QString::fromStdString(scan.summary()).contains("half: B resized from 32x24 to A's 64x48"),
                 scan.summary().c_str());
        QVERIFY2(skippedWith(scan, "other.png", "without stretching"), qPrintable(skippedList(scan)));
        for (const auto& entry : scan.split("")) {
            const ImagePair pair = loadPair(entry, scan.layout, Direction::AtoB);
            QCOMPARE(pair.target.size(), pair.input.size());
            QCOMPARE(pair.target.at<cv::Vec3b>(3, 3), cv::Vec3b(4, 5, 6));
        }
        ScanOptions bad;
        bad.aspect_tolerance = -1;
        QVERIFY_THROWS_EXCEPTION(Error, scanPairedFolder(root.string(), {}, bad));
    }

    // A folder of plain photos is not a set of A|B pairs: the scan says so, naming the layouts it expected.
    void plainPhotosAreNotTakenForPairsSilently() {
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        for (int i = 0; i < 4; ++i) {
            // A smooth "photo": a gradient with soft blobs that run on across the middle.
            cv::Mat photo(64, 96, CV_8UC3);
            for (int y = 0; y < photo.rows; ++y)
                for (int x = 0; x < photo.cols; ++x)
                    photo.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(60 + x / 4 + 10 * i), uchar(80 + y), uchar(120 + (x / 4 + y) / 2));
            cv::circle(photo, {48, 30 + 2 * i}, 20, cv::Scalar(30, 140, 90), cv::FILLED);
            cv::GaussianBlur(photo, photo, {9, 9}, 0);
            writeImage(root / ("IMG_" + std::to_string(i) + ".JPG"), photo);
        }
        const DatasetScan photos = scanPairedFolder(root.string());
        QCOMPARE(photos.warnings.size(), size_t(1));
        const QString warning = QString::fromStdString(photos.warnings.front());
        QVERIFY2(warning.contains("may not be A|B pairs") && warning.contains("look like one picture") &&
                     warning.contains("less than 1.6 times as wide") && warning.contains("two folders A/ and B/"),
                 qPrintable(warning));
        QVERIFY(QString::fromStdString(photos.summary()).contains("Warning: these may not be A|B pairs"));

        // Real A|B pairs (and two folders) draw no warning.
        QTemporaryDir pairsDir;
        test::writeTinyAlignedSet(pairsDir.path().toStdString(), 4);
        QVERIFY(scanPairedFolder(pairsDir.path().toStdString()).warnings.empty());
    }

    void preprocessNotesSayWhatIsSquashed() {
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        cv::Mat ab(32, 96, CV_8UC3, cv::Scalar(0, 0, 255));
        ab(cv::Rect(48, 0, 48, 32)).setTo(cv::Scalar(255, 0, 0));
        writeImage(root / "wide.png", ab);
        const DatasetScan scan = scanPairedFolder(root.string());
        TransformOptions resize;
        const auto notes = preprocessNotes(scan, resize);
        QCOMPARE(notes.size(), size_t(1));
        QVERIFY2(QString::fromStdString(notes.front()).contains("1 of 1 pair(s) are not square (e.g. 48x32") &&
                     QString::fromStdString(notes.front()).contains("scale_width_and_crop"),
                 notes.front().c_str());
        TransformOptions keep;
        keep.preprocess = Preprocess::ScaleWidthAndCrop;
        QVERIFY(preprocessNotes(scan, keep).empty());
    }

    // The fingerprint a resume checks moved data against: names and sizes, not where the folder is.
    void fingerprintFollowsFilesNotFolders() {
        QTemporaryDir dir;
        const fs::path a = fs::path(dir.path().toStdString()) / "ds one";
        const fs::path b = fs::path(dir.path().toStdString()) / "moved ✓";
        test::writeTinyAlignedSet((a / "train").string(), 3);
        fs::copy(a, b, fs::copy_options::recursive);
        const std::string fa = datasetFingerprint(scanPairedFolder(a.string()), "train");
        QVERIFY2(QString::fromStdString(fa).startsWith("3 pairs, fnv1a "), fa.c_str());
        QCOMPARE(datasetFingerprint(scanPairedFolder(b.string()), "train"), fa);
        fs::rename(b / "train" / "3.png", b / "train" / "4.png");
        QVERIFY(datasetFingerprint(scanPairedFolder(b.string()), "train") != fa);
    }

    void enumsRoundTrip() {
        for (auto p : {Preprocess::ResizeAndCrop, Preprocess::Crop, Preprocess::ScaleWidth,
                       Preprocess::ScaleWidthAndCrop, Preprocess::None})
            QCOMPARE(int(preprocessFromString(toString(p))), int(p));
        QCOMPARE(int(directionFromString("BtoA")), int(Direction::BtoA));
        QVERIFY_EXCEPTION_THROWN(directionFromString("btoa"), Error);
        QVERIFY_EXCEPTION_THROWN(preprocessFromString("resize"), Error);
    }

    void realFacades() {
        P2P_REQUIRE_SHARED(facades, "data/facades");
        const DatasetScan scan = scanPairedFolder(facades);
        QCOMPARE(int(scan.layout), int(DatasetLayout::Aligned));
        QCOMPARE(scan.split("train").size(), size_t(400));
        QCOMPARE(scan.split("test").size(), size_t(106));
        QVERIFY(!scan.splits.count("val"));
        QCOMPARE(scan.image_sizes.at("512x256"), 506);
        QVERIFY(scan.skipped.empty());
        QVERIFY2(scan.warnings.empty(), scan.summary().c_str());  // photo|labels pairs are recognised as pairs
        // The reference's order: sorted path strings (1, 10, 100, ...).
        QCOMPARE(scan.split("train")[1].name, std::string("10"));
        const ImagePair pair = loadPair(scan.split("test").front(), scan.layout, Direction::BtoA);
        QCOMPARE(pair.input.size(), cv::Size(256, 256));
    }
};

QTEST_GUILESS_MAIN(TestDatasetScan)
#include "test_dataset_scan.moc"
