// The training panel's "Paired folder" group: a folder is scanned on a pool thread and what the scan found
// shows (layout, pairs per split, the split that trains, skipped files); a folder that cannot train says why;
// the sample pair follows the direction; showing a run's pair_resize does not rescan.

#include <QtTest/QtTest>

#include <QCheckBox>
#include <QDir>
#include <QLabel>
#include <QTemporaryDir>
#include <QTreeWidget>

#include <opencv2/imgcodecs.hpp>

#include "tests/support/test_support.h"
#include "ui/training/dataset_group.h"
#include "ui/training/image_pane.h"

using namespace p2p;
using namespace p2p::ui;

namespace {

constexpr int kTimeoutMs = 60000;

// A/ and B/ with the same names: B is A darkened, so the halves differ.
void writeTwoFolders(const QString& root, int count) {
    QDir().mkpath(root + "/A");
    QDir().mkpath(root + "/B");
    for (int i = 0; i < count; ++i) {
        const cv::Mat a(48, 64, CV_8UC3, cv::Scalar(200, 40 * i, 90));
        cv::imwrite(QString("%1/A/%2.png").arg(root).arg(i).toStdString(), a);
        cv::imwrite(QString("%1/B/%2.png").arg(root).arg(i).toStdString(), a / 2);
    }
}

}  // namespace

