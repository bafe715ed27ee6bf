// Validated image loading: every format and conversion, and a bad-input corpus made by the test itself.

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/common/error.h"
#include "core/io/image_io.h"
#include "tests/core/data/crafted_files.h"

namespace fs = std::filesystem;
using namespace p2p;

namespace {

// An 8x8 CMYK JPEG with an Adobe marker, made with libjpeg (cv::imwrite cannot write CMYK):
// the left half is cyan ink (inverted as Adobe stores it: C=0, M=Y=K=255), the right half no ink.
const unsigned char kCmykJpeg[] = {
    0xff, 0xd8, 0xff, 0xee, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00,
    0x00, 0xff, 0xdb, 0x00, 0x43, 0x00, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
    0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
    0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
    0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
    0x01, 0x01, 0xff, 0xc0, 0x00, 0x14, 0x08, 0x00, 0x08, 0x00, 0x08, 0x04, 0x43, 0x11, 0x00, 0x4d, 0x11,
    0x00, 0x59, 0x11, 0x00, 0x4b, 0x11, 0x00, 0xff, 0xc4, 0x00, 0x1f, 0x00, 0x00, 0x01, 0x05, 0x01, 0x01,
    0x01, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05,
    0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0xff, 0xc4, 0x00, 0xb5, 0x10, 0x00, 0x02, 0x01, 0x03, 0x03, 0x02,
    0x04, 0x03, 0x05, 0x05, 0x04, 0x04, 0x00, 0x00, 0x01, 0x7d, 0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05,
    0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08,
    0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17,
    0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43,
    0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64,
    0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85,
    0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4,
    0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
    0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1,
    0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
    0xf9, 0xfa, 0xff, 0xda, 0x00, 0x0e, 0x04, 0x43, 0x00, 0x4d, 0x00, 0x59, 0x00, 0x4b, 0x00, 0x00, 0x3f,
    0x00, 0x8f, 0xfe, 0x0c, 0x63, 0xff, 0x00, 0x9c, 0xa2, 0xff, 0x00, 0xdd, 0x93, 0x7f, 0xef, 0xdc, 0x57,
    0xf7, 0xf1, 0x5f, 0xdf, 0xc5, 0x7f, 0x7f, 0x15, 0xff, 0xd9};

std::vector<uint8_t> encode(const std::string& ext, const cv::Mat& image,
                            const std::vector<int>& params = {}) {
    std::vector<uint8_t> bytes;
    if (!cv::imencode(ext, image, bytes, params)) throw std::runtime_error("imencode " + ext + " failed");
    return bytes;
}

cv::Mat colourPattern(int w, int h) {
    cv::Mat m(h, w, CV_8UC3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            m.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(x * 7), uchar(y * 5), uchar((x + y) * 3));
    return m;
}

}  // namespace

class TestImageIo : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::string path(const std::string& name) const {
        return (fs::path(dir_.path().toStdString()) / name).string();
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void readsEveryFormatsHeader_data() {
        QTest::addColumn<QString>("ext");
        QTest::addColumn<int>("format");
        QTest::newRow("png") << ".png" << int(ImageFormat::Png);
        QTest::newRow("jpg") << ".jpg" << int(ImageFormat::Jpeg);
        QTest::newRow("bmp") << ".bmp" << int(ImageFormat::Bmp);
        QTest::newRow("webp") << ".webp" << int(ImageFormat::WebP);
        QTest::newRow("webp lossless") << ".webp" << int(ImageFormat::WebP);
        QTest::newRow("tiff") << ".tiff" << int(ImageFormat::Tiff);
    }
    void readsEveryFormatsHeader() {
        QFETCH(QString, ext);
        QFETCH(int, format);
        const cv::Mat image = colourPattern(37, 21);
        std::vector<int> params;
        if (QByteArray(QTest::currentDataTag()) == "webp lossless") params = {cv::IMWRITE_WEBP_QUALITY, 101};
        const std::string file = path(std::string("header_") + QTest::currentDataTag() + ext.toStdString());
        test::writeBytes(file, encode(ext.toStdString(), image, params));
        const ImageHeader header = readImageHeader(file);
        QCOMPARE(int(header.format), format);
        QCOMPARE(header.size, cv::Size(37, 21));
        QCOMPARE(readImageSize(file), cv::Size(37, 21));
        const LoadedImage loaded = loadImage(file);
        QCOMPARE(loaded.bgr.type(), CV_8UC3);
        QCOMPARE(loaded.bgr.size(), cv::Size(37, 21));
        if (format == int(ImageFormat::Png) || format == int(ImageFormat::Bmp) ||
            format == int(ImageFormat::Tiff) || QByteArray(QTest::currentDataTag()) == "webp lossless")
            QCOMPARE(cv::norm(loaded.bgr, image, cv::NORM_INF), 0.0);
    }

