// Which half of a paired set is the drawing: facades (photo | labels) gives BtoA, the same set mirrored gives
// AtoB, an edge set (sketch | photo) gives AtoB, and two photos give no guess.

#include <QtTest/QtTest>

#include <filesystem>

#include <opencv2/imgcodecs.hpp>

#include "core/data/direction_guess.h"
#include "core/edges/edges.h"
#include "core/io/image_io.h"
#include "tests/support/test_support.h"

using namespace p2p;
namespace fs = std::filesystem;

namespace {

std::string facadesTrain() {
    const auto dir = test::sharedPath("data/facades");
    return dir ? *dir : std::string();
}

// Writes `count` pairs built from facades' training pairs by `make(photo, label)`.
template <typename Make>
std::string writeDerivedSet(const QTemporaryDir& dir, int count, Make make) {
    const std::string root = dir.filePath("set").toStdString();
    fs::create_directories(root + "/train");
    const DatasetScan facades = scanPairedFolder(facadesTrain());
    for (int i = 0; i < count; ++i) {
        const ImagePair pair = loadPair(facades.split("train").at(size_t(i) * 37), facades.layout, Direction::AtoB);
        cv::Mat out;
        cv::hconcat(make(pair.input, pair.target), out);
        saveImage(root + "/train/" + std::to_string(i) + ".png", out);
    }
    return root;
}

}  // namespace

class TestDirectionGuess : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() {
        P2P_REQUIRE_SHARED(facades, "data/facades");
        (void)facades;
    }

    void facadesMakePhotosBtoA() {
        const DatasetScan scan = scanPairedFolder(facadesTrain());
        for (const std::string split : {"train", "test"}) {
            const DirectionGuess g = guessDirection(scan, split);
            QVERIFY2(g.direction == Direction::BtoA, g.reason.c_str());
            QCOMPARE(int(g.a), int(ImageKind::Photo));
            QCOMPARE(int(g.b), int(ImageKind::LabelMap));
            QVERIFY2(QString::fromStdString(g.reason).contains("B looks like a label map"), g.reason.c_str());
        }
    }

    // Every half of the shipped sets is classified alike (train and test, 506 pairs).
    void everyFacadesHalfIsClassified() {
        const DatasetScan scan = scanPairedFolder(facadesTrain());
        int wrong = 0;
        for (const std::string split : {"train", "test"})
            for (const auto& entry : scan.split(split)) {
                const ImagePair pair = loadPair(entry, scan.layout, Direction::AtoB);
                wrong += classifyImage(pair.input) != ImageKind::Photo;
                wrong += classifyImage(pair.target) != ImageKind::LabelMap;
            }
        QCOMPARE(wrong, 0);
    }

    void mirroredFacadesMakePhotosAtoB() {
        QTemporaryDir dir;
        const std::string root =
            writeDerivedSet(dir, 8, [](const cv::Mat& photo, const cv::Mat& label) { return std::vector{label, photo}; });
        const DirectionGuess g = guessDirection(scanPairedFolder(root), "train");
        QVERIFY2(g.direction == Direction::AtoB, g.reason.c_str());
        QVERIFY2(QString::fromStdString(g.reason).contains("8 of 8"), g.reason.c_str());
    }

    void edgeSketchesMakePhotosAtoB() {
        QTemporaryDir dir;
        const std::string root = writeDerivedSet(dir, 8, [](const cv::Mat& photo, const cv::Mat&) {
            return std::vector{photoToEdges(photo), photo};
        });
        const DirectionGuess g = guessDirection(scanPairedFolder(root), "train");
        QVERIFY2(g.direction == Direction::AtoB, g.reason.c_str());
        QCOMPARE(int(g.a), int(ImageKind::Sketch));
        QVERIFY2(QString::fromStdString(g.reason).contains("edge sketch"), g.reason.c_str());
    }

    void twoPhotosGiveNoGuess() {
        QTemporaryDir dir;
        const std::string root = writeDerivedSet(dir, 6, [](const cv::Mat& photo, const cv::Mat&) {
            cv::Mat flipped;
            cv::flip(photo, flipped, 1);
            return std::vector{photo, flipped};
        });
        const DirectionGuess g = guessDirection(scanPairedFolder(root), "train");
        QVERIFY2(!g.direction, g.reason.c_str());
        QVERIFY2(QString::fromStdString(g.reason).contains("choose the direction yourself"), g.reason.c_str());
    }
};

QTEST_GUILESS_MAIN(TestDirectionGuess)
#include "test_direction_guess.moc"
