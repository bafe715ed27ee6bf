// The training panel's right side: the progress line says where the run is (and nothing about speed while
// paused), samples reach the panes and the heatmaps, the end of a run is summed up with its model, problems
// show and clear; the evaluation tab shows a report as `pix2pix eval` prints it and offers Cancel while busy.

#include <QtTest/QtTest>

#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTabWidget>
#include <QTemporaryDir>

#include "core/nn/receptive_field.h"
#include "ui/training/evaluation_view.h"
#include "ui/training/heatmap_view.h"
#include "ui/training/image_pane.h"
#include "ui/training/loss_chart.h"
#include "ui/training/training_monitor.h"
#include "ui/training/training_text.h"

using namespace p2p;
using namespace p2p::ui;

namespace {

TrainingProgress progressAt(int epoch, int64_t iteration, double rate, double eta) {
    TrainingProgress p;
    p.epoch = epoch;
    p.total_epochs = 20;
    p.iteration = iteration;
    p.iterations_per_epoch = 400;
    p.total_iterations = 8000;
    p.iterations_per_second = rate;
    p.eta_seconds = eta;
    return p;
}

}  // namespace

class TestTrainingMonitor : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void progressText_data() {
        QTest::addColumn<TrainingProgress>("progress");
        QTest::addColumn<bool>("paused");
        QTest::addColumn<bool>("stopping");
        QTest::addColumn<QString>("expected");
        const QString thin(QChar(0x2009));
        QTest::newRow("running, slow")
            << progressAt(3, 1200, 4.2, 1667.4) << false << false
            << "Epoch 3 / 20 · iteration 1" + thin + "200 / 8" + thin + "000 · 4.20 it/s · ETA 0:27:47";
        QTest::newRow("running, fast")
            << progressAt(1, 10, 12.34, 3725) << false << false
            << "Epoch 1 / 20 · iteration 10 / 8" + thin + "000 · 12.3 it/s · ETA 1:02:05";
        QTest::newRow("no rate yet") << progressAt(1, 0, 0, 0) << false << false
                                     << "Epoch 1 / 20 · iteration 0 / 8" + thin + "000";
        QTest::newRow("paused: no rate, no ETA")
            << progressAt(2, 500, 4.2, 100) << true << false
            << "Epoch 2 / 20 · iteration 500 / 8" + thin + "000 · paused";
        QTest::newRow("stopping")
            << progressAt(2, 500, 4.2, -1) << false << true
            << "Epoch 2 / 20 · iteration 500 / 8" + thin +
                   "000 · 4.20 it/s · ETA – · stopping: saving a checkpoint and the model…";
    }
    void progressText() {
        QFETCH(TrainingProgress, progress);
        QFETCH(bool, paused);
        QFETCH(bool, stopping);
        QFETCH(QString, expected);
        QCOMPARE(TrainingMonitor::progressText(progress, paused, stopping), expected);
        TrainingMonitor monitor;
        monitor.showProgress(progress, paused, stopping);
        QCOMPARE(monitor.progressLine(), expected);
        QCOMPARE(monitor.findChild<QProgressBar*>()->value(),
                 int(std::lround(1000.0 * progress.iteration / 8000)));
    }

    void aSampleReachesThePanesAndTheHeatmaps() {
        TrainingMonitor monitor;
        TrainOptions o;
        o.crop_size = 128;
        monitor.setRunOptions(o);
        TrainingSampleImages sample;
        sample.iteration = 40;
        sample.epoch = 2;
        sample.name = "cmp_b0001";
        for (QImage* image : {&sample.input, &sample.generated, &sample.target}) {
            *image = QImage(128, 128, QImage::Format_RGB888);
            image->fill(image == &sample.input ? Qt::red : image == &sample.generated ? Qt::green : Qt::blue);
        }
        sample.dReal = cv::Mat(14, 14, CV_32FC1, cv::Scalar(0.75));
        sample.dFake = cv::Mat(14, 14, CV_32FC1, cv::Scalar(0.25));
        monitor.showSample(sample);
        const auto panes = monitor.findChildren<ImagePane*>();
        QCOMPARE(panes.size(), 3);
        QCOMPARE(panes[0]->image(), sample.input);
        QCOMPARE(panes[1]->image(), sample.generated);
        QCOMPARE(panes[2]->image(), sample.target);
        QCOMPARE(monitor.realHeatmap()->image(), sample.target);
        QCOMPARE(monitor.fakeHeatmap()->image(), sample.generated);
        QCOMPARE(monitor.realHeatmap()->mapRows(), 14);
        QVERIFY(monitor.realHeatmap()->fieldKnown());

        // The caption's last part is the pair, named as such (issue 17: "· 24" read as a count).
        bool captionShown = false;
        for (QLabel* label : monitor.findChildren<QLabel*>())
            captionShown |= label->text() == "Iteration 40 · epoch 2 · pair cmp_b0001";
        QVERIFY(captionShown);
        sample.name.clear();
        QCOMPARE(TrainingMonitor::samplesCaptionText(sample), QString("Iteration 40 · epoch 2"));

        // A new run forgets the last one's views.
        monitor.startRun("Starting…", "Loading…");
        for (ImagePane* pane : panes) QVERIFY(pane->image().isNull());
        QCOMPARE(monitor.progressLine(), QString("Loading…"));
        QCOMPARE(monitor.lossChart()->samplesShown(), int64_t(0));
    }

    void theEndOfARunNamesItsModel() {
        QTemporaryDir dir;
        TrainingMonitor monitor;
        const QString model = dir.filePath("model.p2pm");
        monitor.showFinished(TrainingState::Stopped, dir.path(), model, {});
        QVERIFY2(
            monitor.progressLine().startsWith("Training stopped. Model: " + QFileInfo(dir.path()).fileName() +
                                              "/model.p2pm Run folder: "),
            qPrintable(monitor.progressLine()));
        monitor.showFinished(TrainingState::Failed, dir.path(), {}, dir.filePath("checkpoints/latest.ckpt"));
        QVERIFY2(monitor.progressLine().startsWith(
                     "Training failed. The last good checkpoint is kept: latest.ckpt"),
                 qPrintable(monitor.progressLine()));
    }

    void problemsShowAndClear() {
        TrainingMonitor monitor;
        QCOMPARE(monitor.errorText(), QString());
        monitor.showError("no pairs");
        QCOMPARE(monitor.errorText(), QString("no pairs"));
        monitor.clearError();
        QCOMPARE(monitor.errorText(), QString());
    }

    void theHeatmapOpacityIsOneSetting() {
        TrainingMonitor monitor;
        QSignalSpy changed(&monitor, &TrainingMonitor::heatmapOpacityChanged);
        monitor.setHeatmapOpacity(30);
        QCOMPARE(monitor.heatmapOpacity(), 30);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(monitor.realHeatmap()->opacity(), 0.3);
        QCOMPARE(monitor.fakeHeatmap()->opacity(), 0.3);
    }

    void theEvaluationTabShowsAReport() {
        TrainingMonitor monitor;
        EvaluationView* view = monitor.evaluationView();
        monitor.showTab(TrainingMonitor::EvaluationTab);
        QCOMPARE(monitor.findChild<QTabWidget*>()->currentWidget(), view);

        QSignalSpy cancel(view, &EvaluationView::cancelRequested);
        auto* cancelButton = view->findChild<QPushButton*>();
        view->showStarting("/runs/a");
        QVERIFY(cancelButton->isVisibleTo(view));
        cancelButton->click();
        QCOMPARE(cancel.count(), 1);

        EvalReport r;
        r.model_name = "a";
        r.data = "/data/facades";
        r.split = "test";
        r.direction = "BtoA";
        r.pairs.resize(2);
        r.l1 = 0.123456;
        r.l1_255 = 15.7421;
        r.psnr = 20.1234;
        r.ssim = 0.5;
        r.seconds = 1.5;
        r.grid = cv::Mat(2 * 64, 3 * 64, CV_8UC3, cv::Scalar(10, 20, 30));
        r.notes = {"no test split"};
        view->showReport(r);
        // The lines `pix2pix eval` prints (app/cli/cmd_eval.cpp printReport).
        QCOMPARE(view->scores(),
                 QString("pairs: 2\nL1:    0.1235 (on [-1, 1]; 15.74 on 0..255)\nPSNR:  20.12 dB\n"
                         "SSIM:  0.5000\ntime:  1.5 s"));
        QCOMPARE(view->grid().size(), QSize(3 * 64, 2 * 64));
        QVERIFY(!cancelButton->isVisibleTo(view));
        QVERIFY(view->findChildren<QLabel*>().size() > 0);

        view->showFailed("model.p2pm: not a model");
        QVERIFY(view->status().contains("not a model"));
        view->showCancelled();
        QCOMPARE(view->status(), QString("Evaluation cancelled."));
    }

    void durationsAndCounts() {
        QCOMPARE(formatDuration(0), QString("0:00:00"));
        QCOMPARE(formatDuration(3725.4), QString("1:02:05"));
        QCOMPARE(formatDuration(-1), QString("–"));
        QCOMPARE(formatDuration(std::numeric_limits<double>::infinity()), QString("–"));
        QCOMPARE(withSeparators(1234567), QString("1") + QChar(0x2009) + "234" + QChar(0x2009) + "567");
        QCOMPARE(trainingStateName(TrainingState::Finished), QString("finished"));
    }
};

QTEST_MAIN(TestTrainingMonitor)
#include "test_training_monitor.moc"
