// Model ▸ Recent runs: the run folders the training panel writes, found without reading a model (fake files
// with set dates suffice): only runs with a model, each with its newest model, newest first, named as the
// panel names them.

#include <QtTest/QtTest>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include "core/train/run_folder.h"
#include "ui/recent_runs.h"

using namespace p2p;
using namespace p2p::ui;

namespace {

// A file with `bytes` and the given modification time.
bool writeFile(const QString& path, const QDateTime& modified, const QByteArray& bytes = "x") {
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) return false;
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size()) return false;
    f.close();
    if (!f.open(QIODevice::ReadWrite)) return false;
    return f.setFileTime(modified, QFileDevice::FileModificationTime);
}

}  // namespace

class TestRecentRuns : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void findsRunsWithAModelNewestFirst() {
        QTemporaryDir runs;
        QVERIFY(runs.isValid());
        const QDateTime t0 = QDateTime::currentDateTime().addDays(-3);
        const QDir dir(runs.path());
        // A finished run: model.p2pm.
        QVERIFY(writeFile(dir.filePath("facades-20240101-100000/model.p2pm"), t0));
        // A run stopped after a checkpoint, with options.json: its latest.ckpt, and a summary.
        const QString stopped = dir.filePath("edges-20240102-090000");
        QVERIFY(writeFile(stopped + "/checkpoints/latest.ckpt", t0.addSecs(7200)));
        TrainOptions options;
        options.dataroot = "/data/facade_edges";
        options.direction = "AtoB";
        options.netG = "unet_128";
        options.n_epochs = 3;
        options.n_epochs_decay = 2;
        RunFolder(stopped.toStdString()).writeOptions(options);
        // A finished run exported again later: the newer of model.p2pm and latest.ckpt.
        const QString both = dir.filePath("mine-20240103-120000");
        QVERIFY(writeFile(both + "/model.p2pm", t0.addSecs(3600)));
        QVERIFY(writeFile(both + "/checkpoints/latest.ckpt", t0.addSecs(600)));
        // Not runs the menu can load: no model yet, a stray file, an empty folder.
        QVERIFY(writeFile(dir.filePath("started-20240104-080000/options.json"), t0.addSecs(9000), "{}"));
        QVERIFY(writeFile(dir.filePath("notes.txt"), t0.addSecs(9500)));
        QVERIFY(dir.mkpath("empty"));

        const QVector<RecentRun> found = findRecentRuns(runs.path());
        QCOMPARE(found.size(), 3);
        QCOMPARE(found[0].name, QStringLiteral("edges-20240102-090000"));
        QCOMPARE(found[0].model, QDir(stopped).filePath("checkpoints/latest.ckpt"));
        QCOMPARE(found[0].date.toSecsSinceEpoch(), t0.addSecs(7200).toSecsSinceEpoch());
        QVERIFY2(found[0].summary.contains("facade_edges") && found[0].summary.contains("AtoB") &&
                     found[0].summary.contains("unet_128") && found[0].summary.contains("5 epochs"),
                 qPrintable(found[0].summary));
        QCOMPARE(found[1].name, QStringLiteral("mine-20240103-120000"));
        QCOMPARE(found[1].model, QDir(both).filePath("model.p2pm"));
        QCOMPARE(found[2].name, QStringLiteral("facades-20240101-100000"));
        QVERIFY(found[2].summary.isEmpty());  // no options.json: still listed

        // The menu's text names the run and its date.
        const QString text = recentRunText(found[0]);
        QVERIFY2(text.startsWith("edges-20240102-090000 — "), qPrintable(text));
        QVERIFY2(text.contains(QLocale().toString(found[0].date, QLocale::ShortFormat)), qPrintable(text));

        // At most `limit`, the newest kept.
        const QVector<RecentRun> two = findRecentRuns(runs.path(), 2);
        QCOMPARE(two.size(), 2);
        QCOMPARE(two[1].name, QStringLiteral("mine-20240103-120000"));
    }

    void aMissingFolderHasNoRuns() {
        QTemporaryDir runs;
        QVERIFY(findRecentRuns(QDir(runs.path()).filePath("never-trained")).isEmpty());
    }

    void theDefaultIsWhereThePanelTrains() {
        // TrainingPanel::defaultRunFolder(): <AppLocalDataLocation>/runs/<data>-<date>.
        QCOMPARE(
            defaultRunsDirectory(),
            QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)).filePath("runs"));
    }
};

QTEST_MAIN(TestRecentRuns)
#include "test_recent_runs.moc"
