// Issue 8: the bad-input corpus (tests/support/bad_inputs.h) through the studio, offscreen: File ▸ Open in
// both canvas modes, Load Model with broken model files, the training panel's dataset scan, and a training
// run on a folder that mixes valid and broken files. Each case gives a message naming the file and the reason
// (or opens with a note), and leaves the window as it was.

#include <QtTest/QtTest>

#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTreeWidget>

#include "core/train/train_options.h"
#include "tests/support/bad_inputs.h"
#include "tests/support/studio_test_support.h"
#include "ui/main_window.h"
#include "ui/training/dataset_scanner.h"
#include "ui/training/training_controller.h"
#include "ui/training/training_panel.h"
#include "ui/training/training_worker.h"
#include "tests/support/image_checks.h"

using namespace p2p;
using namespace p2p::ui;
using namespace p2p::test;

namespace {

constexpr int kTimeoutMs = 120000;

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

TrainOptions tinyOptions(const QString& data, const QString& run) {
    TrainOptions o;
    o.dataroot = data.toStdString();
    o.run_dir = run.toStdString();
    o.netG = "unet_128";
    o.ngf = 8;
    o.ndf = 8;
    o.preprocess = "resize_and_crop";
    o.load_size = 128;
    o.crop_size = 128;
    o.num_threads = 1;
    o.n_epochs = 1;
    o.n_epochs_decay = 0;
    o.device = p2p::Device::cpu();
    o.log_freq = 1;
    o.sample_freq = 0;
    o.save_latest_freq = 0;
    o.save_epoch_freq = 0;
    return o;
}

}  // namespace

