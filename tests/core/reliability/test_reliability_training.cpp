// Issue 8, crash safety of training:
// - kill -9: `pix2pix train` on a tiny set is SIGKILLed at random moments, before its first checkpoint and
//   in the middle of checkpoint writes, and resumed each time. `latest` must always load, at most one save
//   interval of progress may be lost, and the run folder must stay usable until the run finishes with a
//   complete, gap-free loss log.
// - non-finite losses stop training with a message and keep the last good checkpoint, which nothing
//   afterwards may overwrite; the run then resumes from it.
// The seed of the kill schedule is printed; P2P_KILL_SEED=N repeats one.

#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/common/error.h"
#include "core/train/checkpoint.h"
#include "core/train/trainer.h"
#include "tests/core/reliability/reliability_support.h"
#include "tests/core/train/train_test_helpers.h"

namespace fs = std::filesystem;
using namespace p2p;
using namespace p2p::test;

namespace {

constexpr int kSaveEvery = 5;
constexpr int kPairs = 4;
constexpr int kEpochs = 40;  // long enough that a resume (at the saved one thread, ~30 it/s) outlives its kill
constexpr int kTotal = kPairs * kEpochs;

QStringList trainFlags(const QString& data, const QString& run) {
    return {"train",
            "--data",
            data,
            "--run",
            run,
            "--netG",
            "unet_128",
            "--ngf",
            "8",
            "--ndf",
            "8",
            "--preprocess",
            "crop",
            "--load_size",
            "144",
            "--crop_size",
            "128",
            "--n_epochs",
            QString::number(kEpochs),
            "--n_epochs_decay",
            "0",
            "--save_latest_freq",
            QString::number(kSaveEvery),
            "--save_epoch_freq",
            "0",
            "--log_freq",
            "1",
            "--sample_freq",
            "7",
            "--num_threads",
            "1",
            "--threads",
            "1",
            "--device",
            "cpu",
            "--seed",
            "3"};
}

// Iterations in losses.jsonl, in order; a torn last line (killed mid-append) is left out.
std::vector<int64_t> loggedIterations(const QString& run) {
    std::vector<int64_t> out;
    std::ifstream in((run + "/losses.jsonl").toStdString());
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        try {
            out.push_back(nlohmann::json::parse(line).at("iteration").get<int64_t>());
        } catch (const nlohmann::json::exception&) {
        }
    }
    return out;
}

QStringList temporaries(const QString& folder) {
    return QDir(folder).entryList({".*.tmp.*"}, QDir::Files | QDir::Hidden);
}

enum class KillAt { OptionsWritten, RandomMoment, DuringCheckpointWrite };

struct Silent : TrainingObserver {
    std::vector<std::string> messages;
    void onMessage(const std::string& m) override { messages.push_back(m); }
};

}  // namespace

