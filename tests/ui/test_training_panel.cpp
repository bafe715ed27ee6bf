// The training panel and its controller: a tiny paired set trains for a few iterations on the controller's
// thread, and the GUI thread sees progress, losses, samples and heatmaps; pause holds the step counter and
// resume continues it; problems end the run cleanly with a message.

#include <QtTest/QtTest>

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QWheelEvent>

#include <atomic>
#include <memory>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/common/runtime.h"
#include "core/nn/receptive_field.h"
#include "core/train/presets.h"
#include "core/train/run_folder.h"
#include "core/train/trainer.h"
#include "tests/support/test_support.h"
#include "ui/training/dataset_group.h"
#include "ui/training/evaluation_controller.h"
#include "ui/training/evaluation_view.h"
#include "ui/training/heatmap_view.h"
#include "ui/training/loss_chart.h"
#include "ui/training/training_controller.h"
#include "ui/training/train_options_form.h"
#include "ui/training/training_monitor.h"
#include "ui/training/training_panel.h"

using namespace p2p;
using namespace p2p::ui;

namespace {

constexpr int kTimeoutMs = 120000;  // generous: the machine may be busy; nothing here measures time

// unet_128 needs 128x128 inputs; ngf/ndf 8 keeps a step in the tens of milliseconds.
std::string writeSet(const QTemporaryDir& dir, int count) {
    const std::string root = dir.filePath("data").toStdString();
    test::writeTinyAlignedSet(root + "/train", count, 128, 3);
    return root;
}

TrainOptions tinyOptions(const std::string& dataroot, const std::string& runDir) {
    TrainOptions o;
    o.dataroot = dataroot;
    o.run_dir = runDir;
    o.netG = "unet_128";
    o.ngf = 8;
    o.ndf = 8;
    o.preprocess = "crop";
    o.load_size = 128;
    o.crop_size = 128;
    o.num_threads = 1;
    o.n_epochs = 1;
    o.n_epochs_decay = 1;
    o.device = p2p::Device::cpu();
    o.log_freq = 1;
    o.sample_freq = 2;
    o.save_latest_freq = 0;
    o.save_epoch_freq = 0;
    return o;
}

// A label|photo set: the first `count` facades training pairs (photo|label) with their halves swapped.
std::string writeMirroredFacades(const std::string& facades, const QString& root, int count) {
    QDir().mkpath(root + "/train");
    for (int i = 1; i <= count; ++i) {
        const cv::Mat ab = cv::imread(facades + "/train/" + std::to_string(i) + ".jpg");
        if (ab.empty()) return {};
        const int half = ab.cols / 2;
        cv::Mat ba;
        cv::hconcat(ab.colRange(half, ab.cols), ab.colRange(0, half), ba);
        cv::imwrite(QString("%1/train/%2.png").arg(root).arg(i).toStdString(), ba);
    }
    return root.toStdString();
}

// Clicks `button` of the next modal message box. It is created inside the caller's nested event loop, so
// poll for it from a timer.
void answerNextMessageBox(QMessageBox::StandardButton button) {
    auto* poll = new QTimer;
    auto tries = std::make_shared<int>(0);
    QObject::connect(poll, &QTimer::timeout, [poll, button, tries] {
        if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
            poll->stop();
            poll->deleteLater();
            box->button(button)->click();
        } else if (++*tries > 3000) {
            poll->stop();
            poll->deleteLater();
        }
    });
    poll->start(10);
}

}  // namespace

class TestTrainingPanel : public QObject {
    Q_OBJECT

