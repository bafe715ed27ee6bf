// Issue 21, exact resume through kill -9: `pix2pix train` with a non-default compute thread count is
// SIGKILLed at seeded pseudo-random moments, several of them inside checkpoint writes, and resumed each time
// as a user would (`pix2pix train --resume RUN`, no other flag). Its final checkpoint must equal, tensor for
// tensor (G, D and both Adam states), that of an uninterrupted run with the same flags: max difference 0.
// The thread count matters: another count changes the summation order, so a resume that forgot it drifts.
// The kill schedule's seed is printed; P2P_KILL_SEED=N repeats one.

#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <algorithm>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/train/checkpoint.h"
#include "tests/core/reliability/reliability_support.h"
#include "tests/core/train/train_test_helpers.h"

using namespace p2p;
using namespace p2p::test;

namespace {

constexpr int kPairs = 4;
constexpr int kEpochs = 20;  // 15 constant + 5 decaying, so the resumed runs cross the lr decay too
constexpr int kTotal = kPairs * kEpochs;
constexpr int kSaveEvery = 3;  // frequent checkpoint writes, so that kills land inside them
constexpr unsigned kDefaultKillSeed = 21;

// One compute thread on this 2-core machine: not the default (one per core), so a resume that falls back
// to the default changes the arithmetic.
QStringList trainFlags(const QString& data, const QString& run) {
    return {"train",         "--data",       data,        "--run",          run,
            "--netG",        "unet_128",     "--ngf",     "8",              "--ndf",
            "8",             "--preprocess", "crop",      "--load_size",    "144",
            "--crop_size",   "128",          "--n_epochs", "15",            "--n_epochs_decay",
            "5",             "--save_latest_freq", QString::number(kSaveEvery), "--save_epoch_freq", "5",
            "--log_freq",    "1",            "--sample_freq", "0",          "--num_threads",
            "1",             "--threads",    "1",         "--device",       "cpu",
            "--seed",        "7"};
}

int64_t lastLoggedIteration(const QString& run) {
    int64_t last = 0;
    std::ifstream in((run + "/losses.jsonl").toStdString());
    for (std::string line; std::getline(in, line);) {
        try {
            last = nlohmann::json::parse(line).at("iteration").get<int64_t>();
        } catch (const nlohmann::json::exception&) {  // a torn last line
        }
    }
    return last;
}

bool writingCheckpoint(const QString& run) {
    return !QDir(run + "/checkpoints").entryList({".*.tmp.*"}, QDir::Files | QDir::Hidden).isEmpty();
}

QString readFile(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

enum class KillAt { RandomMoment, CheckpointWrite };

}  // namespace

class TestReliabilityExactResume : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(!cliPath().isEmpty(), "the pix2pix CLI is not built (set P2P_CLI)");
        if (QThread::idealThreadCount() < 2)
            QSKIP("one core: --threads 1 is the default here, so the test would not exercise the restore");
    }

    void killedRunEqualsUninterruptedRun() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString data = dir.filePath("data");
        writeTinyAlignedSet((data + "/train").toStdString(), kPairs, 144, 5);
        const double slow = kSanitizedBuild ? 4.0 : 1.0;

        // The reference: the same flags, never interrupted.
        const QString straight = dir.filePath("straight");
        QElapsedTimer clock;
        clock.start();
        const ChildRun reference = runPix2pix(trainFlags(data, straight));
        P2P_EXPECT_EXIT(reference, 0);
        const double referenceSeconds = clock.elapsed() / 1000.0;

        const unsigned seed = qEnvironmentVariableIsSet("P2P_KILL_SEED")
                                  ? unsigned(qEnvironmentVariableIntValue("P2P_KILL_SEED"))
                                  : kDefaultKillSeed;
        qInfo("kill schedule seed: %u (repeat with P2P_KILL_SEED=%u)", seed, seed);
        std::mt19937 rng(seed);

        const QString run = dir.filePath("killed");
        const std::vector<KillAt> schedule{KillAt::RandomMoment,    KillAt::CheckpointWrite,
                                           KillAt::RandomMoment,    KillAt::CheckpointWrite,
                                           KillAt::RandomMoment,    KillAt::CheckpointWrite};
        int kills = 0, killsMidWrite = 0;
        for (size_t round = 0; round < schedule.size(); ++round) {
            const QString logPath = dir.filePath(QString("round-%1.log").arg(round));
            QProcess child;
            child.setProcessChannelMode(QProcess::MergedChannels);
            child.setStandardOutputFile(logPath);
            // Resumed exactly as a user would: nothing but the run folder.
            child.start(cliPath(),
                        round == 0 ? trainFlags(data, run) : QStringList{"train", "--resume", run});
            QVERIFY(child.waitForStarted());
            QElapsedTimer elapsed;
            elapsed.start();
            const qint64 limit = qint64(60000 * slow);
            auto alive = [&] { return child.state() != QProcess::NotRunning && elapsed.elapsed() < limit; };
            // Wait until this process trains and has taken a step of its own.
            while (alive() && !readFile(logPath).contains("training from iteration")) child.waitForFinished(5);
            const int64_t startedAt = lastLoggedIteration(run);
            while (alive() && lastLoggedIteration(run) == startedAt) child.waitForFinished(2);

            bool killed = false;
            if (schedule[round] == KillAt::RandomMoment) {
                // A random step within this round's share of what is left (so that every round gets its
                // kill), then a random moment inside the step or the save after it.
                const int64_t share = std::max<int64_t>(1, (kTotal - startedAt) / int64_t(schedule.size() - round + 1));
                const int64_t target = startedAt + std::uniform_int_distribution<int64_t>(1, share)(rng);
                while (alive() && lastLoggedIteration(run) < target) child.waitForFinished(2);
                child.waitForFinished(std::uniform_int_distribution<int>(0, int(40 * slow))(rng));
                if (child.state() != QProcess::NotRunning) {
                    child.kill();
                    killed = true;
                }
            } else {
                // Inside the 1st or 2nd checkpoint write from here on (polled every millisecond).
                std::uniform_int_distribution<int> whichWrite(1, 2);
                const int target = whichWrite(rng);
                int writesSeen = 0;
                bool wasWriting = writingCheckpoint(run);
                while (alive()) {
                    const bool writing = writingCheckpoint(run);
                    if (writing && !wasWriting && ++writesSeen == target) {
                        child.kill();
                        killed = true;
                        break;
                    }
                    wasWriting = writing;
                    child.waitForFinished(1);
                }
            }
            child.waitForFinished(30000);
            const bool midWrite = writingCheckpoint(run);
            QVERIFY2(killed, qPrintable(QString("round %1 ended before it was killed (exit %2):\n%3")
                                            .arg(round)
                                            .arg(child.exitCode())
                                            .arg(readFile(logPath))));
            ++kills;
            killsMidWrite += midWrite;
            int64_t kept = 0;
            try {
                kept = loadTrainingCheckpoint((run + "/checkpoints/latest.ckpt").toStdString()).position.iteration;
            } catch (const Error&) {  // killed before the first checkpoint: the resume starts over
            }
            qInfo("round %zu (%s): killed at iteration %lld, latest holds %lld%s", round,
                  schedule[round] == KillAt::RandomMoment ? "random moment" : "checkpoint write",
                  static_cast<long long>(lastLoggedIteration(run)), static_cast<long long>(kept),
                  midWrite ? " (mid-write)" : "");
        }
        QVERIFY(kills >= 5);
        QVERIFY2(killsMidWrite >= 1, "no kill landed inside a checkpoint write");

        const ChildRun finish = runPix2pix({"train", "--resume", run});
        P2P_EXPECT_EXIT(finish, 0);
        // An exact resume has nothing to warn about.
        QVERIFY2(!finish.all().contains("not be bit-identical"), qPrintable(finish.all()));

        const TrainingCheckpoint expected =
            loadTrainingCheckpoint((straight + "/checkpoints/latest.ckpt").toStdString());
        const TrainingCheckpoint actual = loadTrainingCheckpoint((run + "/checkpoints/latest.ckpt").toStdString());
        QCOMPARE(expected.position.iteration, int64_t(kTotal));
        QCOMPARE(actual.position.iteration, int64_t(kTotal));
        const double difference = maxCheckpointDifference(expected, actual);
        qInfo("uninterrupted run %.1f s; %d kills (%d inside a checkpoint write); max |killed - uninterrupted| "
              "over G, D and both Adam states: %g",
              referenceSeconds, kills, killsMidWrite, difference);
        QCOMPARE(difference, 0.0);
    }
};

QTEST_GUILESS_MAIN(TestReliabilityExactResume)
#include "test_reliability_exact_resume.moc"