class TestReliabilityTraining : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        configureThreads(1);
        QVERIFY2(!cliPath().isEmpty(), "the pix2pix CLI is not built (set P2P_CLI)");
    }

    void killNineAndResume() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString data = dir.filePath("data"), run = dir.filePath("run");
        writeTinyAlignedSet((data + "/train").toStdString(), kPairs, 144, 5);
        const unsigned seed = qEnvironmentVariableIsSet("P2P_KILL_SEED")
                                  ? unsigned(qEnvironmentVariableIntValue("P2P_KILL_SEED"))
                                  : std::random_device{}();
        qInfo("kill schedule seed: %u (repeat with P2P_KILL_SEED=%u)", seed, seed);
        std::mt19937 rng(seed);
        const double slow = kSanitizedBuild ? 4.0 : 1.0;

        const std::vector<KillAt> schedule{KillAt::OptionsWritten, KillAt::DuringCheckpointWrite,
                                           KillAt::RandomMoment,   KillAt::DuringCheckpointWrite,
                                           KillAt::RandomMoment,   KillAt::DuringCheckpointWrite,
                                           KillAt::RandomMoment};
        int64_t previousCheckpoint = 0;
        int killsMidWrite = 0, kills = 0;
        QElapsedTimer total;
        total.start();
        for (size_t round = 0; round < schedule.size(); ++round) {
            const KillAt when = schedule[round];
            QProcess child;
            child.setProcessChannelMode(QProcess::MergedChannels);
            child.setStandardOutputFile(dir.filePath(QString("round-%1.log").arg(round)));
            child.start(cliPath(),
                        round == 0 ? trainFlags(data, run) : QStringList{"train", "--resume", run});
            QVERIFY(child.waitForStarted());
            QElapsedTimer clock;
            clock.start();
            bool killed = false, midWrite = false;
            const qint64 limit = qint64(120000 * slow);
            if (when == KillAt::OptionsWritten) {
                while (child.state() != QProcess::NotRunning && clock.elapsed() < limit) {
                    if (QFileInfo::exists(run + "/options.json")) {
                        child.kill();
                        killed = true;
                        break;
                    }
                    child.waitForFinished(1);
                }
                QVERIFY2(!QFileInfo::exists(run + "/checkpoints/latest.ckpt"),
                         "too late: a checkpoint exists");
            } else if (when == KillAt::DuringCheckpointWrite) {
                // Inside this process's second checkpoint write: the first one completes, so the run
                // advances.
                int writesSeen = 0;
                bool writing = false;
                while (child.state() != QProcess::NotRunning && clock.elapsed() < limit) {
                    const bool now = !temporaries(run + "/checkpoints").isEmpty();
                    if (now && !writing && ++writesSeen == 2) {
                        child.kill();
                        killed = true;
                        break;
                    }
                    writing = now;
                    child.waitForFinished(1);
                }
            } else {
                // A random moment once this process trains (it has said where it starts from).
                QFile out(dir.filePath(QString("round-%1.log").arg(round)));
                while (child.state() != QProcess::NotRunning && clock.elapsed() < limit) {
                    if (out.open(QIODevice::ReadOnly)) {
                        const bool training = out.readAll().contains("training from iteration");
                        out.close();
                        if (training) break;
                    }
                    child.waitForFinished(5);
                }
                // ... and has taken a step of its own.
                const auto startedAt = loggedIterations(run);
                while (child.state() != QProcess::NotRunning && clock.elapsed() < limit &&
                       loggedIterations(run) == startedAt)
                    child.waitForFinished(5);
                std::uniform_int_distribution<int> delay(0, int(800 * slow));
                child.waitForFinished(delay(rng));
                if (child.state() != QProcess::NotRunning) {
                    child.kill();
                    killed = true;
                }
            }
            child.waitForFinished(30000);
            QFile logFile(dir.filePath(QString("round-%1.log").arg(round)));
            logFile.open(QIODevice::ReadOnly);
            const QString log = QString::fromUtf8(logFile.readAll());
            QVERIFY2(killed, qPrintable(QString("round %1 ended before it was killed (exit %2):\n%3")
                                            .arg(round)
                                            .arg(child.exitCode())
                                            .arg(log)));
            ++kills;
            midWrite = !temporaries(run + "/checkpoints").isEmpty();
            killsMidWrite += midWrite;

            // latest always loads; at most one save interval is lost.
            const auto logged = loggedIterations(run);
            const int64_t reached = logged.empty() ? 0 : logged.back();
            int64_t kept = 0;
            if (QFileInfo::exists(run + "/checkpoints/latest.ckpt")) {
                try {
                    kept = loadTrainingCheckpoint((run + "/checkpoints/latest.ckpt").toStdString())
                               .position.iteration;
                } catch (const Error& e) {
                    QFAIL(qPrintable(
                        QString("round %1: latest.ckpt does not load: %2").arg(round).arg(e.what())));
                }
            }
            qInfo("round %zu (%s): killed at iteration %lld, latest holds %lld%s", round,
                  when == KillAt::OptionsWritten ? "after options.json"
                  : when == KillAt::RandomMoment ? "random moment"
                                                 : "checkpoint write",
                  static_cast<long long>(reached), static_cast<long long>(kept),
                  midWrite ? " (mid-write)" : "");
            QVERIFY2(
                reached - kept <= kSaveEvery,
                qPrintable(
                    QString("round %1: reached %2 but latest holds %3").arg(round).arg(reached).arg(kept)));
            QVERIFY(kept % kSaveEvery == 0);
            QVERIFY2(kept >= previousCheckpoint, "a checkpoint went backwards");
            previousCheckpoint = kept;
            QVERIFY(nlohmann::json::parse(std::ifstream((run + "/options.json").toStdString())).is_object());
        }
        QVERIFY2(killsMidWrite >= 1, "no kill landed inside a checkpoint write");

        // The run folder is usable: the last resume finishes the run.
        const ChildRun finish = runPix2pix({"train", "--resume", run});
        P2P_EXPECT_EXIT(finish, 0);
        const TrainingCheckpoint last =
            loadTrainingCheckpoint((run + "/checkpoints/latest.ckpt").toStdString());
        QCOMPARE(last.position.iteration, int64_t(kTotal));
        QVERIFY(QFileInfo::exists(run + "/model.p2pm"));
        // Every step is logged exactly once, in order, whatever was cut off and redone.
        const auto logged = loggedIterations(run);
        QCOMPARE(int64_t(logged.size()), int64_t(kTotal));
        for (int64_t i = 0; i < kTotal; ++i) QCOMPARE(logged[size_t(i)], i + 1);
        // Nothing half-written is left: no temporaries, every sample decodes.
        for (const QString sub : {"", "/checkpoints", "/samples"})
            QVERIFY2(temporaries(run + sub).isEmpty(),
                     qPrintable(run + sub + ": " + temporaries(run + sub).join(", ")));
        for (const QString& name : QDir(run + "/samples").entryList({"*.png"}, QDir::Files))
            QVERIFY2(!cv::imread((run + "/samples/" + name).toStdString()).empty(), qPrintable(name));
        qInfo("%d kills (%d inside a checkpoint write) and the final resume took %.1f s", kills,
              killsMidWrite, total.elapsed() / 1000.0);
    }

    // A NaN loss stops training with a message; the last good checkpoint is kept, nothing overwrites it with
    // the poisoned networks, and the run resumes from it.
    void nonFiniteLossKeepsTheLastGoodCheckpoint() {
        QTemporaryDir dir;
        TrainOptions o = tinyTrainOptions(writeTinyTrainSet(dir, 3), dir.filePath("run").toStdString());
        o.save_latest_freq = 4;
        o.n_epochs = 3;
        o.n_epochs_decay = 0;
        const std::string latest = o.run_dir + "/checkpoints/latest.ckpt";
        {
            Trainer trainer(o);
            trainer.injectNonFiniteInputAt(6);
            Silent observer;
            try {
                trainer.run(observer);
                QFAIL("a NaN loss did not stop training");
            } catch (const Error& e) {
                QVERIFY2(QString(e.what()).contains("not finite") && QString(e.what()).contains(q(latest)),
                         e.what());
            }
            QCOMPARE(loadTrainingCheckpoint(latest).position.iteration, int64_t(4));
            // The networks in memory took the NaN step: saving them now must be refused.
            QVERIFY_EXCEPTION_THROWN(trainer.saveCheckpoint(), Error);
            QVERIFY_EXCEPTION_THROWN(trainer.exportModel(dir.filePath("poisoned.p2pm").toStdString()), Error);
            QVERIFY(!QFileInfo::exists(dir.filePath("poisoned.p2pm")));
            QCOMPARE(loadTrainingCheckpoint(latest).position.iteration, int64_t(4));
        }
        // The CLI resumes the run from the kept checkpoint and finishes it.
        const ChildRun r = runPix2pix({"train", "--resume", q(o.run_dir)});
        P2P_EXPECT_EXIT(r, 0);
        QVERIFY2(r.out.contains("iteration 4"), qPrintable(r.out));
        QCOMPARE(loadTrainingCheckpoint(latest).position.iteration, int64_t(9));
    }

    // A run killed before its first checkpoint resumes (from the start) instead of being stuck.
    void resumeBeforeTheFirstCheckpointStartsOver() {
        QTemporaryDir dir;
        TrainOptions o = tinyTrainOptions(writeTinyTrainSet(dir, 2), dir.filePath("run").toStdString());
        o.n_epochs = 1;
        o.n_epochs_decay = 0;
        { Trainer first(o); }  // options.json written, no checkpoint: as after a kill
        std::ofstream(o.run_dir + "/losses.jsonl") << "{\"iteration\": 1}\n{\"itera";  // a torn log
        std::ofstream(o.run_dir + "/checkpoints/.latest.ckpt.tmp.99999.0") << "half a checkpoint";
        QVERIFY_EXCEPTION_THROWN(Trainer again(o), Error);  // a new run still refuses the folder
        auto resumed = Trainer::resume(o.run_dir);
        QCOMPARE(resumed->iteration(), int64_t(0));
        QVERIFY(temporaries(q(o.run_dir + "/checkpoints")).isEmpty());
        Silent observer;
        QCOMPARE(resumed->run(observer), TrainingState::Finished);
        QCOMPARE(loadTrainingCheckpoint(o.run_dir + "/checkpoints/latest.ckpt").position.iteration,
                 int64_t(2));
        QCOMPARE(loggedIterations(q(o.run_dir)), (std::vector<int64_t>{1, 2}));
    }

private:
    static QString q(const std::string& s) { return QString::fromStdString(s); }
};

QTEST_GUILESS_MAIN(TestReliabilityTraining)
#include "test_reliability_training.moc"
