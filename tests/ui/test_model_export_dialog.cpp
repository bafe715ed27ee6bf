// Model ▸ Export… in the studio: the loaded model leaves as .p2pm, ONNX or reference .pth, off the GUI
// thread; a bad destination is a message naming it, with no file left behind.

#include <QtTest/QtTest>

#include <QAction>
#include <QMenuBar>
#include <QTemporaryDir>

#include "core/io/model_io.h"
#include "tests/support/studio_test_support.h"
#include "tests/support/test_support.h"
#include "ui/main_window.h"
#include "ui/model_export_dialog.h"

using namespace p2p;
using namespace p2p::ui;

class TestModelExportDialog : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString model_;

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(dir_.isValid());
        torch::manual_seed(2);
        UnetGenerator g(test::tinyGeneratorOptions("unet_128"));
        SaveModelOptions o;
        o.name = "tiny";
        o.input_kind = "facade-labels";
        model_ = dir_.filePath(QStringLiteral("tiny.p2pm"));
        saveModel(model_.toStdString(), g, PatchDiscriminator{nullptr}, o);
    }

    void exportsEachFormat_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("says");
        QTest::newRow("onnx") << "tiny.onnx" << "ONNX opset";
        QTest::newRow("pth") << "tiny_net_G.pth" << "load_state_dict";
        QTest::newRow("p2pm") << "copy.p2pm" << "float32";
    }
    void exportsEachFormat() {
        QFETCH(QString, file);
        QFETCH(QString, says);
        ModelExporter exporter(nullptr);
        QSignalSpy done(&exporter, &ModelExporter::exported);
        QSignalSpy failed(&exporter, &ModelExporter::failed);
        const QString out = dir_.filePath(file);
        exporter.exportTo(model_, out, NormStats::Running);
        QVERIFY(QTest::qWaitFor([&] { return done.count() + failed.count() == 1; }, 60000));
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.at(0).at(0).toString()));
        QVERIFY2(done.at(0).at(0).toString().contains(says), qPrintable(done.at(0).at(0).toString()));
        QVERIFY(QFileInfo(out).size() > 0);
        if (file.endsWith(QStringLiteral(".p2pm")))  // loads back as the same model
            QCOMPARE(loadModel(out.toStdString()).info.name, std::string("tiny"));
    }

    void aBadDestinationIsAMessage() {
        ModelExporter exporter(nullptr);
        QSignalSpy failed(&exporter, &ModelExporter::failed);
        const QString blocked = model_ + QStringLiteral("/inside-a-file.onnx");  // below a file: cannot be created
        exporter.exportTo(model_, blocked, NormStats::Running);
        QVERIFY(QTest::qWaitFor([&] { return failed.count() == 1; }, 60000));
        QVERIFY2(failed.at(0).at(0).toString().contains(model_), qPrintable(failed.at(0).at(0).toString()));
        QVERIFY(!QFileInfo::exists(blocked));
    }

    void theModelMenuOffersExportOnceAModelIsLoaded() {
        MainWindow w(test::quietStudioOptions(dir_.filePath(QStringLiteral("studio.ini"))));
        QAction* exportAction = nullptr;
        for (QAction* a : w.findChildren<QAction*>())
            if (a->text().remove('&') == QStringLiteral("Export Model…")) exportAction = a;
        QVERIFY(exportAction);
        QVERIFY(!exportAction->isEnabled());
        QSignalSpy ready(&w, &MainWindow::modelReady);
        w.loadModel(model_);
        QVERIFY(QTest::qWaitFor([&] { return ready.count() == 1; }, 60000));
        QVERIFY(exportAction->isEnabled());
        QVERIFY(w.modelExporter());
    }
};

QTEST_MAIN(TestModelExportDialog)
#include "test_model_export_dialog.moc"
