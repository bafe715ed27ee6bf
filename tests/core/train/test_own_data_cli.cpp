// Issue 22: training on a user's own paired folder with the CLI, from scan to resume: flat A/ B/ folders
// evaluated without a split, cut files listed before training, pairs of different sizes, the direction said,
// the run folder's size, and a resume from another working folder onto data that moved.

#include <QtTest/QtTest>

#include <filesystem>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "tests/core/train/train_test_helpers.h"
#include "tests/support/bad_inputs.h"

namespace fs = std::filesystem;

namespace {

using p2p::test::cliPath;
using p2p::test::runCli;
using Result = p2p::test::CliResult;

QStringList tinyFlags(const QString& data, const QString& run) {
    return p2p::test::tinyCliTrainFlags(data, run) + QStringList{"--n_epochs", "1", "--n_epochs_decay", "0"};
}

// The CLI started in `workingDir`, as a user who cd'ed there.
Result runCliIn(const QString& workingDir, const QStringList& args) {
    p2p::test::ProgramOptions options;
    options.workingDir = workingDir;
    return p2p::test::runProgram(cliPath(), args, options);
}

void writePng(const fs::path& path, const cv::Mat& image) {
    fs::create_directories(path.parent_path());
    QVERIFY(cv::imwrite(path.string(), image));
}

// A/ and B/ with matching names; B is a deterministic function of A.
void writeTwoFolderSet(const fs::path& root, int count, cv::Size sizeA, cv::Size sizeB) {
    for (int i = 0; i < count; ++i) {
        const cv::Mat a = p2p::test::noiseImage(sizeA.width, sizeA.height, CV_8UC3, unsigned(i + 1));
        cv::Mat b;
        cv::resize(255 - a, b, sizeB, 0, 0, cv::INTER_AREA);
        writePng(root / "A" / (std::to_string(i + 1) + ".png"), a);
        writePng(root / "B" / (std::to_string(i + 1) + ".png"), b);
    }
}

}  // namespace

class TestOwnDataCli : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;

