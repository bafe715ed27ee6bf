// Background batches: deterministic whatever the thread count, exact mid-epoch resume, bad files skipped.

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <filesystem>
#include <mutex>

#include <opencv2/imgcodecs.hpp>

#include "core/common/error.h"
#include "core/data/prefetcher.h"
#include "core/data/tensor_image.h"
#include "tests/core/data/crafted_files.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using namespace p2p;

namespace {

TransformOptions jitter() {
    TransformOptions o;
    o.preprocess = Preprocess::ResizeAndCrop;
    o.load_size = 72;
    o.crop_size = 64;
    o.flip = true;
    return o;
}

std::vector<TrainingBatch> wholeEpoch(PairPrefetcher& prefetcher, int epoch, int64_t skip = 0) {
    prefetcher.startEpoch(epoch, skip);
    std::vector<TrainingBatch> batches;
    while (auto batch = prefetcher.next()) batches.push_back(std::move(*batch));
    return batches;
}

bool sameBatches(const std::vector<TrainingBatch>& a, const std::vector<TrainingBatch>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i].names != b[i].names || a[i].batch_index != b[i].batch_index) return false;
        if (!torch::equal(a[i].input, b[i].input) || !torch::equal(a[i].target, b[i].target)) return false;
    }
    return true;
}

std::vector<std::string> namesOf(const std::vector<TrainingBatch>& batches) {
    std::vector<std::string> names;
    for (const auto& b : batches) names.insert(names.end(), b.names.begin(), b.names.end());
    return names;
}

}  // namespace

