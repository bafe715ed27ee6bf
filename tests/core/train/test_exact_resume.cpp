// Exact resume: N steps in one go equal N/2 steps, a checkpoint, a new Trainer resumed from it, and the rest,
// bit for bit on CPU (G, D, BatchNorm statistics and both Adam states). Short runs here; the 2000
// steps are in test_exact_resume_2k.

#include <QtTest/QtTest>

#include <chrono>

#include "tests/core/train/train_test_helpers.h"

using namespace p2p;
using namespace p2p::test;

namespace {

struct Silent : TrainingObserver {};

TrainingCheckpoint trainedCheckpoint(Trainer& trainer) {
    return loadTrainingCheckpoint(trainer.saveCheckpoint());
}

}  // namespace

class TestExactResume : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { configureThreads(1); }

    void resumeIsExact_data() {
        QTest::addColumn<int>("images");
        QTest::addColumn<int>("batch");
        QTest::addColumn<int>("nEpochs");
        QTest::addColumn<int>("nDecay");
        QTest::addColumn<int>("total");
        QTest::addColumn<int>("split");
        QTest::newRow("split at an epoch boundary in the decay") << 5 << 1 << 2 << 5 << 30 << 15;
        QTest::newRow("split mid-epoch at constant lr") << 5 << 1 << 4 << 1 << 24 << 7;
        // 5 pairs at batch 2: batches of 2, 2 and 1.
        QTest::newRow("batch 2, split after the partial batch") << 5 << 2 << 3 << 3 << 14 << 9;
    }

    void resumeIsExact() {
        QFETCH(int, images);
        QFETCH(int, batch);
        QFETCH(int, nEpochs);
        QFETCH(int, nDecay);
        QFETCH(int, total);
        QFETCH(int, split);
        QTemporaryDir dir;
        const std::string data = writeTinyTrainSet(dir, images);
        auto options = [&](const char* run) {
            TrainOptions o = tinyTrainOptions(data, dir.filePath(run).toStdString());
            o.batch_size = batch;
            o.n_epochs = nEpochs;
            o.n_epochs_decay = nDecay;
            o.log_freq = 100;
            return o;
        };
        Silent silent;
        const auto start = std::chrono::steady_clock::now();

        TrainingCheckpoint continuous;
        {
            Trainer trainer(options("continuous"));
            trainer.runSteps(total, silent);
            QCOMPARE(trainer.iteration(), int64_t(total));
            continuous = trainedCheckpoint(trainer);
        }
        {
            Trainer first(options("split"));
            first.runSteps(split, silent);
            QCOMPARE(first.iteration(), int64_t(split));
            first.saveCheckpoint();
        }
        auto second = Trainer::resume(dir.filePath("split").toStdString());
        QCOMPARE(second->iteration(), int64_t(split));
        second->runSteps(total - split, silent);
        QCOMPARE(second->iteration(), int64_t(total));
        const TrainingCheckpoint resumed = trainedCheckpoint(*second);

        QCOMPARE(resumed.position.epoch, continuous.position.epoch);
        QCOMPARE(resumed.position.epoch_iteration, continuous.position.epoch_iteration);
        QCOMPARE(resumed.lr, continuous.lr);
        QCOMPARE(maxCheckpointDifference(continuous, resumed), 0.0);
        QVERIFY(torch::equal(continuous.cpu_rng, resumed.cpu_rng));
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        qInfo("%d + %d steps (continuous and split) in %.1f s", total, total, seconds);
    }

    // The comparison above can fail: a resumed run whose dropout draws are shifted by one random number,
    // or that starts from the wrong position in the data order, ends somewhere else.
    void perturbedResumeDiffers() {
        QTemporaryDir dir;
        const std::string data = writeTinyTrainSet(dir, 5);
        Silent silent;
        auto options = [&](const char* run) {
            TrainOptions o = tinyTrainOptions(data, dir.filePath(run).toStdString());
            o.log_freq = 100;
            return o;
        };
        TrainingCheckpoint continuous;
        {
            Trainer trainer(options("continuous"));
            trainer.runSteps(12, silent);
            continuous = trainedCheckpoint(trainer);
        }
        {
            Trainer first(options("split"));
            first.runSteps(6, silent);
            first.saveCheckpoint();
        }
        auto second = Trainer::resume(dir.filePath("split").toStdString());
        torch::rand({1});  // one draw that the continuous run did not make
        second->runSteps(6, silent);
        QVERIFY(maxCheckpointDifference(continuous, trainedCheckpoint(*second)) > 0);
    }
};

QTEST_GUILESS_MAIN(TestExactResume)
#include "test_exact_resume.moc"