    // A user's earlier session: a panel trains `o` on the folder `root` until `losses` loss reports came, then
    // Stop saves latest.ckpt in runDir.
    void trainInPanelAndStop(const std::string& root, const QString& runDir, const TrainOptions& o, int losses) {
        TrainingPanel panel;
        QSignalSpy scanned(panel.findChild<DatasetScanner*>(), &DatasetScanner::finished);
        panel.setDatasetFolder(QString::fromStdString(root));
        QVERIFY(scanned.wait(kTimeoutMs));
        panel.setPreset(TrainOptionsForm::kCustom);
        panel.setOptions(o);
        panel.setRunFolder(runDir);
        QSignalSpy reported(panel.controller(), &TrainingController::lossesReady);
        QVERIFY2(panel.startTraining(), qPrintable(panel.errorText()));
        QTRY_VERIFY_WITH_TIMEOUT(reported.count() >= losses, kTimeoutMs);
        panel.controller()->stop();
        QVERIFY(panel.controller()->waitForFinished(kTimeoutMs));
        QVERIFY(QFile::exists(runDir + "/checkpoints/latest.ckpt"));
    }


private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);  // QSettings and the runs folder stay out of the user's
        QCoreApplication::setOrganizationName("pix2pix-studio-tests");
        QCoreApplication::setApplicationName("test_training_panel");
        registerTrainingMetaTypes();
    }

    void controllerTrainsAndReportsEverything() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        TrainOptions o = tinyOptions(writeSet(dir, 3), dir.filePath("run").toStdString());
        TrainingController controller;
        QSignalSpy started(&controller, &TrainingController::started);
        QSignalSpy progress(&controller, &TrainingController::progressChanged);
        QSignalSpy losses(&controller, &TrainingController::lossesReady);
        QSignalSpy samples(&controller, &TrainingController::sampleReady);
        QSignalSpy failed(&controller, &TrainingController::failed);
        QSignalSpy finished(&controller, &TrainingController::finished);

        QVERIFY(controller.start(o));
        QVERIFY(controller.isRunning());
        QVERIFY(!controller.start(o));  // one run at a time
        QVERIFY(finished.wait(kTimeoutMs));
        QCOMPARE(failed.count(), 0);
        QVERIFY(!controller.isRunning());

        // 3 pairs, 2 epochs, batch 1: 6 steps; losses every step, a sample every 2.
        QCOMPARE(started.count(), 1);
        QCOMPARE(losses.count(), 6);
        for (int i = 0; i < losses.count(); ++i) {
            const auto l = losses.at(i).at(0).value<LossSample>();
            QCOMPARE(l.iteration, int64_t(i + 1));
            QVERIFY(std::isfinite(l.G_GAN) && std::isfinite(l.G_L1) && l.G_L1 > 0);
            QVERIFY(l.lr > 0);
        }
        QVERIFY(progress.count() >= 1);
        const auto last = progress.last().at(0).value<TrainingProgress>();
        QCOMPARE(last.iteration, int64_t(6));
        QCOMPARE(last.total_iterations, int64_t(6));
        QCOMPARE(samples.count(), 3);
        const auto sample = samples.last().at(0).value<TrainingSampleImages>();
        QCOMPARE(sample.iteration, qint64(6));
        for (const QImage* img : {&sample.input, &sample.generated, &sample.target}) {
            QVERIFY(!img->isNull());
            QCOMPARE(img->size(), QSize(128, 128));
        }
        // D's patch maps: 14x14 at 128 for the 70x70 PatchGAN (128 -> 64 -> 32 -> 16 -> 15 -> 14), sigmoids.
        const int cells = convOutputSize(discriminatorGeometry(o.discriminatorOptions()), 128);
        QCOMPARE(cells, 14);
        for (const cv::Mat* m : {&sample.dReal, &sample.dFake}) {
            QCOMPARE(m->type(), CV_32FC1);
            QCOMPARE(m->rows, cells);
            QCOMPARE(m->cols, cells);
            double lo = 0, hi = 0;
            cv::minMaxLoc(*m, &lo, &hi);
            QVERIFY(lo >= 0.0 && hi <= 1.0);
        }
        const auto state = finished.last().at(0).value<TrainingState>();
        QCOMPARE(state, TrainingState::Finished);
        const QString model = finished.last().at(2).toString();
        QVERIFY(QFile::exists(model));
        QCOMPARE(controller.exportedModel(), model);
    }

    void pauseHoldsTheStepCounterAndResumeContinues() {
        QTemporaryDir dir;
        TrainOptions o = tinyOptions(writeSet(dir, 3), dir.filePath("run").toStdString());
        o.n_epochs = 200;  // long enough to still run when we stop it
        o.sample_freq = 0;
        TrainingController controller;
        QSignalSpy losses(&controller, &TrainingController::lossesReady);
        QSignalSpy states(&controller, &TrainingController::stateChanged);
        QSignalSpy finished(&controller, &TrainingController::finished);
        QVERIFY(controller.start(o));
        QTRY_VERIFY_WITH_TIMEOUT(losses.count() >= 2, kTimeoutMs);

        controller.pause();
        QTRY_VERIFY_WITH_TIMEOUT(controller.isPaused(), kTimeoutMs);
        QCOMPARE(states.last().at(0).value<TrainingState>(), TrainingState::Paused);
        const qint64 pausedAt = controller.iteration();
        QVERIFY(pausedAt >= 2);
        QTest::qWait(200);  // let any signal of the step that finished before the pause arrive
        const int lossesAtPause = losses.count();
        QTest::qWait(1500);  // several steps' worth of time: none may happen
        QCOMPARE(controller.iteration(), pausedAt);
        QCOMPARE(losses.count(), lossesAtPause);
        QVERIFY(controller.isRunning());

        controller.resume();
        QTRY_VERIFY_WITH_TIMEOUT(controller.iteration() >= pausedAt + 2, kTimeoutMs);
        QVERIFY(!controller.isPaused());
        QTRY_VERIFY_WITH_TIMEOUT(losses.count() > lossesAtPause, kTimeoutMs);
        const auto next = losses.at(lossesAtPause).at(0).value<LossSample>();
        QCOMPARE(next.iteration, pausedAt + 1);  // continues where it stopped, nothing skipped

        // Stop saves: a checkpoint and the model.
        controller.stop();
        QVERIFY(finished.wait(kTimeoutMs));
        QCOMPARE(finished.last().at(0).value<TrainingState>(), TrainingState::Stopped);
        QVERIFY(QFile::exists(dir.filePath("run/checkpoints/latest.ckpt")));
        QVERIFY(QFile::exists(finished.last().at(2).toString()));
        const qint64 stoppedAt = losses.last().at(0).value<LossSample>().iteration;

        // Resume run: the history comes back and the steps continue after the checkpoint.
        QSignalSpy history(&controller, &TrainingController::historyLoaded);
        const int before = losses.count();
        QVERIFY(controller.resumeRun(dir.filePath("run")));
        QTRY_VERIFY_WITH_TIMEOUT(losses.count() > before, kTimeoutMs);
        QCOMPARE(history.count(), 1);
        const auto loaded = history.first().at(0).value<std::vector<LossSample>>();
        QCOMPARE(qint64(loaded.size()), stoppedAt);
        QCOMPARE(losses.at(before).at(0).value<LossSample>().iteration, stoppedAt + 1);
        controller.stop();
        QVERIFY(finished.wait(kTimeoutMs));
    }

    void pauseBeforeTheTrainerExistsIsKept() {
        QTemporaryDir dir;
        TrainOptions o = tinyOptions(writeSet(dir, 2), dir.filePath("run").toStdString());
        TrainingController controller;
        QSignalSpy losses(&controller, &TrainingController::lossesReady);
        QSignalSpy finished(&controller, &TrainingController::finished);
        QVERIFY(controller.start(o));
        controller.pause();  // the worker is still building the trainer
        QTRY_VERIFY_WITH_TIMEOUT(controller.isPaused(), kTimeoutMs);
        QCOMPARE(controller.iteration(), qint64(0));
        QCOMPARE(losses.count(), 0);
        controller.stop();
        QVERIFY(finished.wait(kTimeoutMs));
        QCOMPARE(losses.count(), 0);
    }

    void nonFiniteLossFailsCleanly() {
        QTemporaryDir dir;
        TrainOptions o = tinyOptions(writeSet(dir, 3), dir.filePath("run").toStdString());
        o.n_epochs = 5;
        TrainingController controller;
        controller.setTrainerSetup([](Trainer& t) { t.injectNonFiniteInputAt(3); });
        QSignalSpy losses(&controller, &TrainingController::lossesReady);
        QSignalSpy failed(&controller, &TrainingController::failed);
        QSignalSpy finished(&controller, &TrainingController::finished);
        QVERIFY(controller.start(o));
        QVERIFY(finished.wait(kTimeoutMs));
        QCOMPARE(failed.count(), 1);
        const QString error = failed.first().at(0).toString();
        QVERIFY2(error.contains("not finite"), qPrintable(error));
        QVERIFY2(error.contains("iteration 3"), qPrintable(error));
        QCOMPARE(finished.last().at(0).value<TrainingState>(), TrainingState::Failed);
        QCOMPARE(losses.count(), 2);  // the two good steps, nothing after
        QVERIFY(!controller.isRunning());
        // The controller can run again after a failure.
        controller.setTrainerSetup({});
        o.run_dir = dir.filePath("run2").toStdString();
        o.n_epochs = 1;
        o.n_epochs_decay = 0;
        QVERIFY(controller.start(o));
        QVERIFY(finished.wait(kTimeoutMs));
        QCOMPARE(finished.last().at(0).value<TrainingState>(), TrainingState::Finished);
    }

    void badFolderFailsWithItsName() {
        QTemporaryDir dir;
        TrainOptions o =
            tinyOptions(dir.filePath("nothing-here").toStdString(), dir.filePath("run").toStdString());
        TrainingController controller;
        QSignalSpy failed(&controller, &TrainingController::failed);
        QSignalSpy finished(&controller, &TrainingController::finished);
        QVERIFY(controller.start(o));
        QVERIFY(finished.wait(kTimeoutMs));
        QCOMPARE(failed.count(), 1);
        QVERIFY2(failed.first().at(0).toString().contains("nothing-here"),
                 qPrintable(failed.first().at(0).toString()));
        QCOMPARE(finished.last().at(0).value<TrainingState>(), TrainingState::Failed);
    }

    void destructorStopsARunningRun() {
        QTemporaryDir dir;
        TrainOptions o = tinyOptions(writeSet(dir, 3), dir.filePath("run").toStdString());
        o.n_epochs = 200;
        {
            TrainingController controller;
            QSignalSpy losses(&controller, &TrainingController::lossesReady);
            QVERIFY(controller.start(o));
            QTRY_VERIFY_WITH_TIMEOUT(losses.count() >= 1, kTimeoutMs);
        }  // stops, saves, joins the thread
        QVERIFY(QFile::exists(dir.filePath("run/checkpoints/latest.ckpt")));
        QVERIFY(QFile::exists(dir.filePath("run/model.p2pm")));
    }

    void panelScansAFolder() {
        QTemporaryDir dir;
        const std::string root = writeSet(dir, 3);
        // Something the scan must skip, with its reason.
        {
            QFile bad(QString::fromStdString(root) + "/train/broken.png");
            QVERIFY(bad.open(QIODevice::WriteOnly));
            bad.write("not a png");
        }
        TrainingPanel panel;
        QSignalSpy scanned(panel.findChild<DatasetScanner*>(), &DatasetScanner::finished);
        QSignalSpy scanProgress(panel.findChild<DatasetScanner*>(), &DatasetScanner::progress);
        panel.setDatasetFolder(QString::fromStdString(root));
        QVERIFY(scanned.wait(kTimeoutMs));
        QVERIFY(panel.datasetReady());
        QVERIFY(scanProgress.count() >= 1);
        const DatasetScanResult& scan = panel.lastScan();
        QVERIFY(scan.error.isEmpty());
        QCOMPARE(int(scan.scan.split("train").size()), 3);
        QCOMPARE(int(scan.scan.skipped.size()), 1);
        QVERIFY(QString::fromStdString(scan.scan.skipped.front().path).endsWith("broken.png"));
        QCOMPARE(scan.sampleA.size(), QSize(128, 128));
        QCOMPARE(scan.sampleB.size(), QSize(128, 128));
        auto* skipped = panel.findChild<QTreeWidget*>();
        QVERIFY(skipped);
        QCOMPARE(skipped->topLevelItemCount(), 1);
        QCOMPARE(skipped->topLevelItem(0)->text(0), QString("broken.png"));
        QVERIFY(!skipped->topLevelItem(0)->text(1).isEmpty());

        // A folder that is not a dataset: the problem shows in the panel and Start stays off.
        panel.setDatasetFolder(dir.filePath("missing"));
        QVERIFY(scanned.wait(kTimeoutMs));
        QVERIFY(!panel.datasetReady());
        QVERIFY2(panel.errorText().contains("missing"), qPrintable(panel.errorText()));
        QVERIFY(!panel.startTraining());
    }

    // Issue 22: what the scan says shows in the panel whole: every skip reason (wrapped, not cut off), the
    // notes, the warnings; "Resize B to A" rescans and uses pairs that only differ in size.
    void panelShowsScanMessagesWhole() {
        QTemporaryDir dir;
        const QString root = dir.filePath("own data");
        auto write = [](const QString& path, const cv::Mat& image) {
            QDir().mkpath(QFileInfo(path).absolutePath());
            QVERIFY(cv::imwrite(path.toStdString(), image));
        };
        write(root + "/A/1.png", cv::Mat(48, 64, CV_8UC3, cv::Scalar(10, 20, 30)));
        write(root + "/B/1.png", cv::Mat(24, 32, CV_8UC3, cv::Scalar(40, 50, 60)));  // half size
        write(root + "/A/2.png", cv::Mat(48, 64, CV_8UC3, cv::Scalar(10, 20, 30)));
        write(root + "/B/2.png", cv::Mat(48, 64, CV_8UC3, cv::Scalar(40, 50, 60)));
        TrainingPanel panel;
        panel.resize(520, 900);
        QSignalSpy scanned(panel.findChild<DatasetScanner*>(), &DatasetScanner::finished);
        panel.setDatasetFolder(root);
        QVERIFY(scanned.wait(kTimeoutMs));
        auto* skipped = panel.findChild<QTreeWidget*>("skippedList");
        QVERIFY(skipped);
        QCOMPARE(skipped->topLevelItemCount(), 1);
        const QString reason = QString::fromStdString(panel.lastScan().scan.skipped.front().reason);
        QVERIFY2(reason.contains("--pair-resize would resize B to A"), qPrintable(reason));
        QCOMPARE(skipped->topLevelItem(0)->text(1), reason);  // the whole reason, wrapped in its row
        QCOMPARE(skipped->topLevelItem(0)->toolTip(1), reason);
        QVERIFY(skipped->wordWrap());

        auto* resize = panel.findChild<QCheckBox*>("pairResize");
        QVERIFY(resize);
        resize->setChecked(true);  // rescans
        QVERIFY(scanned.wait(kTimeoutMs));
        QCOMPARE(int(panel.lastScan().scan.split("").size()), 2);
        QVERIFY(panel.options().pair_resize);
        auto* summary = panel.findChild<QLabel*>("scanSummary");
        QVERIFY(summary);
        QVERIFY2(summary->text().contains("1: B resized from 32x24 to A&#x27;s 64x48") ||
                     summary->text().contains("1: B resized from 32x24 to A's 64x48"),
                 qPrintable(summary->text()));
        QVERIFY2(summary->text().contains("not square"), qPrintable(summary->text()));  // resize_and_crop squashes

        // Plain photos in an aligned folder: the warning shows, whole.
        const QString photos = dir.filePath("photos");
        for (int i = 0; i < 3; ++i) {
            cv::Mat photo(64, 96, CV_8UC3);
            for (int y = 0; y < photo.rows; ++y)
                for (int x = 0; x < photo.cols; ++x)
                    photo.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(60 + x / 4 + 10 * i), uchar(80 + y), uchar(120 + y / 2));
            write(photos + QString("/IMG_%1.JPG").arg(i), photo);
        }
        panel.setDatasetFolder(photos);
        QVERIFY(scanned.wait(kTimeoutMs));
        QCOMPARE(panel.lastScan().scan.warnings.size(), size_t(1));
        QVERIFY2(summary->text().contains("<b>Warning:</b> these may not be A|B pairs") &&
                     summary->text().contains("two folders A/ and B/"),
                 qPrintable(summary->text()));
        QVERIFY(summary->wordWrap());
    }

    void presetsSetTheModel() {
        TrainOptions base;
        base.dataroot = "data";  // validate() wants these; the presets leave them alone
        base.run_dir = "run";
        const TrainOptions tiny = trainPreset("tiny").applyTo(base);
        QCOMPARE(tiny.dataroot, std::string("data"));
        QCOMPARE(tiny.netG, std::string("unet_128"));
        QCOMPARE(tiny.ngf, 32);
        QCOMPARE(tiny.crop_size, 128);
        tiny.validate();
        const TrainOptions paper = trainPreset("paper").applyTo(base);
        QCOMPARE(paper.netG, std::string("unet_256"));
        QCOMPARE(paper.ngf, 64);
        QCOMPARE(paper.crop_size, 256);
        QCOMPARE(paper.load_size, 286);
        paper.validate();

        TrainingPanel panel;
        // Each preset sets its fields on what the panel shows, and nothing else.
        for (const TrainPreset& p : trainPresets()) {
            const TrainOptions before = panel.options();
            QVERIFY(panel.setPreset(QString::fromStdString(p.name)));
            QCOMPARE(panel.preset(), QString::fromStdString(p.name));
            QCOMPARE(panel.options().toJson(), p.applyTo(before).toJson());
        }
        panel.setPreset("paper");
        QCOMPARE(panel.options().netG, std::string("unet_256"));
        panel.setPreset("tiny");
        QCOMPARE(panel.options().netG, std::string("unet_128"));
        QCOMPARE(panel.options().crop_size, 128);
        QCOMPARE(panel.options().toJson(), trainPreset("tiny").applyTo(panel.options()).toJson());
        QVERIFY(!panel.setPreset("Tiny (CPU)"));  // names, not titles
        // Custom keeps what is there and exposes every option; the controls round-trip.
        panel.setPreset(TrainOptionsForm::kCustom);
        TrainOptions custom = panel.options();
        custom.ngf = 24;
        custom.netD = "n_layers";
        custom.n_layers_D = 2;
        custom.gan_mode = "lsgan";
        custom.lambda_L1 = 50;
        custom.lr = 0.0005;
        custom.batch_size = 4;
        custom.direction = "BtoA";
        panel.setOptions(custom);
        const TrainOptions back = panel.options();
        QCOMPARE(back.ngf, 24);
        QCOMPARE(back.netD, std::string("n_layers"));
        QCOMPARE(back.n_layers_D, 2);
        QCOMPARE(back.gan_mode, std::string("lsgan"));
        QCOMPARE(back.lambda_L1, 50.0);
        QCOMPARE(back.lr, 0.0005);
        QCOMPARE(back.batch_size, 4);
        QCOMPARE(back.direction, std::string("BtoA"));
        QCOMPARE(back.toJson(), custom.toJson());
        QCOMPARE(panel.preset(), QString(TrainOptionsForm::kCustom));  // ngf 24 is no preset's
        // Editing a field a preset sets, so that it no longer matches, shows Custom.
        panel.setPreset("tiny");
        auto* epochs = panel.findChild<QSpinBox*>("n_epochs");
        QVERIFY(epochs);
        epochs->setValue(epochs->value() + 5);
        QCOMPARE(panel.preset(), QString(TrainOptionsForm::kCustom));
        QVERIFY(matchingPreset(panel.options()) == nullptr);
    }

    // Issue 17 defect 3: after a scan the direction that makes photos is preselected, with the reason in a line
    // beside the Direction control (which sits with the folder, not below the options).
    void theDirectionThatMakesPhotosIsPreselected_data() {
        QTest::addColumn<QString>("set");
        QTest::addColumn<QString>("expected");
        QTest::newRow("facades (photo|label)") << "facades" << "BtoA";
        QTest::newRow("mirrored (label|photo)") << "mirrored" << "AtoB";
    }
    void theDirectionThatMakesPhotosIsPreselected() {
        QFETCH(QString, set);
        QFETCH(QString, expected);
        P2P_REQUIRE_SHARED(facades, "data/facades");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string root =
            set == "facades" ? facades : writeMirroredFacades(facades, dir.filePath("mirrored"), 6);
        QVERIFY(!root.empty());
        QSettings settings(dir.filePath("studio.ini"), QSettings::IniFormat);  // no choices from elsewhere
        TrainingPanel panel(nullptr, &settings);
        auto* box = panel.findChild<QComboBox*>("direction");
        QVERIFY(box);
        QVERIFY(panel.datasetGroup()->isAncestorOf(box));
        panel.optionsForm()->setDirection(expected == "BtoA" ? "AtoB" : "BtoA");  // the other one first
        QSignalSpy scanned(panel.datasetGroup(), &DatasetGroup::scanFinished);
        panel.setDatasetFolder(QString::fromStdString(root));
        QVERIFY(scanned.wait(kTimeoutMs));
        const DatasetScanResult& scan = panel.lastScan();
        QCOMPARE(scan.guessedDirection, expected);
        QCOMPARE(QString::fromStdString(panel.options().direction), expected);
        QCOMPARE(box->currentData().toString(), expected);
        const QString note = panel.datasetGroup()->directionNote();
        QVERIFY2(note.contains(scan.directionReason) && note.contains("makes photos"), qPrintable(note));
        QVERIFY(panel.findChild<QLabel*>("directionNote")->isVisibleTo(&panel));
        // Still the user's to change.
        box->setCurrentIndex(box->findData(expected == "BtoA" ? "AtoB" : "BtoA"));
        QVERIFY(QString::fromStdString(panel.options().direction) != expected);
    }

    void aDirectionChosenByHandIsNotOverridden() {
        P2P_REQUIRE_SHARED(facades, "data/facades");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString folder = QString::fromStdString(facades);
        QSettings settings(dir.filePath("studio.ini"), QSettings::IniFormat);
        {
            TrainingPanel panel(nullptr, &settings);
            QSignalSpy scanned(panel.datasetGroup(), &DatasetGroup::scanFinished);
            panel.setDatasetFolder(folder);
            QVERIFY(scanned.wait(kTimeoutMs));
            QCOMPARE(panel.options().direction, std::string("BtoA"));
            auto* box = panel.findChild<QComboBox*>("direction");
            box->setCurrentIndex(box->findData("AtoB"));  // the user
            QVERIFY2(panel.datasetGroup()->directionNote().contains("your choice"),
                     qPrintable(panel.datasetGroup()->directionNote()));
            panel.setDatasetFolder(folder);  // a rescan
            QVERIFY(scanned.wait(kTimeoutMs));
            QCOMPARE(panel.options().direction, std::string("AtoB"));
            const QString note = panel.datasetGroup()->directionNote();
            QVERIFY2(note.contains("your choice") && note.contains("suggests B → A"), qPrintable(note));

            // The choice is this folder's: another photo|label folder still gets its guess.
            const QString copy = dir.filePath("copy");
            QVERIFY(QDir().mkpath(copy + "/train"));
            for (int i = 1; i <= 4; ++i)
                QVERIFY(QFile::copy(QString("%1/train/%2.jpg").arg(folder).arg(i),
                                    QString("%1/train/%2.jpg").arg(copy).arg(i)));
            panel.setDatasetFolder(copy);
            QVERIFY(scanned.wait(kTimeoutMs));
            QCOMPARE(panel.options().direction, std::string("BtoA"));
        }
        // And it outlasts a restart.
        TrainingPanel panel(nullptr, &settings);
        QSignalSpy scanned(panel.datasetGroup(), &DatasetGroup::scanFinished);
        panel.setDatasetFolder(folder);
        QVERIFY(scanned.wait(kTimeoutMs));
        QCOMPARE(panel.options().direction, std::string("AtoB"));
    }

    // Issue 17 defect 2: docked beside the canvas (about 40% of a 1240×760 window) the panel is a column with
    // the settings above the monitor, and the Direction is in view without scrolling; wide, side by side.
    void theDirectionIsInViewInANarrowPanel_data() {
        QTest::addColumn<QSize>("size");
        QTest::addColumn<int>("orientation");
        QTest::newRow("docked at 40% of 1240x760") << QSize(496, 680) << int(Qt::Vertical);
        QTest::newRow("floating, wide") << QSize(1300, 600) << int(Qt::Horizontal);
    }
    void theDirectionIsInViewInANarrowPanel() {
        QFETCH(QSize, size);
        QFETCH(int, orientation);
        QTemporaryDir dir;
        QSettings settings(dir.filePath("studio.ini"), QSettings::IniFormat);
        TrainingPanel panel(nullptr, &settings);
        panel.resize(size);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QCOMPARE(int(panel.findChild<QSplitter*>()->orientation()), orientation);
        QVERIFY(panel.width() <= size.width());  // its minimum fits
        auto* box = panel.findChild<QComboBox*>("direction");
        QVERIFY(box);
        QScrollArea* scroll = nullptr;  // the settings' scroll area, the one that holds the box
        for (QWidget* w = box->parentWidget(); w && !scroll; w = w->parentWidget())
            scroll = qobject_cast<QScrollArea*>(w);
        QVERIFY(scroll);
        const QRect inViewport(box->mapTo(scroll->viewport(), QPoint(0, 0)), box->size());
        QVERIFY2(scroll->viewport()->rect().contains(inViewport),
                 qPrintable(QString("direction at %1,%2 in a %3x%4 viewport")
                                .arg(inViewport.x()).arg(inViewport.y())
                                .arg(scroll->viewport()->width()).arg(scroll->viewport()->height())));
        // The monitor keeps room for its tabs.
        QVERIFY(panel.monitor()->height() >= 200);
    }

    void thePresetIsRememberedByName() {
        QTemporaryDir dir;
        QSettings settings(dir.filePath("studio.ini"), QSettings::IniFormat);
        {
            TrainingPanel panel(nullptr, &settings);
            QCOMPARE(panel.preset(), QString("tiny"));  // the first time
            panel.setPreset("studio");
        }
        QCOMPARE(settings.value("training/preset").toString(), QString("studio"));
        {
            TrainingPanel panel(nullptr, &settings);
            QCOMPARE(panel.preset(), QString("studio"));
            QVERIFY(trainPreset("studio").matches(panel.options()));
        }
        // Settings from before the presets moved to core kept the old box's index (Tiny, Standard, Custom).
        settings.setValue("training/preset", 1);
        {
            TrainingPanel panel(nullptr, &settings);
            QCOMPARE(panel.preset(), QString("paper"));
        }
        settings.setValue("training/preset", 2);
        {
            TrainingPanel panel(nullptr, &settings);
            QCOMPARE(panel.preset(), QString(TrainOptionsForm::kCustom));
        }
    }

    void wheelOverUnfocusedSettingsScrollsInstead() {
        // Scrolling through the form over the preset box must not switch presets on the way.
        TrainingPanel panel;
        panel.resize(1200, 400);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.setPreset("tiny");
        QComboBox* presetBox = nullptr;
        for (QComboBox* box : panel.findChildren<QComboBox*>())
            if (box->findData("tiny") >= 0) presetBox = box;
        QVERIFY(presetBox);
        QVERIFY(!presetBox->hasFocus());
        const QPointF at(5, 5);
        QWheelEvent wheel(at, presetBox->mapToGlobal(at), QPoint(), QPoint(0, -120), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(presetBox, &wheel);
        QCOMPARE(panel.preset(), QString("tiny"));
        QCOMPARE(panel.options().netG, std::string("unet_128"));
    }

    void panelTrainsShowsTheViewsAndClosesCleanly() {
        QTemporaryDir dir;
        const std::string root = writeSet(dir, 3);
        TrainingPanel panel;
        panel.resize(1400, 900);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QSignalSpy scanned(panel.findChild<DatasetScanner*>(), &DatasetScanner::finished);
        panel.setDatasetFolder(QString::fromStdString(root));
        QVERIFY(scanned.wait(kTimeoutMs));
        panel.setPreset(TrainOptionsForm::kCustom);
        TrainOptions o = tinyOptions(root, dir.filePath("run").toStdString());
        o.n_epochs = 200;
        o.sample_freq = 1;
        panel.setOptions(o);
        panel.setRunFolder(dir.filePath("run"));

        QSignalSpy active(&panel, &TrainingPanel::trainingActiveChanged);
        QSignalSpy samples(panel.controller(), &TrainingController::sampleReady);
        QVERIFY2(panel.startTraining(), qPrintable(panel.errorText()));
        QVERIFY(panel.isTraining());
        QTRY_VERIFY_WITH_TIMEOUT(samples.count() >= 2, kTimeoutMs);

        // Loss curves arrive in batches on the chart's timer.
        QTRY_VERIFY_WITH_TIMEOUT(panel.lossChart()->samplesShown() >= 2, kTimeoutMs);
        // The samples' caption names the pair as such, not as a bare number (issue 17).
        const auto sample = samples.last().at(0).value<TrainingSampleImages>();
        QVERIFY(!sample.name.isEmpty());
        QVERIFY2(TrainingMonitor::samplesCaptionText(sample).endsWith(" · pair " + sample.name),
                 qPrintable(TrainingMonitor::samplesCaptionText(sample)));

        // Pause and resume are written to the log, once each (issue 17).
        auto* logView = panel.monitor()->findChild<QPlainTextEdit*>();
        QVERIFY(logView);
        const auto button = [&panel](const QString& text) {
            for (QPushButton* b : panel.findChildren<QPushButton*>())
                if (b->text() == text) return b;
            return static_cast<QPushButton*>(nullptr);
        };
        button("Pause")->click();
        QTRY_VERIFY_WITH_TIMEOUT(panel.controller()->isPaused(), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(logView->toPlainText().contains("paused at iteration "), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(button("Resume")->isEnabled(), kTimeoutMs);
        button("Resume")->click();
        QTRY_VERIFY_WITH_TIMEOUT(logView->toPlainText().contains("resumed at iteration "), kTimeoutMs);
        QCOMPARE(logView->toPlainText().count("paused at iteration "), 1);
        QCOMPARE(logView->toPlainText().count("resumed at iteration "), 1);

        // Heatmaps of the newest sample, on the sample's images, with cells mapped to pixels.
        HeatmapView* real = panel.realHeatmap();
        HeatmapView* fake = panel.fakeHeatmap();
        QCOMPARE(real->mapRows(), 14);
        QCOMPARE(fake->mapCols(), 14);
        QVERIFY(real->fieldKnown());
        QVERIFY(fake->fieldKnown());
        QCOMPARE(real->image().size(), QSize(128, 128));
        // Cell (13, 13) at 128: [8*13 - 23, 8*13 + 46] = [81, 150], clipped to [81, 127].
        QCOMPARE(real->cellField(13, 13), QRect(QPoint(81, 81), QPoint(127, 127)));
        // Hovering a cell in one view mirrors it in the other.
        panel.findChild<QTabWidget*>()->setCurrentIndex(2);
        QTRY_VERIFY(real->isVisible());
        QTest::mouseMove(real, real->cellRectInWidget(4, 9).center().toPoint());
        QTRY_COMPARE(real->hoveredRow(), 4);
        QCOMPARE(real->hoveredCol(), 9);
        QCOMPARE(fake->hoveredRow(), 4);
        QCOMPARE(fake->hoveredCol(), 9);

        // Closing while training asks, then stops and saves.
        answerNextMessageBox(QMessageBox::Yes);
        QVERIFY(panel.confirmClose());
        QVERIFY(!panel.isTraining());
        QVERIFY(QFile::exists(dir.filePath("run/checkpoints/latest.ckpt")));
        QVERIFY(active.count() >= 2);
        QCOMPARE(active.last().at(0).toBool(), false);
        // The next Start makes a new run folder instead of refusing this used one.
        QTRY_VERIFY_WITH_TIMEOUT(panel.options().run_dir.empty(), kTimeoutMs);

        // "Use in studio" hands over the model the stop exported.
        QSignalSpy use(&panel, &TrainingPanel::useModelRequested);
        auto buttons = panel.findChildren<QPushButton*>();
        QPushButton* useButton = nullptr;
        for (QPushButton* b : buttons)
            if (b->text() == "Use in studio") useButton = b;
        QVERIFY(useButton);
        QVERIFY(useButton->isEnabled());
        useButton->click();
        QCOMPARE(use.count(), 1);
        QCOMPARE(use.first().at(0).toString(), dir.filePath("run/model.p2pm"));
        QVERIFY(panel.confirmClose());  // nothing running: closes without asking
    }

    void closingCanBeCancelled() {
        QTemporaryDir dir;
        const std::string root = writeSet(dir, 3);
        TrainingPanel panel;
        QSignalSpy scanned(panel.findChild<DatasetScanner*>(), &DatasetScanner::finished);
        panel.setDatasetFolder(QString::fromStdString(root));
        QVERIFY(scanned.wait(kTimeoutMs));
        panel.setPreset(TrainOptionsForm::kCustom);
        TrainOptions o = tinyOptions(root, dir.filePath("run").toStdString());
        o.n_epochs = 200;
        panel.setOptions(o);
        panel.setRunFolder(dir.filePath("run"));
        QVERIFY(panel.startTraining());
        answerNextMessageBox(QMessageBox::Cancel);
        QVERIFY(!panel.confirmClose());
        QVERIFY(panel.isTraining());
        panel.controller()->stop();
        QVERIFY(panel.controller()->waitForFinished(kTimeoutMs));
        QVERIFY(!panel.isTraining());
    }

    void useInStudioExportsTheNewestCheckpointWhileRunning() {
        QTemporaryDir dir;
        TrainOptions o = tinyOptions(writeSet(dir, 3), dir.filePath("run").toStdString());
        o.n_epochs = 200;
        o.save_latest_freq = 2;
        TrainingController controller;
        QSignalSpy checkpoints(&controller, &TrainingController::checkpointSaved);
        QSignalSpy exported(&controller, &TrainingController::modelExported);
        QVERIFY(!controller.exportLatestCheckpoint());  // nothing yet
        QVERIFY(controller.start(o));
        QTRY_VERIFY_WITH_TIMEOUT(checkpoints.count() >= 1, kTimeoutMs);
        QVERIFY(controller.exportLatestCheckpoint());
        QVERIFY(exported.wait(kTimeoutMs));
        const QString model = exported.first().at(0).toString();
        QVERIFY(model.endsWith("model-latest.p2pm"));
        QVERIFY(QFile::exists(model));
        QVERIFY(controller.isRunning());  // exporting did not disturb the run
        controller.stop();
        QVERIFY(controller.waitForFinished(kTimeoutMs));
    }

    // Issue 16: after a run, "Evaluate on test split" scores its newest model on the test pairs beside the training
    // pairs, in the background, and shows the scores and the grid in the Evaluation tab.
    void evaluateOnTestSplitShowsTheScores() {
        QTemporaryDir dir;
        const std::string root = writeSet(dir, 3);
        test::writeTinyAlignedSet(root + "/test", 2, 128, 5);
        TrainingPanel panel;
        QSignalSpy scanned(panel.findChild<DatasetScanner*>(), &DatasetScanner::finished);
        panel.setDatasetFolder(QString::fromStdString(root));
        QVERIFY(scanned.wait(kTimeoutMs));
        TrainOptions o = tinyOptions(root, dir.filePath("run").toStdString());
        o.direction = "BtoA";
        o.n_epochs_decay = 0;
        panel.setOptions(o);
        panel.setRunFolder(dir.filePath("run"));
        QPushButton* evaluate = nullptr;
        for (QPushButton* b : panel.findChildren<QPushButton*>())
            if (b->text() == "Evaluate on test split") evaluate = b;
        QVERIFY(evaluate);
        QVERIFY(!evaluate->isEnabled());  // no run yet
        QVERIFY(!panel.evaluateRun());

        QSignalSpy trained(panel.controller(), &TrainingController::finished);
        QVERIFY2(panel.startTraining(), qPrintable(panel.errorText()));
        QVERIFY(trained.wait(kTimeoutMs));
        QCOMPARE(trained.last().at(0).value<TrainingState>(), TrainingState::Finished);
        QCOMPARE(panel.evaluationRunDir(), dir.filePath("run"));
        QVERIFY(evaluate->isEnabled());

        QSignalSpy evaluated(panel.evaluationController(), &EvaluationController::finished);
        QSignalSpy failed(panel.evaluationController(), &EvaluationController::failed);
        evaluate->click();
        QVERIFY(!evaluate->isEnabled());  // one at a time
        QVERIFY(evaluated.wait(kTimeoutMs));
        QCOMPARE(failed.count(), 0);
        const auto report = evaluated.first().at(0).value<EvalReport>();
        QCOMPARE(report.split, std::string("test"));
        QCOMPARE(report.direction, std::string("BtoA"));  // the run's, from its model
        QCOMPARE(int(report.pairs.size()), 2);
        QCOMPARE(QString::fromStdString(report.model_path),
                 QString::fromStdString(RunFolder(o.run_dir).newestModel()));
        EvaluationView* view = panel.monitor()->evaluationView();
        QCOMPARE(panel.findChild<QTabWidget*>()->currentWidget(), view);
        QCOMPARE(view->scores(), EvaluationView::scoresText(report));
        QCOMPARE(view->grid().size(), QSize(3 * 128, 2 * 128));
        QVERIFY(evaluate->isEnabled());
    }

    // Issue 21: a run started in the panel and continued with Resume run… computes as it started, whatever the
    // panel shows now: the compute threads, the device and the fast path come back from the run folder.
    void resumeRunRestoresTheSavedNumericsSettings() {
        QTemporaryDir dir;
        const std::string root = writeSet(dir, 3);
        const QString runDir = dir.filePath("run");
        TrainOptions o = tinyOptions(root, runDir.toStdString());
        o.n_epochs = 200;
        o.sample_freq = 0;
        o.compute_threads = 1;  // not the default (one per core)
        o.fast_path = false;    // not the default either
        trainInPanelAndStop(root, runDir, o, 2);
        if (QTest::currentTestFailed()) return;

        // A later session: the panel's controls say something else.
        TrainingPanel panel;
        TrainOptions shown = o;
        shown.compute_threads = 0;
        shown.fast_path = true;
        shown.device = p2p::Device::automatic();
        panel.setOptions(shown);
        QCOMPARE(panel.options().compute_threads, 0);
        auto threadsOnTrainingThread = std::make_shared<std::atomic<int>>(-1);
        panel.controller()->setTrainerSetup(
            [threadsOnTrainingThread](Trainer&) { *threadsOnTrainingThread = p2p::intraOpThreads(); });
        QSignalSpy started(panel.controller(), &TrainingController::started);
        QSignalSpy messages(panel.controller(), &TrainingController::message);
        QVERIFY(panel.resumeRun(runDir));
        QVERIFY(started.wait(kTimeoutMs));
        const auto resumedWith = started.first().at(2).value<TrainOptions>();
        QCOMPARE(resumedWith.compute_threads, 1);
        QCOMPARE(resumedWith.fast_path, false);
        QCOMPARE(resumedWith.device.str(), std::string("cpu"));
        // The panel shows what the resumed run uses, and the training thread computes with it.
        QCOMPARE(panel.options().compute_threads, 1);
        QCOMPARE(panel.options().fast_path, false);
        QCOMPARE(panel.options().device.str(), std::string("cpu"));
        QCOMPARE(threadsOnTrainingThread->load(), 1);
        for (const auto& m : messages) QVERIFY2(!m.at(0).toString().contains("bit-identical"), qPrintable(m.at(0).toString()));
        panel.controller()->stop();
        QVERIFY(panel.controller()->waitForFinished(kTimeoutMs));
    }

    void resumeRunOntoDataThatMoved() {
        QTemporaryDir dir;
        const std::string root = writeSet(dir, 3);
        const QString runDir = dir.filePath("run");
        TrainOptions o = tinyOptions(root, runDir.toStdString());
        o.n_epochs = 200;
        o.sample_freq = 0;
        trainInPanelAndStop(root, runDir, o, 1);
        if (QTest::currentTestFailed()) return;
        QCOMPARE(TrainingPanel::recordedDataFolder(runDir), QString::fromStdString(root));
        const QString moved = dir.filePath("moved data");
        QVERIFY(QDir().rename(QString::fromStdString(root), moved));

        TrainingPanel panel;
        // As saved: the data is gone, and the failure says how to go on.
        QSignalSpy failed(panel.controller(), &TrainingController::failed);
        QVERIFY(panel.resumeRun(runDir));
        QVERIFY(panel.controller()->waitForFinished(kTimeoutMs));
        QVERIFY(!failed.isEmpty());
        QVERIFY2(failed.first().at(0).toString().contains("--data"), qPrintable(failed.first().at(0).toString()));
        // With the data's new place (what Resume run… asks for when the recorded folder is gone).
        QSignalSpy started(panel.controller(), &TrainingController::started);
        QSignalSpy messages(panel.controller(), &TrainingController::message);
        QVERIFY(panel.resumeRun(runDir, moved));
        QVERIFY(started.wait(kTimeoutMs));
        QCOMPARE(QString::fromStdString(started.first().at(2).value<TrainOptions>().dataroot), moved);
        bool logged = false;
        for (const auto& m : messages) logged = logged || m.at(0).toString().contains("override: dataroot");
        QVERIFY(logged);
        panel.controller()->stop();
        QVERIFY(panel.controller()->waitForFinished(kTimeoutMs));
    }
};

QTEST_MAIN(TestTrainingPanel)
#include "test_training_panel.moc"