class TestUiCorpus : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::vector<BadInput> corpus_ = badInputCorpus();
    QString mixed_;

    MainWindowOptions options() const { return test::quietStudioOptions(dir_.filePath(QStringLiteral("studio.ini"))); }
    const BadInput& row() {
        QFETCH(int, index);
        return corpus_.at(static_cast<size_t>(index));
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("pix2pix-studio-tests");
        QCoreApplication::setApplicationName("test_ui_corpus");
        registerTrainingMetaTypes();
        mixed_ = dir_.filePath("mixed");
        QVERIFY(QDir().mkpath(mixed_ + "/train"));
        for (int i = 0; i < 2; ++i)
            writeBytes((mixed_ + QString("/train/valid-%1.png").arg(i)).toStdString(), validPairPng(50 + i));
        for (const auto& c : corpus_) writeBytes((mixed_ + "/train/" + q(c.name)).toStdString(), c.bytes);
    }

    // File ▸ Open, in the label mode (label maps) and the sketch mode (photos and sketches).
    void openFile_data() {
        QTest::addColumn<int>("index");
        QTest::addColumn<bool>("edges");
        for (size_t i = 0; i < corpus_.size(); ++i) {
            QTest::addRow("%s, labels", corpus_[i].id.c_str()) << int(i) << false;
            QTest::addRow("%s, edges", corpus_[i].id.c_str()) << int(i) << true;
        }
    }
    void openFile() {
        const BadInput& c = row();
        QFETCH(bool, edges);
        const QString path = mixed_ + "/train/" + q(c.name);
        MainWindow w(options());
        if (edges) w.setMode(CanvasKind::Edges);
        const cv::Mat before = w.document()->image().clone();
        QSignalSpy errors(&w, &MainWindow::errorReported);
        const bool opened = w.openFile(path);
        if (c.opensAlone) {
            QVERIFY2(opened, qPrintable(w.lastError()));
            QCOMPARE(errors.count(), 0);
            const cv::Mat& image = w.document()->image();
            QCOMPARE(image.type(), CV_8UC3);
            QVERIFY(!image.empty());
            // In the sketch mode the loader's conversion note reaches the status bar (a palette PNG opens as
            // a label map whatever the mode, with its own note).
            if (edges && !c.note.empty())
                QVERIFY2(w.statusBar()->currentMessage().contains(q(c.note), Qt::CaseInsensitive),
                         qPrintable(w.statusBar()->currentMessage()));
        } else {
            QVERIFY(!opened);
            QCOMPARE(errors.count(), 1);
            const QString message = errors.at(0).at(0).toString();
            QVERIFY2(message.contains(path) && message.contains(q(c.reason)), qPrintable(message));
            QVERIFY(w.statusBar()->currentMessage().contains(q(c.name)));
            QVERIFY(identical(w.document()->image(), before));
        }
    }

    void openMissingFileAndFolder() {
        MainWindow w(options());
        const cv::Mat before = w.document()->image().clone();
        QSignalSpy errors(&w, &MainWindow::errorReported);
        QVERIFY(!w.openFile(dir_.filePath("does-not-exist.png")));
        QVERIFY(!w.openFile(mixed_));
        QCOMPARE(errors.count(), 2);
        QVERIFY2(errors.at(0).at(0).toString().contains("does-not-exist.png") &&
                     errors.at(0).at(0).toString().contains("does not exist"),
                 qPrintable(errors.at(0).at(0).toString()));
        QVERIFY2(errors.at(1).at(0).toString().contains("is a folder"),
                 qPrintable(errors.at(1).at(0).toString()));
        QVERIFY(identical(w.document()->image(), before));
    }

    // Load Model with broken files: a message naming the file, and no model.
    void loadBrokenModel_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("bytes");
        const QString corpus = QStringLiteral(P2P_SOURCE_DIR "/tools/fuzz/corpus/pth/");
        auto fromCorpus = [&](const char* file) {
            QFile f(corpus + file);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        QTest::newRow("zero bytes") << "empty.p2pm" << QByteArray();
        QTest::newRow("random bytes") << "random.p2pm" << QByteArray(5000, '\x5a');
        QTest::newRow("an image") << "image.pth"
                                  << QByteArray(reinterpret_cast<const char*>(validPairPng(1).data()),
                                                int(validPairPng(1).size()));
        QByteArray handbuilt = fromCorpus("handbuilt_p2.pth");
        QTest::newRow("truncated .pth") << "truncated.pth" << handbuilt.left(handbuilt.size() / 2);
        QTest::newRow("zip without data.pkl")
            << "nopickle.pth" << fromCorpus("malformed_zip_without_data_pkl.pth");
        QTest::newRow("forbidden global os.system")
            << "evil.pth" << fromCorpus("malformed_forbidden_os_system.pth");
        QTest::newRow("unknown opcode") << "opcode.pth" << fromCorpus("malformed_bad_opcode.pth");
    }
    void loadBrokenModel() {
        QFETCH(QString, name);
        QFETCH(QByteArray, bytes);
        const QString path = dir_.filePath("models/" + name);
        QDir().mkpath(dir_.filePath("models"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
        f.close();
        MainWindow w(options());
        QSignalSpy errors(&w, &MainWindow::errorReported);
        QSignalSpy ready(&w, &MainWindow::modelReady);
        w.loadModel(path);
        QVERIFY(errors.wait(kTimeoutMs));
        QCOMPARE(ready.count(), 0);
        QVERIFY(!w.hasModel());
        const QString message = errors.at(0).at(0).toString();
        QVERIFY2(message.contains(name), qPrintable(message));
    }

    // The training panel's folder scan: the valid pairs are found, each broken file is listed with its
    // reason.
    void panelScansTheMixedFolder() {
        TrainingPanel panel;
        auto* scanner = panel.findChild<DatasetScanner*>();
        QVERIFY(scanner);
        QSignalSpy scanned(scanner, &DatasetScanner::finished);
        panel.setDatasetFolder(mixed_);
        QVERIFY(scanned.wait(kTimeoutMs));
        QVERIFY2(panel.datasetReady(), qPrintable(panel.errorText()));
        auto* skipped = panel.findChild<QTreeWidget*>();
        QVERIFY(skipped);
        QStringList listed;
        for (int i = 0; i < skipped->topLevelItemCount(); ++i)
            listed << skipped->topLevelItem(i)->text(0) + " | " + skipped->topLevelItem(i)->text(1);
        for (const auto& c : corpus_) {
            if (c.inDataset != InDataset::RefusedByScan) continue;
            bool found = false;
            for (const QString& line : listed)
                found = found || (line.startsWith(q(c.name) + " | ") && line.contains(q(c.reason)));
            QVERIFY2(found, qPrintable(q(c.name) + " is not listed with its reason:\n" + listed.join('\n')));
        }
    }

    void panelNamesFolderProblems_data() {
        QTest::addColumn<QString>("kind");
        QTest::newRow("empty folder") << "empty";
        QTest::newRow("missing path") << "missing";
        QTest::newRow("every name unpaired") << "unpaired";
        QTest::newRow("only undecodable files") << "undecodable";
    }
    void panelNamesFolderProblems() {
        QFETCH(QString, kind);
        const QString root = dir_.filePath("panel-" + kind);
        if (kind == "empty") QVERIFY(QDir().mkpath(root));
        if (kind == "unpaired") {
            QDir().mkpath(root + "/A");
            QDir().mkpath(root + "/B");
            writeBytes((root + "/A/1.png").toStdString(), encodeImage(".png", noiseImage(16, 16)));
            writeBytes((root + "/B/2.png").toStdString(), encodeImage(".png", noiseImage(16, 16)));
        }
        if (kind == "undecodable") {
            QDir().mkpath(root + "/train");
            writeBytes((root + "/train/a.png").toStdString(), damagedPng());
        }
        TrainingPanel panel;
        QSignalSpy scanned(panel.findChild<DatasetScanner*>(), &DatasetScanner::finished);
        panel.setDatasetFolder(root);
        QVERIFY(scanned.wait(kTimeoutMs));
        if (kind == "undecodable") {
            // The header and length are fine, so the scan passes; the sample pair cannot be shown, and says why.
            QVERIFY(panel.datasetReady());
            QVERIFY2(panel.lastScan().sampleNote.contains("a.png") &&
                         panel.lastScan().sampleNote.contains("cannot decode"),
                     qPrintable(panel.lastScan().sampleNote));
            return;
        }
        QVERIFY(!panel.datasetReady());
        QVERIFY2(panel.errorText().contains(root), qPrintable(panel.errorText()));
        QVERIFY(!panel.startTraining());
    }

    // The studio's training: valid files in a broken folder still train; a folder with nothing decodable
    // fails with a message instead of finishing an empty run.
    void trainingSkipsBrokenFilesAndFinishes() {
        TrainingController controller;
        QSignalSpy finished(&controller, &TrainingController::finished);
        QSignalSpy messages(&controller, &TrainingController::message);
        QSignalSpy failed(&controller, &TrainingController::failed);
        QVERIFY(controller.start(tinyOptions(mixed_, dir_.filePath("studio-run"))));
        QVERIFY(finished.wait(kTimeoutMs));
        QCOMPARE(failed.count(), 0);
        QCOMPARE(finished.last().at(0).value<TrainingState>(), TrainingState::Finished);
        QStringList all;
        for (const auto& m : messages) all << m.at(0).toString();
        for (const auto& c : corpus_)
            if (c.inDataset == InDataset::RefusedOnLoad) {
                bool named = false;
                for (const QString& m : all)
                    named = named || (m.contains(q(c.name)) && m.contains(q(c.reason)));
                QVERIFY2(named, qPrintable(q(c.name) + " was not reported:\n" + all.join('\n')));
            }
        QVERIFY(QFileInfo::exists(dir_.filePath("studio-run/model.p2pm")));
    }

    void trainingOnNothingDecodableFails() {
        const QString root = dir_.filePath("nothing-decodable");
        QDir().mkpath(root + "/train");
        writeBytes((root + "/train/a.png").toStdString(), damagedPng());
        writeBytes((root + "/train/b.png").toStdString(), damagedPng());
        TrainingController controller;
        QSignalSpy finished(&controller, &TrainingController::finished);
        QSignalSpy failed(&controller, &TrainingController::failed);
        QVERIFY(controller.start(tinyOptions(root, dir_.filePath("nothing-run"))));
        QVERIFY(finished.wait(kTimeoutMs));
        QCOMPARE(failed.count(), 1);
        QVERIFY2(failed.first().at(0).toString().contains("none of the 2 training pairs"),
                 qPrintable(failed.first().at(0).toString()));
        QCOMPARE(finished.last().at(0).value<TrainingState>(), TrainingState::Failed);
    }
};

QTEST_MAIN(TestUiCorpus)
#include "test_ui_corpus.moc"
