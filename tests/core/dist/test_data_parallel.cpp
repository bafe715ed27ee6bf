// Data-parallel training (core/dist) on loopback with Gloo: the environment torchrun sets, the sharded data
// order, 2 ranks against 1 process with the whole batch, exact resume on 2 ranks, a rank killed mid-run, and
// a rendezvous that cannot happen. The ranks are real `pix2pix train` processes, started by --nproc or, as
// torchrun would, with RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT.

#include <QtTest/QtTest>

#include <QElapsedTimer>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/common/error.h"
#include "core/data/prefetcher.h"
#include "core/dist/dist_options.h"
#include "tests/core/train/train_test_helpers.h"

namespace fs = std::filesystem;

namespace {

using p2p::test::cliPath;
using p2p::test::runCli;

// 128x128 pairs (unet_128's input), ngf/ndf 8, one compute thread per rank, fp32 unless asked: the same
// arithmetic everywhere.
QStringList flags(const QString& data, const QString& run, const QString& precision = "fp32") {
    return p2p::test::tinyCliTrainFlags(data, run) +
           QStringList{"--precision",   precision, "--n_epochs_decay",  "0", "--log_freq", "1",
                       "--sample_freq", "0",       "--save_epoch_freq", "0", "--seed",     "5"};
}

// The largest difference between two checkpoints' G and D tensors, weights and biases apart.
struct WeightDifference {
    double weights = 0, biases = 0;
};
WeightDifference differenceOf(const p2p::TrainingCheckpoint& a, const p2p::TrainingCheckpoint& b) {
    WeightDifference worst;
    for (const auto* dicts : {&a.generator, &a.discriminator}) {
        const auto& other = dicts == &a.generator ? b.generator : b.discriminator;
        if (dicts->size() != other.size()) return {1e300, 1e300};
        for (size_t i = 0; i < dicts->size(); ++i) {
            const double d = p2p::test::maxAbsDiff((*dicts)[i].second, other[i].second);
            double& slot = QString::fromStdString((*dicts)[i].first).endsWith(".bias") ? worst.biases
                                                                                        : worst.weights;
            slot = std::max(slot, d);
        }
    }
    return worst;
}

// A socket listening on a port the kernel chose (all addresses); closed with the object.
struct ListeningSocket {
    int fd = -1;
    int port = 0;
    ListeningSocket() {
        fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_ANY);
        socklen_t length = sizeof(address);
        if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
            listen(fd, 4) == 0 && getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
            port = ntohs(address.sin_port);
    }
    ~ListeningSocket() {
        if (fd >= 0) close(fd);
    }
};

int freePort() {
    return ListeningSocket().port;
}

QProcessEnvironment rankEnvironment(int rank, int world, int port, const QString& address = "127.0.0.1") {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("RANK", QString::number(rank));
    env.insert("LOCAL_RANK", QString::number(rank));
    env.insert("WORLD_SIZE", QString::number(world));
    env.insert("MASTER_ADDR", address);
    env.insert("MASTER_PORT", QString::number(port));
    return env;
}

p2p::TrainingCheckpoint latest(const QString& run) {
    return p2p::loadTrainingCheckpoint(run.toStdString() + "/checkpoints/latest.ckpt");
}

int lossLines(const QString& run) {
    std::ifstream file(run.toStdString() + "/losses.jsonl");
    int lines = 0;
    for (std::string line; std::getline(file, line);) lines += line.empty() ? 0 : 1;
    return lines;
}

QString describe(const p2p::test::CliResult& r) {
    return "exit " + QString::number(r.exitCode) + "\nstdout:\n" + r.out.right(3000) + "\nstderr:\n" +
           r.err.right(3000);
}

}  // namespace

class TestDataParallel : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;

    QString dataset(const QString& name, int pairs) {
        const QString root = dir_.filePath(name);
        if (!QFileInfo::exists(root))
            p2p::test::writeTinyAlignedSet(root.toStdString() + "/train", pairs, 128, 3);
        return root;
    }