    void refusesBadFiles_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("reason");
        const auto qb = [](const std::vector<uint8_t>& v) {
            return QByteArray(reinterpret_cast<const char*>(v.data()), int(v.size()));
        };
        const auto jpg = encode(".jpg", colourPattern(64, 64));
        const auto png = encode(".png", colourPattern(64, 64));
        std::mt19937 rng(7);
        std::vector<uint8_t> noise(4096);
        for (auto& b : noise) b = uint8_t(rng());
        QTest::newRow("zero bytes") << "empty.jpg" << QByteArray() << "empty";
        QTest::newRow("truncated jpeg")
            << "cut.jpg" << qb({jpg.begin(), jpg.begin() + long(jpg.size() / 2)}) << "truncated JPEG";
        QTest::newRow("jpeg header only")
            << "head.jpg" << qb({jpg.begin(), jpg.begin() + 20}) << "truncated JPEG";
        QTest::newRow("truncated png")
            << "cut.png" << qb({png.begin(), png.begin() + long(png.size() / 2)}) << "cannot decode";
        QTest::newRow("png signature only")
            << "sig.png" << qb({png.begin(), png.begin() + 8}) << "truncated PNG";
        QTest::newRow("random bytes") << "noise.jpg" << qb(noise) << "not an image";
        QTest::newRow("text") << "notes.png" << QByteArray("this is a text file, not an image\n")
                              << "not an image";
        QTest::newRow("png claims 100000x100000")
            << "huge.png" << qb(test::craftPngClaiming(100000, 100000)) << "refused before decoding";
        QTest::newRow("png claims 20000x10")
            << "wide.png" << qb(test::craftPngClaiming(20000, 10)) << "image too large";
        QTest::newRow("png claims 0x5") << "zero.png" << qb(test::craftPngClaiming(0, 5)) << "empty size";
        // A JPEG whose frame header (SOF0) is patched to claim 60000x60000.
        auto hugeJpeg = jpg;
        for (size_t i = 2; i + 9 < hugeJpeg.size(); ++i)
            if (hugeJpeg[i] == 0xFF && hugeJpeg[i + 1] == 0xC0) {
                hugeJpeg[i + 5] = 0xEA, hugeJpeg[i + 6] = 0x60, hugeJpeg[i + 7] = 0xEA,
                             hugeJpeg[i + 8] = 0x60;
                break;
            }
        QTest::newRow("jpeg claims 60000x60000") << "huge.jpg" << qb(hugeJpeg) << "refused before decoding";
        auto hugeBmp = encode(".bmp", colourPattern(8, 8));
        hugeBmp[18] = 0x00, hugeBmp[19] = 0x40, hugeBmp[20] = 0x00, hugeBmp[21] = 0x00;  // width 16384
        hugeBmp[22] = 0x00, hugeBmp[23] = 0x41, hugeBmp[24] = 0x00, hugeBmp[25] = 0x00;  // height 16640
        QTest::newRow("bmp claims 16384x16640") << "huge.bmp" << qb(hugeBmp) << "image too large";
        const char gif[] = "GIF89a\x08\x00\x08\x00\x00\x00\x00;";
        QTest::newRow("gif") << "anim.gif" << QByteArray(gif, sizeof gif - 1) << "GIF is not supported";
    }
    void refusesBadFiles() {
        QFETCH(QString, name);
        QFETCH(QByteArray, bytes);
        QFETCH(QString, reason);
        const std::string file = path("bad_" + name.toStdString());
        test::writeBytes(file, std::vector<uint8_t>(bytes.begin(), bytes.end()));
        try {
            loadImage(file);
            QFAIL("loadImage accepted a bad file");
        } catch (const Error& e) {
            const QString message = QString::fromStdString(e.what());
            QVERIFY2(message.contains(QString::fromStdString(file)), qPrintable(message));
            QVERIFY2(message.contains(reason), qPrintable(message));
        }
    }

    void headerChecksAreHeaderOnly() {
        // The scan reads sizes from headers: a PNG claiming 100000x100000 fails there too, and quickly.
        const std::string file = path("header_huge.png");
        test::writeBytes(file, test::craftPngClaiming(100000, 100000));
        QVERIFY_EXCEPTION_THROWN(readImageSize(file), Error);
        const std::string ok = path("header_ok.png");
        test::writeBytes(ok, test::craftPngClaiming(16384, 16384));  // at the limit: header fine, data bad
        QCOMPARE(readImageSize(ok), cv::Size(16384, 16384));
        QVERIFY_EXCEPTION_THROWN(loadImage(ok), Error);
    }

    void missingAndFolderPaths() {
        try {
            loadImage(path("does_not_exist.png"));
            QFAIL("accepted a missing file");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("does not exist"));
        }
        try {
            loadImage(dir_.path().toStdString());
            QFAIL("accepted a folder");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("folder"));
        }
    }

    void convertsToBgr8_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("note");
        QTest::addColumn<int>("b");
        QTest::addColumn<int>("g");
        QTest::addColumn<int>("r");
        const auto qb = [](const std::vector<uint8_t>& v) {
            return QByteArray(reinterpret_cast<const char*>(v.data()), int(v.size()));
        };
        // Every image is 2x1; the expected colour is that of the left pixel.
        QTest::newRow("grey png") << qb(test::craftPng(2, 1, 0, 8, {77, 200})) << "grayscale" << 77 << 77
                                  << 77;
        QTest::newRow("grey+alpha png") << qb(test::craftPng(2, 1, 4, 8, {100, 0, 100, 255}))
                                        << "composited over white" << 255 << 255 << 255;
        // RGBA: (R=200, G=100, B=0) at alpha 128 over white: c*a + 255*(1-a).
        const int r = int(std::lround(200 * 128 / 255.0 + 255 * (1 - 128 / 255.0)));
        const int g = int(std::lround(100 * 128 / 255.0 + 255 * (1 - 128 / 255.0)));
        const int b = int(std::lround(0 * 128 / 255.0 + 255 * (1 - 128 / 255.0)));
        QTest::newRow("rgba png") << qb(test::craftPng(2, 1, 6, 8, {200, 100, 0, 128, 1, 2, 3, 255}))
                                  << "composited over white" << b << g << r;
        QTest::newRow("opaque rgba png") << qb(test::craftPng(2, 1, 6, 8, {200, 100, 0, 255, 1, 2, 3, 255}))
                                         << "opaque alpha" << 0 << 100 << 200;
        // 16-bit RGB: 0xFFFF -> 255, 0x8080 -> 128, 0x0101 -> 1.
        QTest::newRow("16-bit png")
            << qb(test::craftPng(2, 1, 2, 16, {0xFF, 0xFF, 0x80, 0x80, 0x01, 0x01, 0, 0, 0, 0, 0, 0}))
            << "16-bit" << 1 << 128 << 255;
        QTest::newRow("16-bit grey png")
            << qb(test::craftPng(2, 1, 0, 16, {0x80, 0x80, 0, 0})) << "16-bit" << 128 << 128 << 128;
        QTest::newRow("palette png") << qb(test::craftPng(2, 1, 3, 8, {1, 0}, {{0, 0, 0}, {0, 85, 255}}))
                                     << "palette" << 255 << 85 << 0;
    }
    void convertsToBgr8() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, note);
        QFETCH(int, b);
        QFETCH(int, g);
        QFETCH(int, r);
        const std::string file = path(std::string("convert_") + QTest::currentDataTag() + ".png");
        test::writeBytes(file, std::vector<uint8_t>(bytes.begin(), bytes.end()));
        const LoadedImage loaded = loadImage(file);
        QCOMPARE(loaded.bgr.type(), CV_8UC3);
        QCOMPARE(loaded.bgr.size(), cv::Size(2, 1));
        const cv::Vec3b px = loaded.bgr.at<cv::Vec3b>(0, 0);
        QCOMPARE(int(px[0]), b);
        QCOMPARE(int(px[1]), g);
        QCOMPARE(int(px[2]), r);
        bool found = false;
        for (const auto& n : loaded.notes) found = found || QString::fromStdString(n).contains(note);
        QVERIFY2(found, qPrintable(QString("no note containing '%1'").arg(note)));
    }

    void cmykJpeg() {
        const std::string file = path("cmyk.jpg");
        test::writeBytes(file, std::vector<uint8_t>(std::begin(kCmykJpeg), std::end(kCmykJpeg)));
        const ImageHeader header = readImageHeader(file);
        QVERIFY(header.cmyk);
        QCOMPARE(header.channels, 4);
        const LoadedImage loaded = loadImage(file);
        QCOMPARE(loaded.bgr.type(), CV_8UC3);
        QCOMPARE(loaded.bgr.size(), cv::Size(8, 8));
        const cv::Vec3b cyan = loaded.bgr.at<cv::Vec3b>(4, 1), white = loaded.bgr.at<cv::Vec3b>(4, 6);
        QVERIFY2(cyan[0] > 240 && cyan[1] > 240 && cyan[2] < 15, "left half should be cyan");
        QVERIFY2(white[0] > 240 && white[1] > 240 && white[2] > 240, "right half should be white");
        QVERIFY(std::find(loaded.notes.begin(), loaded.notes.end(), "CMYK image converted to RGB") !=
                loaded.notes.end());
    }

    void onePixelImageLoads() {
        const std::string file = path("one.png");
        cv::Mat px(1, 1, CV_8UC3, cv::Scalar(10, 20, 30));
        QVERIFY(cv::imwrite(file, px));
        const LoadedImage loaded = loadImage(file);
        QCOMPARE(loaded.bgr.size(), cv::Size(1, 1));
        QCOMPARE(loaded.bgr.at<cv::Vec3b>(0, 0), cv::Vec3b(10, 20, 30));
    }

    void oddFileNames_data() {
        QTest::addColumn<QString>("name");
        QTest::newRow("non-ascii") << QString::fromUtf8("façade_ファサード_фасад.png");
        QTest::newRow("spaces and quotes") << QString::fromUtf8("a b 'c' \"d\" #1.png");
        QTest::newRow("long") << QString(240, QChar('x')) + ".png";
    }
    void oddFileNames() {
        QFETCH(QString, name);
        const std::string file = path(name.toUtf8().toStdString());
        test::writeBytes(file, encode(".png", colourPattern(5, 3)));
        QCOMPARE(readImageSize(file), cv::Size(5, 3));
        QCOMPARE(loadImage(file).bgr.size(), cv::Size(5, 3));
        // Messages name the file as given.
        test::writeBytes(file, {1, 2, 3});
        try {
            loadImage(file);
            QFAIL("accepted garbage");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).find(file) != std::string::npos);
        }
    }

    void extensions() {
        QVERIFY(hasSupportedImageExtension("a/b/c.JPG"));
        QVERIFY(hasSupportedImageExtension("x.tiff"));
        QVERIFY(hasSupportedImageExtension("x.webp"));
        QVERIFY(!hasSupportedImageExtension("x.gif"));
        QVERIFY(!hasSupportedImageExtension("x.xml"));
        QVERIFY(!hasSupportedImageExtension("png"));
    }

    void saveImageWritesByExtensionAtomically() {
        const cv::Mat image(20, 30, CV_8UC3, cv::Scalar(10, 120, 240));
        // A name near NAME_MAX (255 bytes): the temporary file beside it must still fit.
        const std::string longName = std::string(247, 'x') + ".png";
        for (const std::string name : {std::string("a.png"), std::string("b.JPG"), std::string("c.bmp"), longName}) {
            const std::string path = dir_.filePath(QString::fromStdString(name)).toStdString();
            saveImage(path, image);
            const cv::Mat back = cv::imread(path, cv::IMREAD_COLOR);
            QCOMPARE(back.size(), image.size());
        }
        // A destination below a file, and a name without an extension: the file and the reason, nothing left.
        const std::string blocker = dir_.filePath("a.png").toStdString();
        for (const auto& [path, reason] : {std::pair{blocker + "/x.png", std::string("Not a directory")},
                                           std::pair{dir_.filePath("noext").toStdString(), std::string("extension")}}) {
            try {
                saveImage(path, image);
                QFAIL("saved");
            } catch (const Error& e) {
                const QString what = e.what();
                QVERIFY2(what.contains(QString::fromStdString(path).section('/', 0, -2)) && what.contains(QString::fromStdString(reason)),
                         e.what());
            }
        }
        for (const auto& entry : QDir(dir_.path()).entryList(QDir::Files | QDir::Hidden))
            QVERIFY2(!entry.contains(".tmp."), qPrintable(entry));
    }
};

QTEST_GUILESS_MAIN(TestImageIo)
#include "test_image_io.moc"
