// RunFolder: the one reader/writer of a run's files, used by the trainer, the studio's worker and panel, and
// openModelSource. The layout is what the trainer actually writes, and the rules are the trainer's.

#include <QtTest/QtTest>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <opencv2/imgcodecs.hpp>

#include "core/common/error.h"
#include "core/train/run_folder.h"
#include "tests/core/train/train_test_helpers.h"

using namespace p2p;
using namespace p2p::test;
namespace fs = std::filesystem;

namespace {

void touch(const std::string& path, const std::string& text = "x") {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << text;
}

LossSample lossAt(int64_t iteration) {
    LossSample s;
    s.iteration = iteration;
    s.epoch = 1 + int(iteration / 10);
    s.G_GAN = 0.5 + iteration;
    s.G_L1 = 10.0 + iteration;
    s.D_real = 0.25;
    s.D_fake = 0.75;
    s.lr = 0.0002;
    return s;
}

}  // namespace

class TestRunFolder : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { configureThreads(1); }

    void aRunIsOptionsOrACheckpoint_data() {
        QTest::addColumn<bool>("options");
        QTest::addColumn<bool>("checkpoint");
        QTest::newRow("empty") << false << false;
        QTest::newRow("options.json") << true << false;
        QTest::newRow("latest.ckpt only") << false << true;
        QTest::newRow("both") << true << true;
    }
    void aRunIsOptionsOrACheckpoint() {
        QFETCH(bool, options);
        QFETCH(bool, checkpoint);
        QTemporaryDir dir;
        const RunFolder run(dir.path().toStdString());
        if (options) touch(run.optionsFile());
        if (checkpoint) touch(run.latestCheckpoint());
        QCOMPARE(run.holdsRun(), options || checkpoint);
        QCOMPARE(run.hasCheckpoint(), checkpoint);
        // The trainer refuses to start a new run exactly where the folder holds one.
        const std::string data = writeTinyTrainSet(dir, 2);
        TrainOptions o = tinyTrainOptions(data, run.root());
        if (run.holdsRun()) {
            QVERIFY_THROWS_EXCEPTION(Error, Trainer{o});
        } else {
            Trainer trainer(o);
            QVERIFY(run.holdsRun());
        }
    }

    void theLayoutIsWhatTheTrainerWrites() {
        QTemporaryDir dir;
        TrainOptions o = tinyTrainOptions(writeTinyTrainSet(dir, 2), dir.filePath("my-run").toStdString());
        o.n_epochs = 1;
        o.n_epochs_decay = 1;
        o.sample_freq = 2;
        o.save_epoch_freq = 1;
        const RunFolder run(o.run_dir);
        {
            Trainer trainer(o);
            TrainingObserver quiet;
            QCOMPARE(trainer.run(quiet), TrainingState::Finished);
        }
        QCOMPARE(QString::fromStdString(run.name()), QStringLiteral("my-run"));
        QVERIFY(fs::is_regular_file(run.optionsFile()));
        QVERIFY(fs::is_regular_file(run.latestCheckpoint()));
        QVERIFY(fs::is_regular_file(run.model()));
        QVERIFY(fs::is_regular_file(run.samplePath(1, 2)));
        QCOMPARE(run.snapshotEpochs(), (std::vector<int>{1, 2}));
        QCOMPARE(run.readOptions().toJson(), Trainer::resume(o.run_dir)->options().toJson());
        QCOMPARE(run.recordedDataroot().value_or(""), fs::absolute(o.dataroot).lexically_normal().string());
        const auto losses = run.readLosses();
        QCOMPARE(int(losses.size()), 4);  // 2 pairs x 2 epochs, logged every step
        QCOMPARE(losses.back().iteration, int64_t(4));
        QCOMPARE(losses.back().epoch, 2);
    }

    void lossesRoundTripAndTruncate() {
        QTemporaryDir dir;
        const RunFolder run(dir.path().toStdString());
        QVERIFY(run.readLosses().empty());
        for (int i = 1; i <= 5; ++i) run.appendLosses(lossAt(i), i * 0.5);
        { std::ofstream(run.lossLog(), std::ios::app) << "{\"iteration\": 6, \"G_"; }  // a crash mid-line
        const auto all = run.readLosses();
        QCOMPARE(int(all.size()), 5);
        QCOMPARE(all[2].iteration, int64_t(3));
        QCOMPARE(all[2].G_L1, 13.0);
        QCOMPARE(all[2].lr, 0.0002);
        run.truncateLosses(3);
        const auto kept = run.readLosses();
        QCOMPARE(int(kept.size()), 3);
        QCOMPARE(kept.back().iteration, int64_t(3));
        std::ifstream in(run.lossLog());
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        QVERIFY(text.find("\"time\":1.5") != std::string::npos);
        QVERIFY(text.find("G_\n") == std::string::npos);  // the half line is gone
        run.removeLosses();
        QVERIFY(!fs::exists(run.lossLog()));
    }

    void appendingWhereItCannotNamesTheReason() {
        const RunFolder run("/proc/definitely-not-a-run");
        try {
            run.appendLosses(lossAt(1), 0);
            QFAIL("appended into /proc");
        } catch (const Error& e) {
            const QString message = QString::fromUtf8(e.what());
            QVERIFY2(message.contains("losses.jsonl") && message.contains("No such file"), e.what());
        }
    }

    void readOptionsNamesTheFile() {
        QTemporaryDir dir;
        const RunFolder run(dir.path().toStdString());
        QVERIFY(!run.recordedDataroot());
        touch(run.optionsFile(), "{ not json");
        try {
            run.readOptions();
            QFAIL("read broken options");
        } catch (const Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains("options.json"), e.what());
        }
        QVERIFY(!run.recordedDataroot());
    }

    void newestModelPrefersTheNewerFile() {
        QTemporaryDir dir;
        const RunFolder run(dir.path().toStdString());
        QVERIFY(run.newestModel().empty());
        touch(run.model());
        QCOMPARE(run.newestModel(), run.model());
        touch(run.latestCheckpoint());
        fs::last_write_time(run.latestCheckpoint(), fs::last_write_time(run.model()) + std::chrono::seconds(5));
        QCOMPARE(run.newestModel(), run.latestCheckpoint());
        fs::last_write_time(run.model(), fs::last_write_time(run.latestCheckpoint()) + std::chrono::seconds(5));
        QCOMPARE(run.newestModel(), run.model());
    }

    void pruningKeepsTheNewestSnapshotsAndLatest() {
        QTemporaryDir dir;
        const RunFolder run(dir.path().toStdString());
        for (int e : {1, 2, 3, 10}) touch(run.epochSnapshot(e));
        touch(run.checkpointsDir() + "/epoch_4.ckpt");  // an older run's snapshot counts too
        touch(run.checkpointsDir() + "/epoch_x.p2pm");  // not a snapshot
        touch(run.latestCheckpoint());
        QCOMPARE(run.snapshotEpochs(), (std::vector<int>{1, 2, 3, 4, 10}));
        run.pruneSnapshots(2);
        QCOMPARE(run.snapshotEpochs(), (std::vector<int>{4, 10}));
        QVERIFY(fs::exists(run.latestCheckpoint()));
        QVERIFY(fs::exists(run.checkpointsDir() + "/epoch_x.p2pm"));
        run.pruneSnapshots(0);  // 0 keeps all
        QCOMPARE(run.snapshotEpochs(), (std::vector<int>{4, 10}));
    }

    void staleTemporariesGoOthersStay() {
        QTemporaryDir dir;
        const RunFolder run(dir.path().toStdString());
        touch(run.checkpointsDir() + "/.latest.ckpt.tmp.123");
        touch(run.samplesDir() + "/.x.png.tmp.9");
        touch(run.root() + "/.options.json.tmp.1");
        touch(run.samplesDir() + "/keep.png");
        touch(run.root() + "/.hidden");
        run.removeStaleTemporaries();
        QVERIFY(!fs::exists(run.checkpointsDir() + "/.latest.ckpt.tmp.123"));
        QVERIFY(!fs::exists(run.samplesDir() + "/.x.png.tmp.9"));
        QVERIFY(!fs::exists(run.root() + "/.options.json.tmp.1"));
        QVERIFY(fs::exists(run.samplesDir() + "/keep.png"));
        QVERIFY(fs::exists(run.root() + "/.hidden"));
    }

    void samplesAreTriplets() {
        QTemporaryDir dir;
        const RunFolder run(dir.filePath("r").toStdString());
        TrainingSample s;
        s.epoch = 3;
        s.iteration = 1234;
        s.input = cv::Mat(8, 8, CV_8UC3, cv::Scalar(1, 2, 3));
        s.generated = cv::Mat(8, 8, CV_8UC3, cv::Scalar(4, 5, 6));
        s.target = cv::Mat(8, 8, CV_8UC3, cv::Scalar(7, 8, 9));
        const std::string path = run.writeSample(s);
        QCOMPARE(path, run.samplePath(3, 1234));
        QVERIFY(QString::fromStdString(path).endsWith("samples/epoch003_iter00001234.png"));
        const cv::Mat back = cv::imread(path);
        QCOMPARE(back.cols, 24);
        QCOMPARE(back.at<cv::Vec3b>(0, 20), cv::Vec3b(7, 8, 9));
    }
};

QTEST_GUILESS_MAIN(TestRunFolder)
#include "test_run_folder.moc"
