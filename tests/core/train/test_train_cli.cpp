// pix2pix train / export / eval as a user runs them: exit codes, Ctrl+C saving, resume, the JSON metrics and
// the gallery.

#include <QtTest/QtTest>

#include <signal.h>

#include <filesystem>

#include "core/infer/inference_engine.h"
#include "core/io/model_io.h"
#include "tests/core/train/train_test_helpers.h"

namespace fs = std::filesystem;

namespace {

using p2p::test::cliPath;
using p2p::test::runCli;
using Result = p2p::test::CliResult;

QStringList tinyFlags(const QString& data, const QString& run) { return p2p::test::tinyCliTrainFlags(data, run); }

}  // namespace

class TestTrainCli : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString data_;

private Q_SLOTS:
    void initTestCase() {
        if (!QFileInfo::exists(cliPath())) P2P_SKIP_UNLESS_REQUIRED("P2P_TESTS_REQUIRE_SHARED", QStringLiteral("the pix2pix CLI is not built"));
        const std::string root = dir_.filePath("data").toStdString();
        p2p::test::writeTinyAlignedSet(root + "/train", 3, 128, 1);
        p2p::test::writeTinyAlignedSet(root + "/test", 2, 128, 2);
        data_ = QString::fromStdString(root);
    }

    void badFlagsExitWithUsage_data() {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("negative lr") << QStringList{"--lr", "-1"} << "lr";
        QTest::newRow("unknown netG") << QStringList{"--netG", "resnet_9blocks"} << "netG";
        QTest::newRow("crop not a multiple") << QStringList{"--preprocess", "crop", "--crop_size", "100"}
                                             << "crop_size";
        QTest::newRow("not a number") << QStringList{"--batch_size", "many"} << "batch_size";
        QTest::newRow("unknown flag") << QStringList{"--learning_rate", "1"} << "learning_rate";
    }
    void badFlagsExitWithUsage() {
        QFETCH(QStringList, extra);
        QFETCH(QString, mentions);
        QStringList args = tinyFlags(data_, dir_.filePath("bad"));
        if (extra.contains("--preprocess")) args = args.mid(0, args.indexOf("--preprocess")) + args.mid(args.indexOf("--preprocess") + 2);
        const Result r = runCli(args + extra);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2((r.err + r.out).contains(mentions), qPrintable(r.err + r.out));
        QVERIFY(!QFileInfo::exists(dir_.filePath("bad/options.json")));
    }

    void missingDataOrRunIsUsage() {
        QCOMPARE(runCli({"train", "--data", data_}).exitCode, 2);
        QCOMPARE(runCli({"train", "--run", dir_.filePath("x")}).exitCode, 2);
    }

    void trainsExportsAndEvaluates() {
        const QString run = dir_.filePath("run");
        Result r = runCli(tinyFlags(data_, run) + QStringList{"--n_epochs", "1", "--n_epochs_decay", "1",
                                                              "--save_epoch_freq", "1", "--direction", "AtoB"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.out.contains("train: 3 pairs"), qPrintable(r.out));  // the scan summary comes first
        QVERIFY(QFileInfo::exists(run + "/model.p2pm"));
        // Epoch snapshots are models; only latest.ckpt (with the optimizer state) resumes.
        QVERIFY(QFileInfo::exists(run + "/checkpoints/epoch_2.p2pm"));
        QVERIFY(!QFileInfo::exists(run + "/checkpoints/epoch_2.ckpt"));

        // The same folder again is refused: a run is never overwritten.
        r = runCli(tinyFlags(data_, run));
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("already holds"));

        const QString model = dir_.filePath("e1.p2pm");
        r = runCli({"export", "--checkpoint", run + "/checkpoints/latest.ckpt", "--output", model, "--half"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("float16"));
        QCOMPARE(runCli({"export", "--checkpoint", run + "/model.p2pm", "--output", model}).exitCode, 1);

        const QString gallery = dir_.filePath("gallery");
        r = runCli({"eval", "--model", run + "/model.p2pm", "--data", data_, "--json", "--gallery", gallery});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j.at("pairs").get<int>(), 2);
        QCOMPARE(j.at("split").get<std::string>(), std::string("test"));
        const double l1 = j.at("l1").get<double>(), psnr = j.at("psnr").get<double>(), ssim = j.at("ssim").get<double>();
        QVERIFY(l1 > 0 && l1 < 2);
        QVERIFY(psnr > 0 && psnr < 100);
        QVERIFY(ssim > -1 && ssim < 1);
        QCOMPARE(j.at("l1_255").get<double>(), l1 * 127.5);
        QCOMPARE(j.at("norm_stats").get<std::string>(), std::string("image"));  // no metadata: image
        QVERIFY(QFileInfo::exists(gallery + "/grid.png"));
        QVERIFY(QFileInfo::exists(gallery + "/index.html"));
        QCOMPARE(QDir(gallery + "/images").entryList(QDir::Files).size(), 6);

        r = runCli({"eval", "--model", run + "/model.p2pm", "--data", data_, "--limit", "1"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("PSNR"));
        QCOMPARE(runCli({"eval", "--model", dir_.filePath("none.p2pm"), "--data", data_}).exitCode, 1);

        // A model whose metadata prefers running statistics gets them unless the flag says otherwise.
        const QString running = dir_.filePath("running.p2pm");
        r = runCli({"export", "--checkpoint", run + "/checkpoints/latest.ckpt", "--output", running,
                    "--meta", "preview_norm=running"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        for (const auto& [flags, expected] : std::vector<std::pair<QStringList, std::string>>{
                 {{}, "running"}, {{"--norm-stats", "image"}, "image"}}) {
            r = runCli(QStringList{"eval", "--model", running, "--data", data_, "--json"} + flags);
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
            QCOMPARE(nlohmann::json::parse(r.out.toStdString()).at("norm_stats").get<std::string>(),
                     expected);
        }
        QCOMPARE(runCli({"eval", "--model", run + "/model.p2pm", "--data", data_, "--norm-stats", "mean"}).exitCode,
                 2);
    }

    void interruptSavesAndResumeFinishes() {
        const QString run = dir_.filePath("interrupted");
        QProcess p;
        p.start(cliPath(), tinyFlags(data_, run) + QStringList{"--n_epochs", "40", "--n_epochs_decay", "0",
                                                               "--log_freq", "1"});
        QVERIFY(p.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(run + "/losses.jsonl").size() > 0, 60000);
        ::kill(static_cast<pid_t>(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(60000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QVERIFY2(p.exitCode() == 130, qPrintable(out + p.readAllStandardError()));
        QVERIFY(out.contains("--resume"));
        const auto checkpoint = p2p::loadTrainingCheckpoint((run + "/checkpoints/latest.ckpt").toStdString());
        QVERIFY(checkpoint.position.iteration > 0);
        QVERIFY(checkpoint.position.iteration < 120);
        QVERIFY(QFileInfo::exists(run + "/model.p2pm"));

        QCOMPARE(runCli({"train", "--resume", run, "--ngf", "4"}).exitCode, 2);  // options are the run's
        const Result r = runCli({"train", "--resume", run}, 300000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QVERIFY(r.out.contains("resuming"));
        QCOMPARE(p2p::loadTrainingCheckpoint((run + "/checkpoints/latest.ckpt").toStdString()).position.iteration,
                 int64_t(120));

        // The schedule may grow on resume (as the reference's --continue_train), never below what is trained.
        const Result shorter = runCli({"train", "--resume", run, "--n_epochs", "10"});
        QCOMPARE(shorter.exitCode, 1);
        QVERIFY2(shorter.err.contains("shorter"), qPrintable(shorter.err));
        const Result longer = runCli({"train", "--resume", run, "--n_epochs", "41"});
        QVERIFY2(longer.exitCode == 0, qPrintable(longer.err + longer.out));
        QVERIFY(longer.out.contains("schedule changed: 41 + 0 epochs"));
        QCOMPARE(p2p::loadTrainingCheckpoint((run + "/checkpoints/latest.ckpt").toStdString()).position.iteration,
                 int64_t(123));
        QFile options(run + "/options.json");
        QVERIFY(options.open(QIODevice::ReadOnly));
        QVERIFY(options.readAll().contains("\"n_epochs\": 41"));
    }

    // --upsample resize: the run records it, a resume keeps it (and refuses to change it), and the exported
    // model carries it to inspect and to the engine.
    void resizeUpsamplingTrainsResumesAndTranslates() {
        const QString run = dir_.filePath("resize");
        Result r = runCli(tinyFlags(data_, run) +
                          QStringList{"--upsample", "resize", "--n_epochs", "1", "--n_epochs_decay", "0"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QFile options(run + "/options.json");
        QVERIFY(options.open(QIODevice::ReadOnly));
        QVERIFY(options.readAll().contains("\"upsample\": \"resize\""));
        QVERIFY(p2p::inspectModel((run + "/model.p2pm").toStdString()).generator.upsample ==
                p2p::Upsample::Resize);

        QCOMPARE(runCli({"train", "--resume", run, "--upsample", "transposed"}).exitCode, 2);
        r = runCli({"train", "--resume", run, "--n_epochs", "2"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        const auto checkpoint = p2p::loadTrainingCheckpoint((run + "/checkpoints/latest.ckpt").toStdString());
        QCOMPARE(checkpoint.position.iteration, int64_t(6));  // 3 pairs, 2 epochs
        QVERIFY(checkpoint.options.upsample == p2p::Upsample::Resize);

        const QString model = dir_.filePath("resize.p2pm");
        r = runCli({"export", "--checkpoint", run + "/checkpoints/latest.ckpt", "--output", model});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = runCli({"inspect", "--model", model});
        QVERIFY2(r.exitCode == 0 && r.out.contains("resize upsampling"), qPrintable(r.out + r.err));

        p2p::EngineOptions engineOptions;
        engineOptions.device = p2p::Device::cpu();
        engineOptions.precision = "fp32";
        p2p::InferenceEngine engine(engineOptions);
        QVERIFY(engine.load(model.toStdString()).generator.upsample == p2p::Upsample::Resize);
        cv::Mat input(128, 128, CV_8UC3);
        cv::randu(input, cv::Scalar::all(0), cv::Scalar::all(255));
        const cv::Mat out = engine.translate(input);
        QCOMPARE(out.size(), input.size());
        QCOMPARE(out.type(), CV_8UC3);
        double low = 0, high = 0;
        cv::minMaxLoc(out.reshape(1), &low, &high);
        QVERIFY(high > low);  // a picture, not a constant
    }
};

QTEST_GUILESS_MAIN(TestTrainCli)
#include "test_train_cli.moc"