class TestDatasetGroup : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        test::writeTinyAlignedSet(dir_.filePath("split/train").toStdString(), 3, 64, 1);
        test::writeTinyAlignedSet(dir_.filePath("split/test").toStdString(), 2, 64, 2);
        test::writeTinyAlignedSet(dir_.filePath("flat").toStdString(), 4, 64, 3);
        writeTwoFolders(dir_.filePath("two"), 2);
        test::writeTinyAlignedSet(dir_.filePath("testonly/test").toStdString(), 2, 64, 4);
        QDir().mkpath(dir_.filePath("empty"));
    }

    void scansAndSaysWhatItFound_data() {
        QTest::addColumn<QString>("folder");
        QTest::addColumn<bool>("ready");
        QTest::addColumn<QStringList>("summaryParts");  // ready: in the summary; else: in the problem
        QTest::newRow("train and test splits")
            << "split" << true
            << QStringList{"<b>Aligned</b>", "test <b>2</b>", "train <b>3</b>",
                           "Trains on <b>train</b> (3 pairs)"};
        QTest::newRow("no split folders")
            << "flat" << true << QStringList{"unsplit <b>4</b>", "Trains on <b>all pairs</b> (4 pairs)"};
        QTest::newRow("A/ and B/") << "two" << true
                                   << QStringList{"<b>Two folders</b>", "Pair sizes: 64x48 (2)"};
        // Once a crash: the GUI thread asked the scan for its train split, which throws when there is none.
        QTest::newRow("a test split only")
            << "testonly" << false << QStringList{"no train split", "found: test"};
        QTest::newRow("an empty folder") << "empty" << false << QStringList{"empty"};
        QTest::newRow("a missing folder") << "missing" << false << QStringList{"missing"};
    }
    void scansAndSaysWhatItFound() {
        QFETCH(QString, folder);
        QFETCH(bool, ready);
        QFETCH(QStringList, summaryParts);
        DatasetGroup group;
        QSignalSpy started(&group, &DatasetGroup::scanStarted);
        QSignalSpy finished(&group, &DatasetGroup::scanFinished);
        const QString path = dir_.filePath(folder);
        group.setFolder(path);
        QCOMPARE(started.count(), 1);
        QCOMPARE(started.first().at(0).toString(), path);
        QCOMPARE(group.folder(), path);
        QVERIFY(!group.isReady());  // until the scan says so
        QVERIFY(finished.wait(kTimeoutMs));
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.first().at(0).toBool(), ready);
        QCOMPARE(group.isReady(), ready);
        const QString problem = finished.first().at(1).toString();
        const QString summary = group.findChild<QLabel*>("scanSummary")->text();
        for (const QString& part : summaryParts)
            QVERIFY2((ready ? summary : problem).contains(part), qPrintable(ready ? summary : problem));
        if (ready) {
            QVERIFY(problem.isEmpty());
            QCOMPARE(summary, DatasetGroup::summaryHtml(group.lastScan().scan, {}));
        } else {
            QVERIFY2(problem.contains(folder), qPrintable(problem));
        }
    }

    // Issue 17: a folder with no files said "layout found: aligned"; aligned is only the fallback.
    void anEmptyFolderClaimsNoLayout() {
        DatasetGroup group;
        QSignalSpy finished(&group, &DatasetGroup::scanFinished);
        group.setFolder(dir_.filePath("empty"));
        QVERIFY(finished.wait(kTimeoutMs));
        const QString problem = finished.first().at(1).toString();
        QVERIFY2(problem.contains("has no image files"), qPrintable(problem));
        QVERIFY2(!problem.contains("layout found"), qPrintable(problem));
        QVERIFY2(!problem.contains("aligned (A|B"), qPrintable(problem));
    }

    // The scan guesses which direction makes photos on the pool thread; the group shows the line it is given.
    void theScanGuessesTheDirection() {
        P2P_REQUIRE_SHARED(facades, "data/facades");
        DatasetGroup group;
        QSignalSpy finished(&group, &DatasetGroup::scanFinished);
        group.setFolder(QString::fromStdString(facades));
        QVERIFY(finished.wait(kTimeoutMs));
        QCOMPARE(group.lastScan().guessedDirection, QString("BtoA"));
        QVERIFY2(group.lastScan().directionReason.contains("label map"), qPrintable(group.lastScan().directionReason));
        auto* note = group.findChild<QLabel*>("directionNote");
        QVERIFY(!note->isVisibleTo(&group));
        group.setDirectionNote("why");
        QVERIFY(note->isVisibleTo(&group));
        QCOMPARE(group.directionNote(), QString("why"));
        group.setFolder(dir_.filePath("flat"));  // a new scan forgets the old line
        QVERIFY(!note->isVisibleTo(&group));
        QVERIFY(finished.wait(kTimeoutMs));
    }

    void theSampleFollowsTheDirection() {
        DatasetGroup group;
        QSignalSpy finished(&group, &DatasetGroup::scanFinished);
        group.setFolder(dir_.filePath("two"));
        QVERIFY(finished.wait(kTimeoutMs));
        const auto panes = group.findChildren<ImagePane*>();
        QCOMPARE(panes.size(), 2);
        const DatasetScanResult& scan = group.lastScan();
        QVERIFY(!scan.sampleA.isNull());
        QVERIFY(scan.sampleA != scan.sampleB);
        QCOMPARE(panes[0]->image(), scan.sampleA);
        QCOMPARE(panes[1]->image(), scan.sampleB);
        group.setDirection("BtoA");
        QCOMPARE(panes[0]->image(), scan.sampleB);
        QCOMPARE(panes[1]->image(), scan.sampleA);
        group.setDirection("AtoB");
        QCOMPARE(panes[0]->image(), scan.sampleA);
    }

    void skippedFilesAreListedWithTheirReasons() {
        const QString root = dir_.filePath("broken");
        test::writeTinyAlignedSet((root + "/train").toStdString(), 2, 64, 5);
        QFile bad(root + "/train/broken.png");
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("not a png");
        bad.close();
        DatasetGroup group;
        QSignalSpy finished(&group, &DatasetGroup::scanFinished);
        group.setFolder(root);
        QVERIFY(finished.wait(kTimeoutMs));
        QVERIFY(group.isReady());
        auto* list = group.findChild<QTreeWidget*>("skippedList");
        QCOMPARE(list->topLevelItemCount(), 1);
        QCOMPARE(list->topLevelItem(0)->text(0), QString("broken.png"));
        QCOMPARE(list->topLevelItem(0)->text(1),
                 QString::fromStdString(group.lastScan().scan.skipped.front().reason));
        QVERIFY(list->isVisibleTo(&group));
    }

    void pairResizeRescansOnlyWhenTheUserTogglesIt() {
        DatasetGroup group;
        QSignalSpy started(&group, &DatasetGroup::scanStarted);
        QSignalSpy finished(&group, &DatasetGroup::scanFinished);
        group.setFolder(dir_.filePath("two"));
        QVERIFY(finished.wait(kTimeoutMs));
        group.setPairResize(true);  // showing a run's options
        QVERIFY(group.pairResize());
        QCOMPARE(started.count(), 1);
        group.findChild<QCheckBox*>("pairResize")->setChecked(false);  // the user
        QCOMPARE(started.count(), 2);
        QVERIFY(finished.wait(kTimeoutMs));
        QVERIFY(!group.pairResize());
    }

    void theSummaryFollowsTheTransform() {
        DatasetGroup group;
        QSignalSpy finished(&group, &DatasetGroup::scanFinished);
        group.setFolder(dir_.filePath("two"));  // 64x48 pairs: not square
        QVERIFY(finished.wait(kTimeoutMs));
        TransformOptions squash;
        squash.preprocess = Preprocess::ResizeAndCrop;
        group.setTransformOptions(squash);
        const QString summary = group.findChild<QLabel*>("scanSummary")->text();
        QCOMPARE(summary, DatasetGroup::summaryHtml(group.lastScan().scan, squash));
        QVERIFY2(summary.contains("not square"), qPrintable(summary));
        TransformOptions none;
        none.preprocess = Preprocess::None;
        group.setTransformOptions(none);
        QCOMPARE(group.findChild<QLabel*>("scanSummary")->text(),
                 DatasetGroup::summaryHtml(group.lastScan().scan, none));
    }
};

QTEST_MAIN(TestDatasetGroup)
#include "test_dataset_group.moc"
