// The CMP palette: exact class colours, snapping, id <-> colour, and reading the real CMP label PNGs.

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <filesystem>
#include <random>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/common/error.h"
#include "core/io/image_io.h"
#include "core/labels/palette.h"
#include "tests/core/data/crafted_files.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using namespace p2p;

class TestPalette : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void classesMatchTheCmpPalette_data() {
        QTest::addColumn<int>("id");
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("r");
        QTest::addColumn<int>("g");
        QTest::addColumn<int>("b");
        QTest::newRow("1") << 1 << "background" << 0 << 0 << 170;
        QTest::newRow("2") << 2 << "facade" << 0 << 0 << 255;
        QTest::newRow("3") << 3 << "window" << 0 << 85 << 255;
        QTest::newRow("4") << 4 << "door" << 0 << 170 << 255;
        QTest::newRow("5") << 5 << "cornice" << 0 << 255 << 255;
        QTest::newRow("6") << 6 << "sill" << 85 << 255 << 170;
        QTest::newRow("7") << 7 << "balcony" << 170 << 255 << 85;
        QTest::newRow("8") << 8 << "blind" << 255 << 255 << 0;
        QTest::newRow("9") << 9 << "deco" << 255 << 170 << 0;
        QTest::newRow("10") << 10 << "molding" << 255 << 85 << 0;
        QTest::newRow("11") << 11 << "pillar" << 255 << 0 << 0;
        QTest::newRow("12") << 12 << "shop" << 170 << 0 << 0;
    }
    void classesMatchTheCmpPalette() {
        QFETCH(int, id);
        QFETCH(QString, name);
        QFETCH(int, r);
        QFETCH(int, g);
        QFETCH(int, b);
        QCOMPARE(cmpClasses().size(), size_t(12));
        const LabelClass& c = cmpClass(id);
        QCOMPARE(c.id, id);
        QCOMPARE(QString::fromStdString(c.name), name);
        QCOMPARE(c.rgb, cv::Vec3b(uchar(r), uchar(g), uchar(b)));
        QCOMPARE(c.bgr(), cv::Vec3b(uchar(b), uchar(g), uchar(r)));
        QCOMPARE(cmpClassId(name.toStdString()), id);
    }

    void unknownIdsAndNames() {
        QVERIFY_EXCEPTION_THROWN(cmpClass(0), Error);
        QVERIFY_EXCEPTION_THROWN(cmpClass(13), Error);
        QCOMPARE(cmpClassId("sky"), 0);
        cv::Mat ids(2, 2, CV_8UC1, cv::Scalar(13));
        QVERIFY_EXCEPTION_THROWN(labelsToColour(ids), Error);
    }

    void idsAndColoursRoundTrip() {
        cv::Mat ids(3, 13, CV_8UC1);
        for (int x = 0; x < 13; ++x) ids.col(x).setTo(x);
        const cv::Mat colour = labelsToColour(ids);
        QCOMPARE(colour.type(), CV_8UC3);
        QCOMPARE(colour.at<cv::Vec3b>(1, 0), cv::Vec3b(0, 0, 0));  // id 0: the PNGs' unused black
        for (int id = 1; id <= 12; ++id) QCOMPARE(colour.at<cv::Vec3b>(2, id), cmpClass(id).bgr());
        const cv::Mat back = colourToLabels(colour(cv::Rect(1, 0, 12, 3)));
        QCOMPARE(cv::norm(back, ids(cv::Rect(1, 0, 12, 3)), cv::NORM_INF), 0.0);
        const auto histogram = classHistogram(ids);
        QCOMPARE(histogram.size(), size_t(13));
        for (auto count : histogram) QCOMPARE(count, int64_t(3));
    }

    void snapsNoisyColoursToTheNearestClass() {
        std::mt19937 rng(1);
        std::uniform_int_distribution<int> noise(-20, 20);
        cv::Mat ids(32, 48, CV_8UC1), noisy(32, 48, CV_8UC3);
        for (int y = 0; y < ids.rows; ++y)
            for (int x = 0; x < ids.cols; ++x) {
                const int id = 1 + (x / 4 + y) % 12;
                ids.at<uchar>(y, x) = uchar(id);
                cv::Vec3b c = cmpClass(id).bgr();
                for (int ch = 0; ch < 3; ++ch) c[ch] = cv::saturate_cast<uchar>(c[ch] + noise(rng));
                noisy.at<cv::Vec3b>(y, x) = c;
            }
        // Classes are at least 85 apart in one channel, so +-20 per channel cannot cross to another class.
        QCOMPARE(cv::norm(colourToLabels(noisy), ids, cv::NORM_INF), 0.0);
        QCOMPARE(cv::norm(snapToPalette(noisy), labelsToColour(ids), cv::NORM_INF), 0.0);
    }

    void snapAgreesWithBruteForce() {
        std::mt19937 rng(5);
        cv::Mat random(40, 40, CV_8UC3);
        cv::randu(random, 0, 256);
        const cv::Mat ids = colourToLabels(random);
        for (int y = 0; y < random.rows; ++y)
            for (int x = 0; x < random.cols; ++x) {
                const cv::Vec3b p = random.at<cv::Vec3b>(y, x);
                int best = 0, bestDist = INT32_MAX;
                for (const auto& c : cmpClasses()) {
                    const cv::Vec3b q = c.bgr();
                    int d = 0;
                    for (int ch = 0; ch < 3; ++ch) d += (p[ch] - q[ch]) * (p[ch] - q[ch]);
                    if (d < bestDist) bestDist = d, best = c.id;
                }
                QCOMPARE(int(ids.at<uchar>(y, x)), best);
            }
    }

    void tiesGoToTheLowerId() {
        // Midway between background (0,0,170) and facade (0,0,255) in blue is not an integer; (0,0,212) is
        // nearer background, (0,0,213) nearer facade.
        cv::Mat m(1, 2, CV_8UC3);
        m.at<cv::Vec3b>(0, 0) = cv::Vec3b(212, 0, 0);
        m.at<cv::Vec3b>(0, 1) = cv::Vec3b(213, 0, 0);
        const cv::Mat ids = colourToLabels(m);
        QCOMPARE(int(ids.at<uchar>(0, 0)), 1);
        QCOMPARE(int(ids.at<uchar>(0, 1)), 2);
    }

    void craftedLabelFiles_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("fromIndices");
        QTest::addColumn<int>("first");   // id of pixel (0,0)
        QTest::addColumn<int>("second");  // id of pixel (1,0)
        const auto qb = [](const std::vector<uint8_t>& v) {
            return QByteArray(reinterpret_cast<const char*>(v.data()), int(v.size()));
        };
        // A palette of greys whose indices are the ids: read by index, not by colour.
        std::vector<std::array<uint8_t, 3>> greys;
        for (int i = 0; i < 13; ++i) greys.push_back({uint8_t(i * 19), uint8_t(i * 19), uint8_t(i * 19)});
        QTest::newRow("palette indices") << qb(test::craftPng(2, 1, 3, 8, {3, 12}, greys)) << true << 3 << 12;
        // Indices past 12: colours snapped (the palette says window blue and a near-shop red).
        std::vector<std::array<uint8_t, 3>> big(201, {0, 0, 0});
        big[200] = {0, 85, 250};
        big[100] = {165, 5, 0};
        QTest::newRow("palette past 12")
            << qb(test::craftPng(2, 1, 3, 8, {200, 100}, big)) << false << 3 << 12;
        QTest::newRow("grey ids") << qb(test::craftPng(2, 1, 0, 8, {7, 1})) << true << 7 << 1;
        // Grey 0 is as far from background (0,0,170) as from shop (170,0,0): the lower id wins; grey 250 is
        // equally near sill and balcony.
        QTest::newRow("grey picture") << qb(test::craftPng(2, 1, 0, 8, {0, 250})) << false << 1 << 6;
        QTest::newRow("colour png") << qb(test::craftPng(2, 1, 2, 8, {255, 170, 0, 170, 0, 0})) << false << 9
                                    << 12;
    }
    void craftedLabelFiles() {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, fromIndices);
        QFETCH(int, first);
        QFETCH(int, second);
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/label.png";
        test::writeBytes(path, std::vector<uint8_t>(bytes.begin(), bytes.end()));
        const LabelMap map = loadLabelMap(path);
        QCOMPARE(map.from_indices, fromIndices);
        QCOMPARE(map.ids.type(), CV_8UC1);
        QCOMPARE(int(map.ids.at<uchar>(0, 0)), first);
        QCOMPARE(int(map.ids.at<uchar>(0, 1)), second);
        QVERIFY(!map.notes.empty());
    }

    void badLabelFile() {
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/label.png";
        test::writeBytes(path, {'n', 'o', 'p', 'e'});
        try {
            loadLabelMap(path);
            QFAIL("accepted a bad label file");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).find(path) != std::string::npos);
        }
    }

    // The CMP base set's PNGs: palette index i is class i. cv::imread expands the palette to BGR, so reading
    // the indices and colouring them must give back exactly what imread shows.
    void realCmpLabelPngs() {
        P2P_REQUIRE_SHARED(base, "data/cmp_facades_base/base");
        std::vector<std::string> pngs;
        for (const auto& e : fs::directory_iterator(base))
            if (e.path().extension() == ".png") pngs.push_back(e.path().string());
        std::sort(pngs.begin(), pngs.end());
        QCOMPARE(pngs.size(), size_t(378));
        std::vector<int64_t> total(13, 0);
        for (size_t i = 0; i < pngs.size(); i += 37) {
            const ImageHeader header = readImageHeader(pngs[i]);
            QVERIFY(header.palette);
            const LabelMap map = loadLabelMap(pngs[i]);
            QVERIFY2(map.from_indices, pngs[i].c_str());
            const cv::Mat shown = cv::imread(pngs[i], cv::IMREAD_UNCHANGED);
            QCOMPARE(shown.type(),
                     CV_8UC3);  // OpenCV expands palette PNGs; indices are not available from it
            QCOMPARE(cv::norm(labelsToColour(map.ids), shown, cv::NORM_INF), 0.0);
            QCOMPARE(cv::norm(colourToLabels(shown), map.ids, cv::NORM_INF), 0.0);
            const auto h = classHistogram(map.ids);
            for (size_t k = 0; k < h.size(); ++k) total[k] += h[k];
        }
        QCOMPARE(total[0], int64_t(0));         // index 0 is never used
        QVERIFY(total[2] > 0 && total[3] > 0);  // facade and window everywhere
    }

    // The pix2pix facades set's label halves are JPEG, and drawn with other jet colours than the CMP PNGs:
    // most of their pixels lie near a colour of the facades palette, few near the CMP palette.
    void realFacadesLabelHalves() {
        P2P_REQUIRE_SHARED(facades, "data/facades/train");
        const auto nearShare = [](const cv::Mat& label, LabelPalette palette) {
            cv::Mat diff, distance;
            cv::absdiff(label, snapToPalette(label, palette), diff);
            cv::transform(diff, distance, cv::Matx13f(1, 1, 1));  // L1 over the channels
            return cv::countNonZero(distance <= 30) / double(label.total());
        };
        for (int n : {1, 50, 123, 400}) {
            const cv::Mat ab = loadImage(facades + "/" + std::to_string(n) + ".jpg").bgr;
            const cv::Mat label = ab(cv::Rect(ab.cols / 2, 0, ab.cols / 2, ab.rows)).clone();
            const double facadesShare = nearShare(label, LabelPalette::Pix2PixFacades);
            const double cmpShare = nearShare(label, LabelPalette::Cmp);
            QVERIFY2(facadesShare > 0.5 && cmpShare < 0.25,
                     qPrintable(QString("%1.jpg: %2 near the facades palette, %3 near CMP")
                                    .arg(n)
                                    .arg(facadesShare)
                                    .arg(cmpShare)));
            // Facade is the largest class of every facade label map.
            const auto h = classHistogram(colourToLabels(label, LabelPalette::Pix2PixFacades));
            QCOMPARE(int(std::max_element(h.begin(), h.end()) - h.begin()), cmpClassId("facade"));
        }
    }

    void palettesShareClasses() {
        const auto& cmp = labelClasses(LabelPalette::Cmp);
        const auto& facades = labelClasses(LabelPalette::Pix2PixFacades);
        QCOMPARE(facades.size(), cmp.size());
        for (size_t i = 0; i < cmp.size(); ++i) {
            QCOMPARE(facades[i].id, cmp[i].id);
            QCOMPARE(facades[i].name, cmp[i].name);
        }
        cv::Mat ids(1, 12, CV_8UC1);
        for (int i = 0; i < 12; ++i) ids.at<uchar>(0, i) = uchar(i + 1);
        const cv::Mat colour = labelsToColour(ids, LabelPalette::Pix2PixFacades);
        QCOMPARE(cv::norm(colourToLabels(colour, LabelPalette::Pix2PixFacades), ids, cv::NORM_INF), 0.0);
        QVERIFY(labelPaletteFromString(toString(LabelPalette::Pix2PixFacades)) ==
                LabelPalette::Pix2PixFacades);
        QVERIFY_EXCEPTION_THROWN(labelPaletteFromString("jet"), Error);
    }
};

QTEST_GUILESS_MAIN(TestPalette)
#include "test_palette.moc"