private Q_SLOTS:
    void initTestCase() {
        if (!QFileInfo::exists(cliPath()))
            P2P_SKIP_UNLESS_REQUIRED("P2P_TESTS_REQUIRE_SHARED", QStringLiteral("the pix2pix CLI is not built"));
    }

    // A flat A/ + B/ folder trains, and evaluates without a split (all its pairs), or with --split all; a
    // split it does not have is refused with the names it accepts. A cut JPEG is listed before training.
    void flatFolderTrainsAndEvaluates() {
        const fs::path data = dir_.filePath("flat data").toStdString();
        writeTwoFolderSet(data, 2, {64, 64}, {64, 64});
        p2p::test::writeBytes((data / "A" / "cut.jpg").string(), p2p::test::truncatedJpeg());
        p2p::test::writeBytes((data / "B" / "cut.jpg").string(), p2p::test::truncatedJpeg());
        const QString run = dir_.filePath("flat run");
        const Result r = runCli(tinyFlags(QString::fromStdString(data.string()), run) + QStringList{"--direction", "BtoA"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        const int listed = r.out.indexOf("truncated JPEG (no end-of-image marker");
        QVERIFY2(listed >= 0 && listed < r.out.indexOf("training from iteration"), qPrintable(r.out));
        QVERIFY2(r.out.contains("direction:      BtoA: input B/, target A/"), qPrintable(r.out));
        QVERIFY2(r.out.contains("done: " + run + " ("), qPrintable(r.out));  // with the run folder's size
        QVERIFY(r.out.contains(" kB)") || r.out.contains(" MB)"));

        const QString model = run + "/model.p2pm";
        const QString flat = QString::fromStdString(data.string());
        Result e = runCli({"eval", "--model", model, "--data", flat, "--json"});
        QVERIFY2(e.exitCode == 0, qPrintable(e.err + e.out));
        auto j = nlohmann::json::parse(e.out.toStdString());
        QCOMPARE(j.at("split").get<std::string>(), std::string("all"));
        QCOMPARE(j.at("pairs").get<int>(), 2);
        QVERIFY2(e.err.contains("no test/ or val/ split folder"), qPrintable(e.err));
        for (const char* name : {"all", "unsplit", ".", "train"}) {
            e = runCli({"eval", "--model", model, "--data", flat, "--json", "--split", name});
            QVERIFY2(e.exitCode == 0, qPrintable(QString(name) + ": " + e.err));
        }
        e = runCli({"eval", "--model", model, "--data", flat, "--split", "test"});
        QCOMPARE(e.exitCode, 1);
        QVERIFY2(e.err.contains("no split 'test'") && e.err.contains("--split accepts: all"), qPrintable(e.err));
    }

    // options.json records the data folder absolute, so a resume works from any working folder; data that
    // moved is named with --data and checked against the run's fingerprint of file names and sizes.
    void resumeFromElsewhereOntoMovedData() {
        const QString work = dir_.filePath("work");
        p2p::test::writeTinyAlignedSet((work + "/ds1/train").toStdString(), 2, 64, 3);
        Result r = runCliIn(work, tinyFlags("ds1", "run1"));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QFile options(work + "/run1/options.json");
        QVERIFY(options.open(QIODevice::ReadOnly));
        const auto saved = nlohmann::json::parse(options.readAll().toStdString());
        QCOMPARE(QString::fromStdString(saved.at("dataroot").get<std::string>()), QDir(work).filePath("ds1"));

        const QString runAbs = work + "/run1";
        r = runCliIn("/", {"train", "--resume", runAbs, "--n_epochs", "2"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QVERIFY(r.out.contains("resuming"));

        // The data moves to a folder with spaces and non-ASCII characters.
        const QString moved = dir_.filePath("moved data ✓");
        QVERIFY(QDir().rename(work + "/ds1", moved));
        r = runCliIn("/", {"train", "--resume", runAbs, "--n_epochs", "3"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("does not exist") && r.err.contains("--data FOLDER"), qPrintable(r.err));  // and says how on
        r = runCliIn("/", {"train", "--resume", runAbs, "--n_epochs", "3", "--data", moved});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.out.contains("override: dataroot: saved " + QDir(work).filePath("ds1") + ", now " + moved),
                 qPrintable(r.out));
        QVERIFY2(r.out.contains("bit-identical"), qPrintable(r.out));  // the same data: still exact
        QCOMPARE(p2p::loadTrainingCheckpoint((runAbs + "/checkpoints/latest.ckpt").toStdString()).position.iteration,
                 int64_t(6));

        // Other files, even as many, are refused with the reason.
        const QString other = dir_.filePath("other");
        p2p::test::writeTinyAlignedSet((other + "/train").toStdString(), 2, 64, 4);
        r = runCliIn("/", {"train", "--resume", runAbs, "--n_epochs", "4", "--data", other});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("does not hold the data this run trained on") && r.err.contains("file names and sizes"),
                 qPrintable(r.err));
        // Other training flags stay refused with --resume.
        QCOMPARE(runCli({"train", "--resume", runAbs, "--ngf", "4", "--data", moved}).exitCode, 2);
    }

    // B at half size beside A: skipped with the way forward, trained with --pair-resize (a note per pair);
    // non-square images with resize_and_crop are said to be squashed, once.
    void pairResizeAndNonSquareNotes() {
        const QString data = dir_.filePath("halfsize");
        writeTwoFolderSet(data.toStdString(), 2, {96, 64}, {48, 32});
        const QString run = dir_.filePath("halfsize-run");
        QStringList flags = tinyFlags(data, run);
        flags.replace(flags.indexOf("none"), "resize_and_crop");
        flags << "--load_size" << "128" << "--crop_size" << "128";
        Result r = runCli(flags);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("--pair-resize would resize B to A"), qPrintable(r.err));

        r = runCli(flags + QStringList{"--pair-resize"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.out.contains("Note: 1: B resized from 48x32 to A's 96x64"), qPrintable(r.out));
        QVERIFY2(r.out.contains("Note: 2: B resized from 48x32 to A's 96x64"), qPrintable(r.out));
        QCOMPARE(r.out.count("are not square"), 1);
        QVERIFY2(r.out.contains("--preprocess scale_width_and_crop"), qPrintable(r.out));
        QVERIFY2(r.out.contains("direction:      AtoB: input A/, target B/"), qPrintable(r.out));
    }

    // Epoch snapshots are models (no optimizer state), fp16 on request, and --keep-checkpoints bounds them;
    // latest.ckpt alone resumes, exactly.
    void snapshotsAreBoundedModels() {
        const QString data = dir_.filePath("snapshots-data");
        p2p::test::writeTinyAlignedSet((data + "/train").toStdString(), 2, 64, 5);
        const QString run = dir_.filePath("snapshots-run");
        QStringList flags = tinyFlags(data, run);
        flags.replace(flags.indexOf("--n_epochs") + 1, "3");
        const Result r = runCli(flags + QStringList{"--save_epoch_freq", "1", "--keep-checkpoints", "2",
                                                    "--snapshot-half"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        const QStringList kept = QDir(run + "/checkpoints").entryList(QDir::Files, QDir::Name);
        QCOMPARE(kept, (QStringList{"epoch_2.p2pm", "epoch_3.p2pm", "latest.ckpt"}));
        const Result inspect = runCli({"inspect", "--model", run + "/checkpoints/epoch_3.p2pm"});
        QVERIFY2(inspect.exitCode == 0 && inspect.out.contains("float16"), qPrintable(inspect.out + inspect.err));
        // A half-precision model without Adam moments is about a sixth of a full checkpoint.
        QVERIFY(QFileInfo(run + "/checkpoints/epoch_3.p2pm").size() * 4 < QFileInfo(run + "/checkpoints/latest.ckpt").size());
        // Resuming from latest still works; the bound can change with the resume.
        const Result more = runCli({"train", "--resume", run, "--n_epochs", "4", "--keep-checkpoints", "1"});
        QVERIFY2(more.exitCode == 0, qPrintable(more.err + more.out));
        QVERIFY2(more.out.contains("override: keep_checkpoints: saved 2, now 1"), qPrintable(more.out));
        QCOMPARE(QDir(run + "/checkpoints").entryList(QDir::Files, QDir::Name),
                 (QStringList{"epoch_4.p2pm", "latest.ckpt"}));
    }
};

QTEST_GUILESS_MAIN(TestOwnDataCli)
#include "test_own_data_cli.moc"
