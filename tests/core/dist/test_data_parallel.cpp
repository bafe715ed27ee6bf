// Data-parallel training (core/dist) on loopback with Gloo: the environment torchrun sets, the sharded data
// order, 2 ranks against 1 process with the whole batch, exact resume on 2 ranks, a rank killed mid-run, a
// rendezvous that cannot happen, the store that torchrun 2.x's agent serves, and Debian's real torchrun. The
// ranks are real `pix2pix train` processes, started by --nproc, by torchrun, or as torchrun would, with
// RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT.

#include <QtTest/QtTest>

#include <QElapsedTimer>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include <torch/version.h>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "core/common/error.h"
#include "core/data/prefetcher.h"
#include "core/dist/dist_options.h"
#include "tests/core/train/train_test_helpers.h"

namespace fs = std::filesystem;

namespace {

using p2p::test::cliPath;
using p2p::test::runCli;
using p2p::test::runProgram;

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

// torch 2.x's torchrun rejects an abbreviated --run (it could be its --run-path or --run_path).
QStringList withRunDirFlag(QStringList args) {
    args[args.indexOf("--run")] = "--run_dir";
    return args;
}

// A Python whose torch is the LibTorch this build links (the store's protocol changed between 1.13 and 2.x,
// so another torch's torchrun cannot host these ranks): python3 on PATH, else Debian's /usr/bin/python3.
// Empty, with `problem` saying why, when there is none.
QString pythonWithMatchingTorch(QString& problem) {
    const QString wanted = QString("%1.%2.").arg(TORCH_VERSION_MAJOR).arg(TORCH_VERSION_MINOR);
    for (const QString& python : {QStringLiteral("python3"), QStringLiteral("/usr/bin/python3")}) {
        QProcess probe;
        probe.start(python, {"-c", "import torch; print(torch.__version__)"});
        const bool ran = probe.waitForFinished(120000) && probe.exitStatus() == QProcess::NormalExit;
        const QString version = QString::fromUtf8(probe.readAllStandardOutput()).trimmed();
        if (ran && probe.exitCode() == 0 && version.startsWith(wanted)) return python;
        problem += "\n" + python + ": " +
                   (ran && probe.exitCode() == 0 ? "torch " + version + ", not " + wanted + "x"
                                                 : "cannot import torch");
    }
    return {};
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
        QTest::addColumn<QString>("error");            // "" when valid
        QTest::addColumn<bool>("joinsLauncherStore");  // when valid
        QTest::addColumn<QString>("keyPrefix");        // in the launcher's store, when valid
        const QStringList agentRank1{"RANK=1", "WORLD_SIZE=2", "MASTER_ADDR=127.0.0.1", "MASTER_PORT=29500"};
        QTest::newRow("unset: one process") << QStringList{} << 0 << 1 << "" << false << "/worker/attempt_0";
        QTest::newRow("torchrun") << QStringList{"RANK=1", "WORLD_SIZE=4", "LOCAL_RANK=1",
                                                 "MASTER_ADDR=node0", "MASTER_PORT=29400"}
                                  << 1 << 4 << "" << false << "/worker/attempt_0";
        QTest::newRow("rank out of range")
            << QStringList{"RANK=2", "WORLD_SIZE=2"} << 2 << 2 << "RANK" << false << "/worker/attempt_0";
        QTest::newRow("not a number")
            << QStringList{"RANK=one", "WORLD_SIZE=2"} << 0 << 2 << "RANK" << false << "/worker/attempt_0";
        QTest::newRow("bad port") << QStringList{"RANK=0", "WORLD_SIZE=2", "MASTER_PORT=70000"} << 0 << 2
                                  << "MASTER_PORT" << false << "/worker/attempt_0";
        QTest::newRow("torchrun 2.x: the agent's store, third attempt")
            << agentRank1 + QStringList{"TORCHELASTIC_USE_AGENT_STORE=True", "TORCHELASTIC_RESTART_COUNT=2"}
            << 1 << 2 << "" << true << "/worker/attempt_2";
        QTest::newRow("torchrun 1.13: rank 0 serves the store")
            << agentRank1 + QStringList{"TORCHELASTIC_USE_AGENT_STORE=False", "TORCHELASTIC_RESTART_COUNT=0"}
            << 1 << 2 << "" << false << "/worker/attempt_0";
        QTest::newRow("restart count not a number")
            << agentRank1 + QStringList{"TORCHELASTIC_USE_AGENT_STORE=True", "TORCHELASTIC_RESTART_COUNT=two"}
            << 1 << 2 << "TORCHELASTIC_RESTART_COUNT" << true << "";
        QTest::newRow("negative restart count")
            << agentRank1 + QStringList{"TORCHELASTIC_USE_AGENT_STORE=True", "TORCHELASTIC_RESTART_COUNT=-1"}
            << 1 << 2 << "TORCHELASTIC_RESTART_COUNT" << true << "";
        QTest::newRow("agent store neither True nor False")
            << agentRank1 + QStringList{"TORCHELASTIC_USE_AGENT_STORE=yes"} << 1 << 2
            << "TORCHELASTIC_USE_AGENT_STORE" << false << "";
    }
    void readsTheTorchrunEnvironment() {
        QFETCH(QStringList, variables);
        QFETCH(int, rank);
        QFETCH(int, world);
        QFETCH(QString, error);
        QFETCH(bool, joinsLauncherStore);
        QFETCH(QString, keyPrefix);
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
            QCOMPARE(o.join_launcher_store, joinsLauncherStore);
            QCOMPARE(QString::fromStdString(o.launcherStorePrefix()), keyPrefix);
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

    // The test plays torchrun 2.x's agent: it serves the store on MASTER_PORT and starts 2 ranks with
    // TORCHELASTIC_USE_AGENT_STORE=True. A rank 0 that opened its own store there would find the port taken.
    void ranksJoinTheStoreTorchrunsAgentServes() {
        const QString data = dataset("agent", 4);
        const QString run = dir_.filePath("agent-run");
        c10d::TCPStoreOptions serverOptions;
        serverOptions.port = 0;  // the kernel picks a free one
        serverOptions.isServer = true;
        serverOptions.waitWorkers = false;
        serverOptions.timeout = std::chrono::seconds(60);
        auto agentStore = c10::make_intrusive<c10d::TCPStore>("127.0.0.1", serverOptions);
        const int port = agentStore->getPort();
        QVERIFY(port > 0);

        std::vector<std::unique_ptr<QProcess>> ranks;
        for (int rank = 0; rank < 2; ++rank) {
            QProcessEnvironment env = rankEnvironment(rank, 2, port);
            env.insert("TORCHELASTIC_USE_AGENT_STORE", "True");
            env.insert("TORCHELASTIC_RESTART_COUNT", "1");
            ranks.push_back(std::make_unique<QProcess>());
            ranks.back()->setProcessEnvironment(env);
            ranks.back()->start(cliPath(), flags(data, run) + QStringList{"--norm", "instance", "--n_epochs",
                                                                          "1", "--dist-timeout", "60"});
        }
        for (auto& rank : ranks) {
            QVERIFY(rank->waitForStarted());
            if (!rank->waitForFinished(240000)) rank->kill();
        }
        for (auto& rank : ranks) {
            const QString err = QString::fromUtf8(rank->readAllStandardError());
            QVERIFY2(rank->exitStatus() == QProcess::NormalExit && rank->exitCode() == 0, qPrintable(err));
        }
        const QString out = QString::fromUtf8(ranks[0]->readAllStandardOutput());
        QVERIFY2(out.contains("served by torchrun"), qPrintable(out));
        QCOMPARE(latest(run).world_size, 2);
        QCOMPARE(lossLines(run), 2);  // 4 pairs, 2 ranks, batch 1
        // Each rank announced itself in the agent's store under attempt 1's prefix, and nothing outside it.
        QVERIFY(agentStore->check({"/worker/attempt_1/p2p/rank/0", "/worker/attempt_1/p2p/rank/1"}));
        QVERIFY(!agentStore->check({"p2p/rank/0"}));
    }

    // Debian's torchrun (python3-torch, which tools/install-deps.sh installs): without it this fails, since
    // the README's recipes are what it checks. --redirects 1 --tee 1: its default (0) crashes on Python 3.11,
    // where iterating the IntFlag Std skips Std.NONE, so Std.from_str("0") returns None.
    void debiansTorchrunLaunchesTwoRanks_data() {
        QTest::addColumn<QString>("rendezvous");  // torchrun's flags; PORT: a free port
        QTest::addColumn<QString>("storeServedBy");
        // c10d rendezvous: TORCHELASTIC_USE_AGENT_STORE=False, rank 0 serves the store on MASTER_PORT.
        QTest::newRow("--standalone") << "--standalone"
                                      << "rank 0";
        // Static rendezvous (the multi-machine recipe, on one): torchrun's agent serves the store on
        // --master_port, TORCHELASTIC_USE_AGENT_STORE=True.
        QTest::newRow("--master_addr")
            << "--nnodes 1 --node_rank 0 --master_addr 127.0.0.1 --master_port PORT"
            << "torchrun";
    }
    void debiansTorchrunLaunchesTwoRanks() {
        QFETCH(QString, rendezvous);
        QFETCH(QString, storeServedBy);
        QString problem;
        const QString python = pythonWithMatchingTorch(problem);
        if (python.isEmpty())
            QFAIL(qPrintable(
                "no Python with torch " + QString("%1.%2").arg(TORCH_VERSION_MAJOR).arg(TORCH_VERSION_MINOR) +
                " to run torchrun (apt-get install python3-torch; tools/install-deps.sh does):" + problem));
        const QString data = dataset("torchrun", 4);
        const QString tag = QString(QTest::currentDataTag()).remove('-');
        const QString run = dir_.filePath("torchrun-run-" + tag);
        const QStringList torchrun =
            ("-m torch.distributed.run " + rendezvous.replace("PORT", QString::number(freePort())) +
             " --nproc_per_node 2 --redirects 1 --tee 1")
                .split(' ') +
            // The redirected outputs go to the test's folder, not to a new /tmp/torchelastic_* per run.
            QStringList{"--log_dir", dir_.filePath("torchrun-logs-" + tag), "--no_python", cliPath()};
        const QStringList training =
            withRunDirFlag(flags(data, run)) + QStringList{"--norm", "instance", "--n_epochs", "1"};
        const auto r = runProgram(python, torchrun + training, 240000);
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QVERIFY2(r.out.contains("served by " + storeServedBy), qPrintable(r.out));
        QCOMPARE(latest(run).world_size, 2);
        QCOMPARE(lossLines(run), 2);
    }

    void rendezvousFailuresAreMessagesNotHangs_data() {
        QTest::addColumn<int>("rank");
        QTest::addColumn<bool>("portTaken");
        QTest::addColumn<bool>("launcherStore");  // TORCHELASTIC_USE_AGENT_STORE=True
        QTest::addColumn<QString>("mentions");
        QTest::newRow("MASTER_PORT taken") << 0 << true << false << "taken";
        QTest::newRow("nobody at MASTER_ADDR:MASTER_PORT") << 1 << false << false << "cannot reach";
        QTest::newRow("a peer that never arrives") << 0 << false << false << "not all arrived";
        QTest::newRow("no torchrun agent at MASTER_ADDR:MASTER_PORT")
            << 0 << false << true << "cannot reach torchrun's rendezvous store";
    }
    void rendezvousFailuresAreMessagesNotHangs() {
        QFETCH(int, rank);
        QFETCH(bool, portTaken);
        QFETCH(bool, launcherStore);
        QFETCH(QString, mentions);
        const QString data = dataset("rendezvous", 2);
        ListeningSocket squatter;
        QVERIFY(squatter.port > 0);
        const int port = portTaken ? squatter.port : freePort();
        QProcess p;
        QProcessEnvironment env = rankEnvironment(rank, 2, port);
        if (launcherStore) env.insert("TORCHELASTIC_USE_AGENT_STORE", "True");
        p.setProcessEnvironment(env);
        QElapsedTimer clock;
        clock.start();
        const QString run =
            dir_.filePath(QString("rendezvous-%1-%2-%3").arg(rank).arg(portTaken).arg(launcherStore));
        p.start(cliPath(), flags(data, run) + QStringList{"--dist-timeout", "3"});
        QVERIFY2(p.waitForFinished(60000), "hung");
        QVERIFY2(clock.elapsed() < 30000, qPrintable(QString::number(clock.elapsed())));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() != 0, qPrintable(err));
        QVERIFY2(err.contains(mentions), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestDataParallel)
#include "test_data_parallel.moc"
