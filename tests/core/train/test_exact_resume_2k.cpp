// The exact-resume check at length: 2000 steps in one go equal 1003 steps, a checkpoint, a new
// Trainer resumed from it and 997 more, bit for bit on CPU. The split lies mid-epoch inside the learning-rate
// decay. The first 1003 steps are shared: the continuous trainer writes the checkpoint and carries on, so
// this also checks that saving leaves the run undisturbed (test_exact_resume compares against runs that
// never save). In fp32 and in bf16 (mixed precision: autocast's cached weight casts must not outlive a step,
// and oneDNN's bf16 kernels must be as deterministic as its fp32 ones).

#include <QtTest/QtTest>

#include <chrono>
#include <filesystem>

#include "tests/core/train/train_test_helpers.h"

namespace fs = std::filesystem;
using namespace p2p;
using namespace p2p::test;

namespace {
struct Silent : TrainingObserver {};
}  // namespace

class TestExactResume2k : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { configureThreads(1); }

    void twoThousandSteps_data() {
        QTest::addColumn<int>("precision");
        QTest::newRow("fp32") << int(TrainPrecision::FP32);
        QTest::newRow("bf16") << int(TrainPrecision::BF16);
    }

    void twoThousandSteps() {
        QFETCH(int, precision);
        constexpr int kTotal = 2000, kSplit = 1003;
        QTemporaryDir dir;
        TrainOptions o =
            tinyTrainOptions(writeTinyTrainSet(dir, 8), dir.filePath("continuous").toStdString());
        o.precision = static_cast<TrainPrecision>(precision);
        o.n_epochs = 100;  // 8 iterations per epoch: the decay starts at iteration 801
        o.n_epochs_decay = 200;
        o.log_freq = 100;
        Silent silent;
        const auto start = std::chrono::steady_clock::now();

        Trainer continuous(o);
        continuous.runSteps(kSplit, silent);
        const std::string mid = continuous.saveCheckpoint();
        const fs::path split = dir.filePath("split").toStdString();
        fs::create_directories(split / "checkpoints");
        fs::copy_file(fs::path(o.run_dir) / "options.json", split / "options.json");
        fs::copy_file(mid, split / "checkpoints" / "latest.ckpt");
        continuous.runSteps(kTotal - kSplit, silent);
        QCOMPARE(continuous.iteration(), int64_t(kTotal));
        const TrainingCheckpoint a = loadTrainingCheckpoint(continuous.saveCheckpoint());

        auto resumed = Trainer::resume(split.string());
        QVERIFY(resumed->options().precision == o.precision);  // restored from the checkpoint
        QCOMPARE(resumed->iteration(), int64_t(kSplit));
        QCOMPARE(resumed->epoch(), kSplit / 8 + 1);
        QVERIFY(resumed->learningRate() < o.lr);  // inside the decay
        resumed->runSteps(kTotal - kSplit, silent);
        const TrainingCheckpoint b = loadTrainingCheckpoint(resumed->saveCheckpoint());

        QCOMPARE(b.position.iteration, a.position.iteration);
        QCOMPARE(b.position.epoch, a.position.epoch);
        QCOMPARE(b.lr, a.lr);
        QVERIFY(b.options.precision == o.precision);
        QCOMPARE(maxCheckpointDifference(a, b), 0.0);
        QVERIFY(torch::equal(a.cpu_rng, b.cpu_rng));
        qInfo("%s: %d + %d steps in %.1f s", toString(o.precision).c_str(), kTotal, kTotal - kSplit,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
};

QTEST_GUILESS_MAIN(TestExactResume2k)
#include "test_exact_resume_2k.moc"