class TestPrefetcher : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    DatasetScan scan_;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        test::writeTinyAlignedSet(dir_.path().toStdString() + "/train", 10);
        scan_ = scanPairedFolder(dir_.path().toStdString());
        QCOMPARE(scan_.split("train").size(), size_t(10));
    }

    void deterministicWhateverTheThreads_data() {
        QTest::addColumn<int>("threads");
        QTest::addColumn<int>("depth");
        QTest::newRow("1 thread") << 1 << 0;
        QTest::newRow("3 threads") << 3 << 0;
        QTest::newRow("4 threads, depth 1") << 4 << 1;
        QTest::newRow("2 threads, depth 8") << 2 << 8;
    }
    void deterministicWhateverTheThreads() {
        QFETCH(int, threads);
        QFETCH(int, depth);
        PairPrefetcher reference(scan_, "train", Direction::AtoB, jitter(), 3, 42, 0);
        PairPrefetcher threaded(scan_, "train", Direction::AtoB, jitter(), 3, 42, threads, depth);
        for (int epoch : {0, 1, 7}) {
            const auto expected = wholeEpoch(reference, epoch);
            const auto got = wholeEpoch(threaded, epoch);
            QVERIFY2(sameBatches(expected, got), qPrintable(QString("epoch %1 differs").arg(epoch)));
        }
    }

    void epochCoversEverySampleOnceInAShuffledOrder() {
        PairPrefetcher prefetcher(scan_, "train", Direction::AtoB, jitter(), 3, 1, 2);
        QCOMPARE(prefetcher.batchesPerEpoch(), int64_t(4));
        const auto epoch0 = wholeEpoch(prefetcher, 0);
        QCOMPARE(epoch0.size(), size_t(4));
        QCOMPARE(epoch0.back().input.size(0), int64_t(1));  // 10 = 3 + 3 + 3 + 1, like drop_last=False
        for (const auto& b : epoch0) {
            QCOMPARE(b.input.sizes(), (torch::IntArrayRef{b.input.size(0), 3, 64, 64}));
            QCOMPARE(b.input.scalar_type(), torch::kFloat32);
            QVERIFY(b.input.min().item<float>() >= -1.0f && b.input.max().item<float>() <= 1.0f);
            QCOMPARE(b.target.sizes(), b.input.sizes());
        }
        auto names = namesOf(epoch0);
        auto sorted = names;
        std::sort(sorted.begin(), sorted.end());
        std::vector<std::string> all;
        for (const auto& e : scan_.split("train")) all.push_back(e.name);
        std::sort(all.begin(), all.end());
        QCOMPARE(sorted, all);
        // Other epochs and other seeds give other orders.
        QVERIFY(namesOf(wholeEpoch(prefetcher, 1)) != names);
        PairPrefetcher otherSeed(scan_, "train", Direction::AtoB, jitter(), 3, 2, 2);
        QVERIFY(namesOf(wholeEpoch(otherSeed, 0)) != names);
    }

    void sameSampleSameJitterInBothHalves() {
        // No flip, no crop randomness: input and target of AtoB are the two halves of the same file.
        TransformOptions plain = jitter();
        plain.preprocess = Preprocess::None;
        plain.size_multiple = 64;
        plain.flip = false;
        PairPrefetcher ab(scan_, "train", Direction::AtoB, plain, 1, 3, 1);
        PairPrefetcher ba(scan_, "train", Direction::BtoA, plain, 1, 3, 1);
        const auto x = wholeEpoch(ab, 0), y = wholeEpoch(ba, 0);
        QCOMPARE(x.size(), y.size());
        for (size_t i = 0; i < x.size(); ++i) {
            QVERIFY(torch::equal(x[i].input, y[i].target));
            QVERIFY(torch::equal(x[i].target, y[i].input));
        }
    }

    void resumeMidEpochIsExact_data() {
        QTest::addColumn<int>("skip");
        QTest::newRow("skip 1") << 1;
        QTest::newRow("skip 3") << 3;
        QTest::newRow("skip all") << 4;
        QTest::newRow("skip past the end") << 9;
    }
    void resumeMidEpochIsExact() {
        QFETCH(int, skip);
        PairPrefetcher full(scan_, "train", Direction::AtoB, jitter(), 3, 11, 2);
        const auto all = wholeEpoch(full, 5);
        // A fresh prefetcher (as after a restart) that skips the batches already trained on.
        PairPrefetcher resumed(scan_, "train", Direction::AtoB, jitter(), 3, 11, 3);
        const auto rest = wholeEpoch(resumed, 5, skip);
        const std::vector<TrainingBatch> expected(all.begin() + std::min<size_t>(all.size(), size_t(skip)),
                                                  all.end());
        QVERIFY(sameBatches(expected, rest));
    }

    void restartingAnEpochAbandonsTheOldOne() {
        PairPrefetcher prefetcher(scan_, "train", Direction::AtoB, jitter(), 2, 9, 2);
        prefetcher.startEpoch(0);
        QVERIFY(prefetcher.next().has_value());
        const auto epoch3 = wholeEpoch(prefetcher, 3);
        PairPrefetcher fresh(scan_, "train", Direction::AtoB, jitter(), 2, 9, 0);
        QVERIFY(sameBatches(wholeEpoch(fresh, 3), epoch3));
        const PrefetchStats stats = prefetcher.stats();
        QCOMPARE(stats.batches_delivered, int64_t(1 + 5));
        QVERIFY(stats.blocked_calls <= stats.batches_delivered + 1);
        QVERIFY(stats.wait_seconds >= 0);
    }

    void corruptFileMidEpochIsSkipped() {
        QTemporaryDir dir;
        const auto files = test::writeTinyAlignedSet(dir.path().toStdString(), 6);
        const DatasetScan scan = scanPairedFolder(dir.path().toStdString());
        // The file breaks after the scan, as a disk or a sync tool might do mid-training.
        const std::string broken = files[2];
        auto bytes = test::readBytes(broken);
        bytes.resize(bytes.size() / 2);
        test::writeBytes(broken, bytes);

        std::mutex mutex;
        std::vector<std::pair<std::string, std::string>> messages;
        PairPrefetcher prefetcher(scan, "", Direction::AtoB, jitter(), 2, 4, 2);
        prefetcher.setSkipCallback([&](const std::string& path, const std::string& reason) {
            std::lock_guard<std::mutex> lock(mutex);
            messages.emplace_back(path, reason);
        });
        for (int epoch = 0; epoch < 2; ++epoch) {
            const auto batches = wholeEpoch(prefetcher, epoch);
            const auto names = namesOf(batches);
            QCOMPARE(names.size(), size_t(5));
            QVERIFY(std::find(names.begin(), names.end(), fs::path(broken).stem().string()) == names.end());
        }
        QCOMPARE(messages.size(), size_t(1));  // reported once, not once per epoch
        QCOMPARE(messages[0].first, broken);
        QVERIFY2(QString::fromStdString(messages[0].second).contains(QString::fromStdString(broken)),
                 messages[0].second.c_str());
        QCOMPARE(prefetcher.stats().samples_skipped, int64_t(2));
        QCOMPARE(prefetcher.stats().samples_loaded, int64_t(10));
    }

    void batchWhoseFilesAllFailIsPassedOver() {
        QTemporaryDir dir;
        const auto files = test::writeTinyAlignedSet(dir.path().toStdString(), 3);
        const DatasetScan scan = scanPairedFolder(dir.path().toStdString());
        test::writeBytes(files[0], {1, 2, 3});
        PairPrefetcher prefetcher(scan, "", Direction::AtoB, jitter(), 1, 0, 2);
        const auto batches = wholeEpoch(prefetcher, 0);
        QCOMPARE(batches.size(), size_t(2));
    }

    void mixedSizesInABatchAreAClearError() {
        QTemporaryDir dir;
        test::writeTinyAlignedSet(dir.path().toStdString(), 2, 64);
        test::writeTinyAlignedSet(dir.path().toStdString() + "/more", 1, 32);
        fs::rename(dir.path().toStdString() + "/more/1.png", dir.path().toStdString() + "/small.png");
        const DatasetScan scan = scanPairedFolder(dir.path().toStdString());
        TransformOptions none;
        none.preprocess = Preprocess::None;
        none.size_multiple = 32;
        PairPrefetcher prefetcher(scan, "", Direction::AtoB, none, 3, 0, 1);
        prefetcher.startEpoch(0);
        try {
            prefetcher.next();
            QFAIL("a batch of mixed sizes was formed");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("mixes image sizes"), e.what());
        }
    }

    void badArguments() {
        QVERIFY_EXCEPTION_THROWN(PairPrefetcher(scan_, "test", Direction::AtoB, jitter(), 1, 0, 1), Error);
        QVERIFY_EXCEPTION_THROWN(PairPrefetcher(scan_, "train", Direction::AtoB, jitter(), 0, 0, 1), Error);
        TransformOptions bad = jitter();
        bad.crop_size = 100;
        QVERIFY_EXCEPTION_THROWN(PairPrefetcher(scan_, "train", Direction::AtoB, bad, 1, 0, 1), Error);
        PairPrefetcher notStarted(scan_, "train", Direction::AtoB, jitter(), 1, 0, 1);
        QVERIFY_EXCEPTION_THROWN(notStarted.next(), Error);
    }

    void destroyedMidEpoch() {
        for (int i = 0; i < 5; ++i) {
            PairPrefetcher prefetcher(scan_, "train", Direction::AtoB, jitter(), 1, uint64_t(i), 3, 4);
            prefetcher.startEpoch(0);
            QVERIFY(prefetcher.next().has_value());
        }  // workers still decoding ahead: the destructor must stop and join them
    }

    void evalPairIsDeterministicAndCentred() {
        const PairEntry& entry = scan_.split("train")[0];
        const EvalSample a = loadEvalPair(entry, scan_.layout, Direction::AtoB, jitter());
        const EvalSample b = loadEvalPair(entry, scan_.layout, Direction::AtoB, jitter());
        QVERIFY(torch::equal(a.input, b.input));
        QCOMPARE(a.input.sizes(), (torch::IntArrayRef{1, 3, 64, 64}));
        const ImagePair pair = loadPair(entry, scan_.layout, Direction::AtoB);
        TransformOptions o = jitter();
        const cv::Mat expected = applyTransform(pair.input, o, {4, 4, false});
        QCOMPARE(cv::norm(a.input_image, expected, cv::NORM_INF), 0.0);
        QVERIFY(torch::equal(a.input, imageToTensor(expected)));
    }

    void realFacades() {
        P2P_REQUIRE_SHARED(facades, "data/facades");
        const DatasetScan scan = scanPairedFolder(facades);
        PairPrefetcher prefetcher(scan, "train", Direction::BtoA, TransformOptions{}, 1, 0, 2);
        QCOMPARE(prefetcher.batchesPerEpoch(), int64_t(400));
        prefetcher.startEpoch(0);
        for (int i = 0; i < 3; ++i) {
            auto batch = prefetcher.next();
            QVERIFY(batch.has_value());
            QCOMPARE(batch->input.sizes(), (torch::IntArrayRef{1, 3, 256, 256}));
        }
    }
};

QTEST_GUILESS_MAIN(TestPrefetcher)
#include "test_prefetcher.moc"
