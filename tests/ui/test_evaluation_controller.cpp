// The training panel's evaluation runs core's evaluator on a pool thread: a trained run's newest model on the
// test split of the data it recorded gives exactly p2p::evaluate's numbers (and pix2pix eval's lines);
// progress arrives in order on the GUI thread; Cancel stops it; a folder without a model fails readably.

#include <QtTest/QtTest>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <filesystem>

#include "core/train/run_folder.h"
#include "core/train/trainer.h"
#include "tests/core/train/train_test_helpers.h"
#include "tests/support/test_support.h"
#include "ui/training/evaluation_controller.h"
#include "ui/training/evaluation_view.h"

using namespace p2p;
using namespace p2p::ui;

namespace {
constexpr int kTimeoutMs = 120000;  // generous: the machine may be busy; nothing here measures time
}

class TestEvaluationController : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString run_;
    std::string data_;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        configureThreads(1);  // the training steps gain nothing from more
        // A tiny run trained BtoA for one epoch, on a folder with a test/ split beside train/.
        data_ = test::writeTinyTrainSet(dir_, 2);
        test::writeTinyAlignedSet(data_ + "/test", 3, 144, 9);
        run_ = dir_.filePath("run");
        TrainOptions o = test::tinyTrainOptions(data_, run_.toStdString());
        o.direction = "BtoA";
        o.n_epochs = 1;
        o.n_epochs_decay = 0;
        Trainer trainer(o);
        TrainingObserver quiet;
        QCOMPARE(trainer.run(quiet), TrainingState::Finished);
        QVERIFY(!RunFolder(run_.toStdString()).newestModel().empty());
    }

    void theScoresAreTheEvaluatorsExactly() {
        EvaluationController controller;
        QSignalSpy running(&controller, &EvaluationController::runningChanged);
        QSignalSpy started(&controller, &EvaluationController::started);
        QSignalSpy progress(&controller, &EvaluationController::progress);
        QSignalSpy finished(&controller, &EvaluationController::finished);
        QSignalSpy failed(&controller, &EvaluationController::failed);
        QVERIFY(controller.startForRun(run_, Device::cpu()));
        QVERIFY(controller.isRunning());
        QVERIFY(!controller.startForRun(run_, Device::cpu()));  // one at a time
        QVERIFY(finished.wait(kTimeoutMs));
        QCOMPARE(failed.count(), 0);
        QVERIFY(!controller.isRunning());
        QCOMPARE(running.count(), 2);
        QCOMPARE(running.first().at(0).toBool(), true);
        QCOMPARE(running.last().at(0).toBool(), false);

        // What it evaluated: the run's newest model, on its recorded data, the test split, the model's
        // direction.
        QCOMPARE(started.count(), 1);
        const auto header = started.first().at(0).value<EvalReport>();
        QCOMPARE(header.planned, size_t(3));
        const auto report = finished.first().at(0).value<EvalReport>();
        QCOMPARE(QString::fromStdString(report.model_path),
                 QString::fromStdString(RunFolder(run_.toStdString()).newestModel()));
        QCOMPARE(report.data, data_);
        QCOMPARE(report.split, std::string("test"));
        QCOMPARE(report.direction, std::string("BtoA"));
        QCOMPARE(int(report.pairs.size()), 3);
        // Every pair reported, in order, before the result.
        QCOMPARE(progress.count(), 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(progress.at(i).at(0).toInt(), i + 1);
            QCOMPARE(progress.at(i).at(1).toInt(), 3);
        }

        // The same numbers as p2p::evaluate on the same options, exactly.
        const EvalOptions options = EvaluationController::optionsForRun(run_, Device::cpu());
        const EvalReport direct = p2p::evaluate(options);
        QVERIFY2(report.l1 == direct.l1,
                 qPrintable(QString("%1 vs %2").arg(report.l1, 0, 'g', 17).arg(direct.l1, 0, 'g', 17)));
        QVERIFY(report.psnr == direct.psnr);
        QVERIFY(report.ssim == direct.ssim);
        QCOMPARE(report.grid.size(), direct.grid.size());
        QCOMPARE(report.grid.cols, 3 * 128);  // input | output | target at the model's 128 crop
        QCOMPARE(report.grid.rows, 3 * 128);
        QCOMPARE(cv::norm(report.grid, direct.grid, cv::NORM_INF), 0.0);
    }

    // What the panel shows are the lines `pix2pix eval` prints for the same run.
    void theViewShowsWhatTheCliPrints() {
        if (test::cliPath().isEmpty()) QSKIP("the pix2pix CLI is not built");
        const test::CliResult cli = test::runCli(
            {"eval", "--model", run_, "--data", QString::fromStdString(data_), "--device", "cpu"});
        QVERIFY2(cli.exitCode == 0, qPrintable(cli.err));
        EvaluationController controller;
        EvaluationView view;
        connect(&controller, &EvaluationController::finished, &view, &EvaluationView::showReport);
        QSignalSpy finished(&controller, &EvaluationController::finished);
        QVERIFY(controller.startForRun(run_, Device::cpu()));
        QVERIFY(finished.wait(kTimeoutMs));
        const QStringList shown = view.scores().split('\n');
        for (const QString& key : {"pairs:", "L1:", "PSNR:", "SSIM:"}) {
            QString printed, ours;
            for (const QString& line : cli.out.split('\n'))
                if (line.startsWith(key)) printed = line;
            for (const QString& line : shown)
                if (line.startsWith(key)) ours = line;
            QVERIFY2(!printed.isEmpty(), qPrintable(cli.out));
            QCOMPARE(ours, printed);
        }
        QVERIFY(!view.grid().isNull());
    }

    void cancelStopsIt() {
        EvaluationController controller;
        QSignalSpy cancelled(&controller, &EvaluationController::cancelled);
        QSignalSpy finished(&controller, &EvaluationController::finished);
        QSignalSpy failed(&controller, &EvaluationController::failed);
        QVERIFY(controller.startForRun(run_, Device::cpu()));
        controller.cancel();  // long before its first pair: the model is still loading
        QVERIFY(cancelled.wait(kTimeoutMs));
        QCOMPARE(finished.count(), 0);
        QCOMPARE(failed.count(), 0);
        QVERIFY(!controller.isRunning());
        // A cancel does not carry over to the next evaluation.
        QVERIFY(controller.startForRun(run_, Device::cpu()));
        QVERIFY(finished.wait(kTimeoutMs));
        QCOMPARE(cancelled.count(), 1);
    }

    void destroyingWhileRunningWaits() {
        auto controller = std::make_unique<EvaluationController>();
        QVERIFY(controller->startForRun(run_, Device::cpu()));
        controller.reset();  // cancels and waits: nothing runs on afterwards, nothing crashes
        QTest::qWait(50);
    }

    void runsItCannotEvaluateFailReadably_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty folder") << "empty"
                                      << "has no model yet";
        QTest::newRow("missing folder") << "missing"
                                        << "has no model yet";
        QTest::newRow("model without options.json") << "no-options"
                                                    << "options.json";
        QTest::newRow("recorded data gone") << "data-gone"
                                            << "data-gone-elsewhere";
    }
    void runsItCannotEvaluateFailReadably() {
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        const QString folder = dir_.filePath("bad-" + kind);
        const RunFolder run(folder.toStdString());
        const RunFolder trained(run_.toStdString());
        if (kind != "missing") QVERIFY(QDir().mkpath(folder));
        if (kind == "no-options" || kind == "data-gone")
            QVERIFY(QFile::copy(QString::fromStdString(trained.newestModel()),
                                QString::fromStdString(run.model())));
        if (kind == "data-gone") {
            TrainOptions o = trained.readOptions();
            o.dataroot = dir_.filePath("data-gone-elsewhere").toStdString();
            run.writeOptions(o);
        }
        EvaluationController controller;
        QSignalSpy failed(&controller, &EvaluationController::failed);
        QSignalSpy finished(&controller, &EvaluationController::finished);
        QVERIFY(controller.startForRun(folder, Device::cpu()));
        QVERIFY(failed.wait(kTimeoutMs));
        const QString error = failed.first().at(0).toString();
        QVERIFY2(error.contains(expected), qPrintable(error));
        if (kind != "data-gone") QVERIFY2(error.contains(folder), qPrintable(error));
        QCOMPARE(finished.count(), 0);
        QVERIFY(!controller.isRunning());
    }
};

QTEST_MAIN(TestEvaluationController)
#include "test_evaluation_controller.moc"