private Q_SLOTS:
    void initTestCase() {
        if (!QFileInfo::exists(cliPath()))
            P2P_SKIP_UNLESS_REQUIRED("P2P_TESTS_REQUIRE_SHARED",
                                     QStringLiteral("the pix2pix CLI is not built"));
    }

    void readsTheTorchrunEnvironment_data() {
        QTest::addColumn<QStringList>("variables");  // NAME=VALUE
        QTest::addColumn<int>("rank");
        QTest::addColumn<int>("world");
        QTest::addColumn<QString>("error");  // "" when valid
        QTest::newRow("unset: one process") << QStringList{} << 0 << 1 << "";
        QTest::newRow("torchrun") << QStringList{"RANK=1", "WORLD_SIZE=4", "LOCAL_RANK=1",
                                                 "MASTER_ADDR=node0", "MASTER_PORT=29400"}
                                  << 1 << 4 << "";
        QTest::newRow("rank out of range") << QStringList{"RANK=2", "WORLD_SIZE=2"} << 2 << 2 << "RANK";
        QTest::newRow("not a number") << QStringList{"RANK=one", "WORLD_SIZE=2"} << 0 << 2 << "RANK";
        QTest::newRow("bad port") << QStringList{"RANK=0", "WORLD_SIZE=2", "MASTER_PORT=70000"} << 0 << 2
                                  << "MASTER_PORT";
    }
    void readsTheTorchrunEnvironment() {
        QFETCH(QStringList, variables);
        QFETCH(int, rank);
        QFETCH(int, world);
        QFETCH(QString, error);
        std::map<std::string, std::string> env;
        for (const auto& v : variables)
            env[v.section('=', 0, 0).toStdString()] = v.section('=', 1).toStdString();
        auto getenv = [&](const char* name) -> const char* {
            auto it = env.find(name);
            return it == env.end() ? nullptr : it->second.c_str();
        };
        try {
            const p2p::DistOptions o = p2p::DistOptions::fromEnvironment(getenv);
            QCOMPARE(o.rank, rank);
            QCOMPARE(o.world_size, world);
            o.validate();
            QVERIFY2(error.isEmpty(), "expected an error");
            QCOMPARE(p2p::DistOptions::launchedAsRank(getenv), !variables.isEmpty());
        } catch (const p2p::Error& e) {
            QVERIFY2(!error.isEmpty() && QString(e.what()).contains(error), e.what());
        }
    }

    void shardsLikeDistributedSampler() {
        const std::vector<size_t> order{4, 0, 3, 1, 2};
        QCOMPARE(p2p::PairPrefetcher::shardOf(order, 0, 2), (std::vector<size_t>{4, 3, 2}));
        QCOMPARE(p2p::PairPrefetcher::shardOf(order, 1, 2), (std::vector<size_t>{0, 1, 4}));  // padded
        QCOMPARE(p2p::PairPrefetcher::shardOf(order, 2, 3), (std::vector<size_t>{3, 4}));     // 4: padding
        QCOMPARE(p2p::PairPrefetcher::shardOf(order, 0, 1), order);
    }

    // 2 ranks x batch 1 see the two images 1 process x batch 2 sees; with instance norm and no dropout the
    // averaged gradients are that process's up to float rounding. Adam's first step moves every parameter by
    // about lr * sign(gradient), so a gradient that is zero in exact arithmetic (the biases of convolutions
    // that feed an InstanceNorm, which subtracts them again) moves by +-lr on rounding noise alone: those
    // biases are held to 2 lr. Other tensors: 2.8e-5 measured, held to 1e-4. The 1e-5 over 20 steps
    // holds in double (the next test); in fp32, Adam's sign-like early steps amplify the rounding noise to
    // ~3e-3 over 20 steps even with --norm none (docs/PERFORMANCE.md).
    void twoRanksEqualOneProcessWithTheWholeBatch() {
        const QString data = dataset("equal", 2);
        const QStringList common{"--norm", "instance", "--no_dropout", "--n_epochs", "1"};
        const QString one = dir_.filePath("equal-1x2"), two = dir_.filePath("equal-2x1");
        const auto single = runCli(flags(data, one) + common + QStringList{"--batch_size", "2"}, 300000);
        QVERIFY2(single.exitCode == 0, qPrintable(describe(single)));
        const auto ranks =
            runCli(flags(data, two) + common + QStringList{"--batch_size", "1", "--nproc", "2"}, 300000);
        QVERIFY2(ranks.exitCode == 0, qPrintable(describe(ranks)));
        QVERIFY2(ranks.out.contains("effective batch 1 x 2 = 2"), qPrintable(ranks.out));
        const auto a = latest(one), b = latest(two);
        QCOMPARE(a.position.iteration, int64_t(1));
        QCOMPARE(b.position.iteration, int64_t(1));
        QCOMPARE(b.world_size, 2);
        const WeightDifference d = differenceOf(a, b);
        qInfo("max |2 ranks x batch 1 - 1 process x batch 2|: weights %g, biases %g", d.weights, d.biases);
        QVERIFY2(d.weights <= 1e-4, qPrintable(QString("weights differ by %1").arg(d.weights)));
        QVERIFY2(d.biases <= 2 * 2e-4 + 1e-6, qPrintable(QString("biases differ by %1").arg(d.biases)));
        QCOMPARE(lossLines(two), 1);  // rank 0 alone writes the log
    }

    // The same comparison over 20 steps in double (--precision fp64), where the averaged gradients agree to
    // ~1e-16 and rounding noise no longer decides Adam's early steps: the 1e-5 for every tensor. The
    // 40 pairs are 20 steps of 2 images: step k gives rank 0 and rank 1 the images 1 process x batch 2 sees.
    void twoRanksEqualOneProcessInDouble() {
        const QString data = dataset("equal64", 40);
        const QStringList common{"--norm", "instance", "--no_dropout", "--n_epochs", "1"};
        const QString one = dir_.filePath("equal64-1x2"), two = dir_.filePath("equal64-2x1");
        const auto single = runCli(flags(data, one, "fp64") + common + QStringList{"--batch_size", "2"}, 300000);
        QVERIFY2(single.exitCode == 0, qPrintable(describe(single)));
        const auto ranks = runCli(
            flags(data, two, "fp64") + common + QStringList{"--batch_size", "1", "--nproc", "2"}, 300000);
        QVERIFY2(ranks.exitCode == 0, qPrintable(describe(ranks)));
        const auto a = latest(one), b = latest(two);
        QCOMPARE(a.position.iteration, int64_t(20));
        QCOMPARE(b.position.iteration, int64_t(20));
        QCOMPARE(a.generator.front().second.scalar_type(), torch::kFloat64);
        const WeightDifference d = differenceOf(a, b);
        qInfo("fp64, 20 steps: max |2 ranks x batch 1 - 1 process x batch 2|: weights %g, biases %g", d.weights,
              d.biases);
        QVERIFY2(d.weights <= 1e-5 && d.biases <= 1e-5,
                 qPrintable(QString("weights differ by %1, biases by %2").arg(d.weights).arg(d.biases)));
    }

    // Ctrl+C reaches both ranks mid-epoch; they agree on the step to stop after and save. Resumed on 2 ranks
    // (dropout and BatchNorm on), the run ends bit-identical to the uninterrupted 2-rank run, since every
    // rank's generator state was saved.
    void resumeOnTwoRanksIsExact() {
        const QString data = dataset("resume", 40);
        const QString whole = dir_.filePath("resume-whole"), parts = dir_.filePath("resume-parts");
        const QStringList args = QStringList{"--n_epochs", "3"};
        const auto r1 = runCli(flags(data, whole) + args + QStringList{"--nproc", "2"}, 300000);
        QVERIFY2(r1.exitCode == 0, qPrintable(describe(r1)));

        const int port = freePort();
        QProcess rank0, rank1;
        rank0.setProcessEnvironment(rankEnvironment(0, 2, port));
        rank1.setProcessEnvironment(rankEnvironment(1, 2, port));
        rank0.start(cliPath(), flags(data, parts) + args);
        rank1.start(cliPath(), flags(data, parts) + args);
        QVERIFY(rank0.waitForStarted() && rank1.waitForStarted());
        QElapsedTimer clock;
        clock.start();
        while (lossLines(parts) < 5 && clock.elapsed() < 240000 && rank0.state() == QProcess::Running)
            QTest::qWait(5);
        ::kill(static_cast<pid_t>(rank0.processId()), SIGINT);
        ::kill(static_cast<pid_t>(rank1.processId()), SIGINT);
        QVERIFY(rank0.waitForFinished(120000));
        QVERIFY(rank1.waitForFinished(120000));
        const QString err = QString::fromUtf8(rank0.readAllStandardError() + rank1.readAllStandardError());
        QVERIFY2(rank0.exitCode() == 130 && rank1.exitCode() == 130, qPrintable(err));
        const auto stopped = latest(parts);
        QVERIFY2(stopped.position.iteration < 60, qPrintable(QString::number(stopped.position.iteration)));
        QCOMPARE(stopped.rank_cpu_rng.size(), size_t(1));

        const auto r3 = runCli({"train", "--resume", parts, "--nproc", "2"}, 300000);
        QVERIFY2(r3.exitCode == 0, qPrintable(describe(r3)));
        QVERIFY2(r3.out.contains("bit-identical"), qPrintable(r3.out));
        const auto a = latest(whole), b = latest(parts);
        QCOMPARE(b.position.iteration, int64_t(60));
        QCOMPARE(p2p::test::maxCheckpointDifference(a, b), 0.0);
        QCOMPARE(lossLines(parts), 60);
    }

    // Ranks started as torchrun starts them; rank 1 is killed at step 10. Rank 0 ends within its timeout,
    // names the rank it lost, leaves a checkpoint, and the run resumes on 1 rank from there.
    void lostRankEndsTheOtherAndTheRunResumesOnOneRank() {
        const QString data = dataset("kill", 40);
        const QString run = dir_.filePath("kill-run");
        const int port = freePort();
        QProcess rank0, rank1;
        rank0.setProcessEnvironment(rankEnvironment(0, 2, port));
        rank1.setProcessEnvironment(rankEnvironment(1, 2, port));
        const QStringList args =
            flags(data, run) +
            QStringList{"--n_epochs", "20", "--save_latest_freq", "4", "--dist-timeout", "20"};
        rank0.start(cliPath(), args);
        rank1.start(cliPath(), args);
        QVERIFY(rank0.waitForStarted() && rank1.waitForStarted());
        QElapsedTimer clock;
        clock.start();
        while (lossLines(run) < 10 && clock.elapsed() < 240000 && rank1.state() == QProcess::Running)
            QTest::qWait(5);
        QVERIFY2(lossLines(run) >= 10,
                 qPrintable(QString::fromUtf8(rank0.readAllStandardError() + rank1.readAllStandardError() +
                                              rank0.readAllStandardOutput()) +
                            " exit " + QString::number(rank1.exitCode())));
        rank1.kill();  // SIGKILL: no goodbye to its peer
        rank1.waitForFinished(10000);
        clock.restart();
        QVERIFY2(rank0.waitForFinished(60000), "rank 0 did not end after losing rank 1");
        const double seconds = clock.elapsed() / 1000.0;
        QVERIFY2(seconds < 40, qPrintable(QString("rank 0 took %1 s to end").arg(seconds)));
        const QString err = QString::fromUtf8(rank0.readAllStandardError());
        QVERIFY2(rank0.exitStatus() == QProcess::NormalExit && rank0.exitCode() != 0, qPrintable(err));
        QVERIFY2(err.contains("rank 1") && err.contains("host"), qPrintable(err));
        QVERIFY2(err.contains("resume"), qPrintable(err));
        const auto saved = latest(run);
        QVERIFY2(saved.position.iteration >= 8, qPrintable(QString::number(saved.position.iteration)));

        // One rank, batch 1: 40 steps per epoch; the epoch goes on after the images already met.
        const auto resumed = runCli({"train", "--resume", run, "--n_epochs", "1"}, 300000);
        QVERIFY2(resumed.exitCode == 0, qPrintable(describe(resumed)));
        QVERIFY2(resumed.err.contains("ranks: saved 2, now 1"), qPrintable(resumed.err));
        const auto after = latest(run);
        QCOMPARE(after.world_size, 1);
        QCOMPARE(after.position.epoch, 2);
        QCOMPARE(after.position.iteration,
                 saved.position.iteration + (40 - 2 * saved.position.epoch_iteration));
    }

    void rendezvousFailuresAreMessagesNotHangs_data() {
        QTest::addColumn<int>("rank");
        QTest::addColumn<bool>("portTaken");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("MASTER_PORT taken") << 0 << true << "taken";
        QTest::newRow("nobody at MASTER_ADDR:MASTER_PORT") << 1 << false << "cannot reach";
        QTest::newRow("a peer that never arrives") << 0 << false << "not all arrived";
    }
    void rendezvousFailuresAreMessagesNotHangs() {
        QFETCH(int, rank);
        QFETCH(bool, portTaken);
        QFETCH(QString, mentions);
        const QString data = dataset("rendezvous", 2);
        ListeningSocket squatter;
        QVERIFY(squatter.port > 0);
        const int port = portTaken ? squatter.port : freePort();
        QProcess p;
        p.setProcessEnvironment(rankEnvironment(rank, 2, port));
        QElapsedTimer clock;
        clock.start();
        p.start(cliPath(), flags(data, dir_.filePath(QString("rendezvous-%1-%2").arg(rank).arg(portTaken))) +
                               QStringList{"--dist-timeout", "3"});
        QVERIFY2(p.waitForFinished(60000), "hung");
        QVERIFY2(clock.elapsed() < 30000, qPrintable(QString::number(clock.elapsed())));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() != 0, qPrintable(err));
        QVERIFY2(err.contains(mentions), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestDataParallel)
#include "test_data_parallel.moc"
