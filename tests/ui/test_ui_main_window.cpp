// The studio window, non-interactive (no message boxes): files in and out, errors that leave the canvas as
// it was, the live preview with a real tiny model, settings that persist.

#include <QtTest/QtTest>

#include <QComboBox>
#include <QDockWidget>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QToolBar>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/infer/inference_engine.h"
#include "core/io/model_io.h"
#include "core/labels/palette.h"
#include "tests/support/studio_test_support.h"
#include "tests/support/test_support.h"
#include "ui/canvas/canvas_view.h"
#include "ui/dialogs/new_canvas_dialog.h"
#include "ui/image_convert.h"
#include "ui/main_window.h"
#include "ui/palette_widget.h"
#include "ui/preview/preview_view.h"
#include "ui/starter_examples.h"
#include "ui/window_geometry.h"
#include "tests/support/image_checks.h"

using namespace p2p;
using namespace p2p::ui;

using p2p::test::everyPixelIsAClass;
using p2p::test::identical;

namespace {

// A menu-bar menu by its title ("File"), and an action in it (or its submenus) by its text, without '&'.
QMenu* menuNamed(QMainWindow& w, const QString& title) {
    for (QAction* a : w.menuBar()->actions())
        if (a->menu() && a->text().remove(QLatin1Char('&')) == title) return a->menu();
    return nullptr;
}

QAction* actionNamed(QMenu* menu, const QString& text) {
    if (!menu) return nullptr;
    for (QAction* a : menu->actions()) {
        if (a->text().remove(QLatin1Char('&')) == text) return a;
        if (a->menu())
            if (QAction* inner = actionNamed(a->menu(), text)) return inner;
    }
    return nullptr;
}

QString statusFields(QMainWindow& w) {
    QStringList texts;
    for (QLabel* l : w.statusBar()->findChildren<QLabel*>()) texts << l->text();
    return texts.join(QLatin1Char('|'));
}

}  // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString modelPath_;

    MainWindowOptions options() const { return test::quietStudioOptions(dir_.filePath(QStringLiteral("studio.ini"))); }

    QString writeFile(const QString& name, const QByteArray& bytes) {
        const QString path = dir_.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly)) return {};
        f.write(bytes);
        return path;
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);  // the model catalog must not find the user's models
        QVERIFY(dir_.isValid());
        torch::manual_seed(3);
        UnetGenerator g(test::tinyGeneratorOptions("unet_128"));
        SaveModelOptions o;
        o.name = "tiny-facades";
        o.input_kind = "facade-labels";
        modelPath_ = dir_.filePath(QStringLiteral("tiny.p2pm"));
        saveModel(modelPath_.toStdString(), g, PatchDiscriminator{nullptr}, o);
    }

    void startsWithAFacadeOnABackgroundBorder() {
        MainWindow w(options());
        const cv::Mat& image = w.document()->image();
        QCOMPARE(image.size(), cv::Size(256, 256));
        const cv::Vec3b background = cmpClass(cmpClassId("background")).bgr();
        const cv::Vec3b facade = cmpClass(cmpClassId("facade")).bgr();
        QCOMPARE(image.at<cv::Vec3b>(0, 0), background);
        QCOMPARE(image.at<cv::Vec3b>(255, 255), background);
        QCOMPARE(image.at<cv::Vec3b>(128, 128), facade);
        QVERIFY(everyPixelIsAClass(image));
        QVERIFY(!w.hasModel());
        QCOMPARE(w.previewView()->placeholder(), QStringLiteral("no model loaded — File ▸ Load Model… (Ctrl+L)"));
        QCOMPARE(w.paletteWidget()->entries().size(), 12);
        QCOMPARE(w.paletteWidget()->entries()[2].name, QStringLiteral("window"));
    }

    void corruptFilesLeaveTheCanvasUnchanged_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("name");
        QTest::newRow("garbage .png") << QByteArray("definitely not a png") << QStringLiteral("garbage.png");
        QByteArray truncated = QByteArray::fromHex("89504e470d0a1a0a0000000d49484452");
        QTest::newRow("truncated png") << truncated << QStringLiteral("truncated.png");
        QTest::newRow("empty .jpg") << QByteArray() << QStringLiteral("empty.jpg");
    }
    void corruptFilesLeaveTheCanvasUnchanged() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, name);
        MainWindow w(options());
        w.canvasView()->setColour(cmpClass(3).bgr());
        w.document()->fillRectangle({10, 10}, {40, 40}, cmpClass(3).bgr());
        const cv::Mat before = w.document()->image().clone();
        QSignalSpy errors(&w, &MainWindow::errorReported);
        const QString path = writeFile(name, bytes);
        QVERIFY(!w.openFile(path));
        QCOMPARE(errors.count(), 1);
        QVERIFY2(errors.at(0).at(0).toString().contains(name), qPrintable(errors.at(0).at(0).toString()));
        QVERIFY(w.statusBar()->currentMessage().contains(name));
        QVERIFY(identical(w.document()->image(), before));
        QVERIFY(w.document()->history()->canUndo());  // the history is untouched as well
        QVERIFY(!w.openFile(dir_.filePath(QStringLiteral("does-not-exist.png"))));
        QVERIFY(identical(w.document()->image(), before));
    }

    void colourImagesSnapToClasses() {
        MainWindow w(options());
        cv::Mat photoish(40, 60, CV_8UC3);
        cv::randu(photoish, cv::Scalar::all(0), cv::Scalar::all(256));
        const QString path = dir_.filePath(QStringLiteral("noisy.png"));
        QVERIFY(cv::imwrite(path.toStdString(), photoish));
        QVERIFY(w.openFile(path));
        QCOMPARE(w.document()->image().size(), cv::Size(60, 40));
        QVERIFY(everyPixelIsAClass(w.document()->image()));
        QVERIFY(!w.document()->isModified());
        QCOMPARE(w.document()->filePath(), path);
    }

    void palettePngOpensWithItsClasses() {
        // An indexed PNG like the CMP label maps: index i is class i.
        QImage indexed(8, 4, QImage::Format_Indexed8);
        QVector<QRgb> table(13, qRgb(0, 0, 0));
        for (const auto& c : cmpClasses()) table[c.id] = qRgb(c.rgb[0], c.rgb[1], c.rgb[2]);
        indexed.setColorTable(table);
        for (int y = 0; y < 4; ++y)
            for (int x = 0; x < 8; ++x) indexed.setPixel(x, y, uint(1 + (x + y) % 12));
        const QString path = dir_.filePath(QStringLiteral("cmp.png"));
        QVERIFY(indexed.save(path, "PNG"));

        MainWindow w(options());
        w.setMode(CanvasKind::Edges);  // a palette PNG is a label map whatever the mode
        QVERIFY(w.openFile(path));
        QVERIFY(w.mode() == CanvasKind::FacadeLabels);
        for (int y = 0; y < 4; ++y)
            for (int x = 0; x < 8; ++x)
                QCOMPARE(w.document()->image().at<cv::Vec3b>(y, x), cmpClass(1 + (x + y) % 12).bgr());
    }

    void saveIsLosslessPng() {
        MainWindow w(options());
        w.document()->fillRectangle({3, 4}, {100, 90}, cmpClass(3).bgr());
        w.document()->fillRectangle({50, 50}, {60, 200}, cmpClass(4).bgr());
        QVERIFY(w.document()->isModified());
        const QString path = dir_.filePath(QStringLiteral("saved.png"));
        QVERIFY(w.saveCanvas(path));
        QVERIFY(!w.document()->isModified());
        const cv::Mat back = cv::imread(path.toStdString(), cv::IMREAD_COLOR);
        QVERIFY(identical(back, w.document()->image()));
        QSettings s(options().settingsFile, QSettings::IniFormat);
        QVERIFY(s.value(QStringLiteral("recentFiles"))
                    .toStringList()
                    .contains(QFileInfo(path).absoluteFilePath()));
    }

    void newCanvasOfAnySize() {
        MainWindow w(options());
        w.newCanvas(CanvasKind::FacadeLabels, QSize(512, 256));
        QCOMPARE(w.document()->image().size(), cv::Size(512, 256));
        QVERIFY(everyPixelIsAClass(w.document()->image()));
        w.newCanvas(CanvasKind::Edges, QSize(128, 96));
        QVERIFY(w.mode() == CanvasKind::Edges);
        QCOMPARE(w.document()->image().size(), cv::Size(128, 96));
        QCOMPARE(cv::countNonZero(w.document()->image().reshape(1) != 255), 0);  // white paper
        QCOMPARE(w.paletteWidget()->entries().size(), 2);                        // ink and paper
        QCOMPARE(w.canvasView()->eraserColour(), cv::Vec3b(255, 255, 255));
        w.setMode(CanvasKind::FacadeLabels);  // each mode keeps its canvas
        QCOMPARE(w.document()->image().size(), cv::Size(512, 256));
        // Erasing inside a facade leaves facade (issue 17: it painted dark background stripes).
        QCOMPARE(w.canvasView()->eraserColour(), cmpClass(cmpClassId("facade")).bgr());
        QCOMPARE(w.paletteWidget()->secondaryIndex(), cmpClassId("facade") - 1);
    }

    // X swaps the primary and secondary class, through the window's action, and the class list follows.
    void xSwapsPrimaryAndSecondary() {
        MainWindow w(options());
        w.newCanvas(CanvasKind::FacadeLabels, QSize(64, 64));
        w.paletteWidget()->setCurrentIndex(cmpClassId("window") - 1);
        QAction* swap = nullptr;
        for (QAction* a : w.findChildren<QAction*>())
            if (a->shortcut() == QKeySequence(QStringLiteral("X"))) swap = a;
        QVERIFY(swap);
        swap->trigger();
        QCOMPARE(w.canvasView()->colour(), cmpClass(cmpClassId("facade")).bgr());
        QCOMPARE(w.canvasView()->eraserColour(), cmpClass(cmpClassId("window")).bgr());
        QCOMPARE(w.paletteWidget()->currentIndex(), cmpClassId("facade") - 1);
        QCOMPARE(w.paletteWidget()->secondaryIndex(), cmpClassId("window") - 1);
    }

    void newCanvasOffersThePreviewSizes() {
        NewCanvasDialog dialog(CanvasKind::FacadeLabels, QSize(256, 256));
        const auto combos = dialog.findChildren<QComboBox*>();
        QComboBox* preset = nullptr;
        for (QComboBox* c : combos)
            if (c->findData(QSize(1024, 512)) >= 0) preset = c;
        QVERIFY(preset);
        QList<QSize> sizes;
        for (int i = 0; i < preset->count(); ++i) sizes << preset->itemData(i).toSize();
        QCOMPARE(sizes, (QList<QSize>{{256, 256}, {512, 512}, {1024, 512}, QSize()}));  // the last: Custom
        preset->setCurrentIndex(2);
        QCOMPARE(dialog.canvasSize(), QSize(1024, 512));
        NewCanvasDialog custom(CanvasKind::Edges, QSize(300, 200));  // a canvas of another size stays Custom
        QCOMPARE(custom.canvasSize(), QSize(300, 200));
        for (QComboBox* c : custom.findChildren<QComboBox*>())
            if (c->findData(QSize(1024, 512)) >= 0) QCOMPARE(c->currentIndex(), c->count() - 1);
    }

    void paletteKeysAndEyedropperSelectClasses() {
        MainWindow w(options());
        w.show();
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        w.selectClass(2);
        QCOMPARE(w.canvasView()->colour(), cmpClass(3).bgr());  // window
        QTest::keyClick(&w, Qt::Key_4);
        QCOMPARE(w.paletteWidget()->currentIndex(), 3);  // door
        QCOMPARE(w.canvasView()->colour(), cmpClass(4).bgr());
        const int size = w.canvasView()->brushSize();
        QTest::keyClick(&w, Qt::Key_BracketRight);
        QVERIFY(w.canvasView()->brushSize() > size);
        QTest::keyClick(&w, Qt::Key_BracketLeft);
        QTest::keyClick(&w, Qt::Key_BracketLeft);
        QVERIFY(w.canvasView()->brushSize() < size);
        Q_EMIT w.canvasView()->colourPicked(cmpClass(cmpClassId("balcony")).bgr());
        QCOMPARE(w.paletteWidget()->currentIndex(), cmpClassId("balcony") - 1);
    }

    void livePreviewWithARealModel() {
        MainWindow w(options());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QSignalSpy ready(&w, &MainWindow::modelReady);
        QSignalSpy shown(&w, &MainWindow::previewShown);
        w.loadModel(modelPath_);
        QVERIFY(QTest::qWaitFor([&] { return ready.count() == 1; }, 60000));
        QCOMPARE(ready.at(0).at(0).toString(), QStringLiteral("tiny-facades"));
        QVERIFY(QTest::qWaitFor([&] { return shown.count() >= 1; }, 60000));
        QVERIFY(w.previewView()->placeholder().isEmpty());
        QCOMPARE(w.lastResult().size(), QSize(256, 256));

        // A stroke: the preview follows it (a result for a request made after the stroke began).
        CanvasView* view = w.canvasView();
        const QPoint a = view->mapFromImage(QRectF(60, 60, 1, 1)).center().toPoint();
        const QPoint b = view->mapFromImage(QRectF(120, 90, 1, 1)).center().toPoint();
        const int before = shown.count();
        QTest::mousePress(view, Qt::LeftButton, {}, a);
        QTest::mouseMove(view, b);
        QVERIFY(QTest::qWaitFor([&] { return shown.count() > before; }, 60000));  // while the button is down
        for (int i = 1; i <= 3; ++i) {  // a few more frames: the fps is the rate they were shown at
            const int now = shown.count();
            QTest::mouseMove(view, view->mapFromImage(QRectF(120 + 10 * i, 90, 1, 1)).center().toPoint());
            QVERIFY(QTest::qWaitFor([&] { return shown.count() > now; }, 60000));
        }
        QTest::mouseRelease(view, Qt::LeftButton, {}, b);

        // The status bar names device, model, latency and fps.
        const QString all = statusFields(w);
        QVERIFY2(all.contains(QStringLiteral("CPU")), qPrintable(all));
        QVERIFY2(all.contains(QStringLiteral("tiny-facades")), qPrintable(all));
        QVERIFY2(all.contains(QStringLiteral(" ms")) && all.contains(QStringLiteral("fps")), qPrintable(all));

        // Exports: the result, and canvas | result.
        const QString result = dir_.filePath(QStringLiteral("result.png"));
        const QString side = dir_.filePath(QStringLiteral("side.png"));
        QVERIFY(w.exportResult(result));
        QVERIFY(w.exportSideBySide(side));
        QCOMPARE(cv::imread(result.toStdString()).size(), cv::Size(256, 256));
        const cv::Mat both = cv::imread(side.toStdString());
        QCOMPARE(both.size(), cv::Size(512, 256));
        QVERIFY(identical(both(cv::Rect(0, 0, 256, 256)), w.document()->image()));

        w.close();  // saves settings: the model is remembered for the mode
        QSettings s(options().settingsFile, QSettings::IniFormat);
        QCOMPARE(s.value(QStringLiteral("model/facade-labels")).toString(), modelPath_);
    }

    void aModelForTheOtherModeSwitchesTheStudio() {
        // Issue 17: an edges model loaded in facade mode used to read the label canvas as a sketch (grid noise,
        // no warning) and was remembered for facade mode.
        torch::manual_seed(4);
        UnetGenerator g(test::tinyGeneratorOptions("unet_128"));
        SaveModelOptions save;
        save.name = "tiny-edges";
        save.input_kind = "edges";
        const QString edgesModel = dir_.filePath(QStringLiteral("tiny-edges.p2pm"));
        saveModel(edgesModel.toStdString(), g, PatchDiscriminator{nullptr}, save);
        MainWindowOptions o = options();
        o.settingsFile = dir_.filePath(QStringLiteral("switch.ini"));
        {
            MainWindow w(o);
            QSignalSpy ready(&w, &MainWindow::modelReady);
            QSignalSpy shown(&w, &MainWindow::previewShown);
            QVERIFY(w.mode() == CanvasKind::FacadeLabels);
            w.loadModel(edgesModel);
            QVERIFY(QTest::qWaitFor([&] { return ready.count() == 1; }, 60000));
            QVERIFY(w.mode() == CanvasKind::Edges);
            QCOMPARE(w.paletteWidget()->entries().size(), 2);  // ink and paper
            QVERIFY2(w.statusBar()->currentMessage().contains(QStringLiteral("edge sketch")),
                     qPrintable(w.statusBar()->currentMessage()));
            QVERIFY(QTest::qWaitFor([&] { return shown.count() >= 1; }, 60000));  // the sketch is translated
            w.setMode(CanvasKind::FacadeLabels);  // facade mode has no model: the edges model does not serve it
            QCOMPARE(w.previewView()->placeholder(), QStringLiteral("no model loaded — File ▸ Load Model… (Ctrl+L)"));
            w.close();
        }
        QSettings s(o.settingsFile, QSettings::IniFormat);
        QCOMPARE(s.value(QStringLiteral("model/edges")).toString(), edgesModel);
        QCOMPARE(s.value(QStringLiteral("model/facade-labels")).toString(), QString());
    }

    void randomFacadeAndExamplesFromTheMenus() {
        MainWindow w(options());
        w.setMode(CanvasKind::Edges);
        QAction* random = actionNamed(menuNamed(w, "File"), "Random Facade");
        QVERIFY(random);
        bool onToolbar = false;
        for (QToolBar* bar : w.findChildren<QToolBar*>()) onToolbar = onToolbar || bar->actions().contains(random);
        QVERIFY(onToolbar);
        const cv::Mat before = w.documents()->document(CanvasKind::FacadeLabels)->image().clone();
        random->trigger();
        QVERIFY(w.mode() == CanvasKind::FacadeLabels);
        QCOMPARE(w.paletteWidget()->entries().size(), 12);
        QVERIFY(everyPixelIsAClass(w.document()->image()));
        QVERIFY(!identical(w.document()->image(), before));
        const cv::Mat first = w.document()->image().clone();
        random->trigger();
        QVERIFY(!identical(w.document()->image(), first));  // another seed
        w.document()->undo();
        QVERIFY(identical(w.document()->image(), first));
        w.document()->undo();
        QVERIFY(identical(w.document()->image(), before));

        // File ▸ Examples: each starter, in its mode.
        QMenu* file = menuNamed(w, "File");
        for (const StarterExample& e : starterExamples()) {
            QAction* entry = actionNamed(file, e.title);
            QVERIFY2(entry, qPrintable(e.title));
            entry->trigger();
            QVERIFY(w.mode() == e.kind);
            QVERIFY(w.document()->filePath().isEmpty());
        }
        QCOMPARE(w.document()->image().size(), cv::Size(256, 256));
    }

    void biggerCanvasesPreviewAndExportAtTheirSize_data() {
        QTest::addColumn<QSize>("size");
        QTest::newRow("512 x 512") << QSize(512, 512);
        QTest::newRow("1024 x 512") << QSize(1024, 512);
    }
    void biggerCanvasesPreviewAndExportAtTheirSize() {
        QFETCH(QSize, size);
        MainWindow w(options());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QSignalSpy ready(&w, &MainWindow::modelReady);
        QSignalSpy shown(&w, &MainWindow::previewShown);
        w.loadModel(modelPath_);
        QVERIFY(QTest::qWaitFor([&] { return ready.count() == 1 && shown.count() >= 1; }, 60000));
        w.newCanvas(CanvasKind::FacadeLabels, size);
        w.documents()->randomFacade(7);
        const int before = shown.count();
        QVERIFY(QTest::qWaitFor([&] { return shown.count() > before && w.lastResult().size() == size; }, 120000));
        QCOMPARE(w.previewView()->result().size(), size);
        const QString result = dir_.filePath(QStringLiteral("big-result.png"));
        const QString side = dir_.filePath(QStringLiteral("big-side.png"));
        QVERIFY(w.exportResult(result));
        QVERIFY(w.exportSideBySide(side));
        QCOMPARE(cv::imread(result.toStdString()).size(), cv::Size(size.width(), size.height()));
        QCOMPARE(cv::imread(side.toStdString()).size(), cv::Size(2 * size.width(), size.height()));
        QVERIFY2(statusFields(w).contains(QStringLiteral(" ms")), qPrintable(statusFields(w)));
        // Both views fit the whole canvas.
        for (ImageViewport* view : {static_cast<ImageViewport*>(w.canvasView()), static_cast<ImageViewport*>(w.previewView())}) {
            const QRectF drawn = view->mapFromImage(QRectF(0, 0, size.width(), size.height()));
            QVERIFY(QRectF(view->rect()).contains(drawn));
        }
    }

    void compareIsAViewToggle() {
        MainWindowOptions o = options();
        o.settingsFile = dir_.filePath(QStringLiteral("compare.ini"));
        {
            MainWindow w(o);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            QMenu* view = menuNamed(w, "View");
            QAction* compare = actionNamed(view, "Compare Canvas and Photo");
            QAction* overlay = actionNamed(view, "Overlay Preview on Canvas");
            QVERIFY(compare && overlay);
            QVERIFY(!w.previewView()->compareEnabled());
            compare->trigger();
            QVERIFY(compare->isChecked());
            QVERIFY(w.previewView()->compareEnabled());
            QVERIFY(identical(qImageToMat(w.previewView()->compareSource()), w.document()->image()));
            // The overlay hides the preview: it and the split exclude each other.
            overlay->trigger();
            QVERIFY(!compare->isChecked() && !w.previewView()->compareEnabled());
            compare->trigger();
            QVERIFY(!overlay->isChecked() && w.previewView()->isVisibleTo(&w));
            w.previewView()->setCompareFraction(0.3);
            w.close();
        }
        MainWindow again(o);  // remembered, with the divider where it was
        QVERIFY(again.previewView()->compareEnabled());
        QCOMPARE(again.previewView()->compareFraction(), 0.3);
    }

    void theStatusBarNamesTheClassAfterAFill() {
        // Issue 17 defect 8: after a fill the status bar named the old class until the mouse moved.
        MainWindow w(options());
        const QPoint pixel(128, 128);
        Q_EMIT w.canvasView()->hoverChanged(pixel, true);
        QVERIFY2(statusFields(w).contains(QStringLiteral("128, 128 · facade")), qPrintable(statusFields(w)));
        w.document()->floodFill(pixel, cmpClass(cmpClassId("window")).bgr());
        QVERIFY2(statusFields(w).contains(QStringLiteral("128, 128 · window")), qPrintable(statusFields(w)));
        w.document()->undo();
        QVERIFY2(statusFields(w).contains(QStringLiteral("128, 128 · facade")), qPrintable(statusFields(w)));
        Q_EMIT w.canvasView()->hoverChanged(pixel, false);
        QVERIFY(!statusFields(w).contains(QStringLiteral("128, 128")));
        // The mouse leaving the canvas clears the field: a later change does not name a pixel no one points at.
        Q_EMIT w.canvasView()->hoverChanged(pixel, true);
        QEvent leave(QEvent::Leave);
        QCoreApplication::sendEvent(w.canvasView(), &leave);
        QVERIFY(!statusFields(w).contains(QStringLiteral("128, 128")));
        w.document()->floodFill(pixel, cmpClass(cmpClassId("door")).bgr());
        QVERIFY(!statusFields(w).contains(QStringLiteral("128, 128")));
    }

    void recentRunsAreInTheModelMenu() {
        QTemporaryDir runs;
        QVERIFY(runs.isValid());
        const QString run = QDir(runs.path()).filePath(QStringLiteral("facades-20240102-030405"));
        QVERIFY(QDir().mkpath(run));
        QVERIFY(QFile::copy(modelPath_, run + QStringLiteral("/model.p2pm")));
        QVERIFY(QDir().mkpath(QDir(runs.path()).filePath(QStringLiteral("no-model-yet"))));
        MainWindowOptions o = options();
        o.runsDirectory = runs.path();
        MainWindow w(o);
        QMenu* model = menuNamed(w, "Model");
        QVERIFY(model);
        Q_EMIT model->aboutToShow();  // the menu looks again each time it opens
        QAction* entry = nullptr;
        for (QAction* a : model->actions())
            if (a->text().startsWith(QStringLiteral("facades-20240102-030405 — "))) entry = a;
        QVERIFY(entry);
        for (QAction* a : model->actions()) QVERIFY(!a->text().startsWith(QStringLiteral("no-model-yet")));
        QSignalSpy ready(&w, &MainWindow::modelReady);
        entry->trigger();
        QVERIFY(QTest::qWaitFor([&] { return ready.count() == 1; }, 60000));
        QCOMPARE(QFileInfo(w.loadedModelPath()), QFileInfo(run + QStringLiteral("/model.p2pm")));
        QVERIFY(entry->isChecked());

        // No runs: the section says how to make one.
        o.runsDirectory = QDir(runs.path()).filePath(QStringLiteral("none"));
        MainWindow empty(o);
        Q_EMIT menuNamed(empty, "Model")->aboutToShow();
        QAction* none = actionNamed(menuNamed(empty, "Model"), QStringLiteral("None yet — train one in View ▸ Training Panel"));
        QVERIFY(none && !none->isEnabled());
    }

    void theClassesDockKeepsItsNamesWhole() {
        // Issue 17 defect 7: a squeezed Classes dock stayed about 60 px wide, names cut, and was restored so.
        MainWindowOptions o = options();
        o.settingsFile = dir_.filePath(QStringLiteral("dock.ini"));
        auto namesFit = [](MainWindow& w) {
            auto* list = w.paletteWidget()->findChild<QListWidget*>();
            return list && list->sizeHintForColumn(0) <= list->viewport()->width();
        };
        {
            MainWindow w(o);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            auto* dock = w.findChild<QDockWidget*>(QStringLiteral("paletteDock"));
            QVERIFY(dock);
            QVERIFY(w.paletteWidget()->minimumWidth() > 60);
            w.resizeDocks({dock}, {40}, Qt::Horizontal);
            QCoreApplication::processEvents();
            QVERIFY2(dock->width() >= w.paletteWidget()->minimumWidth(), qPrintable(QString::number(dock->width())));
            QVERIFY(namesFit(w));
            w.close();
        }
        MainWindow again(o);
        again.show();
        QVERIFY(QTest::qWaitForWindowExposed(&again));
        QVERIFY(namesFit(again));
    }

    void restoredGeometryIsClampedToTheScreen() {
        const QRect screen(0, 0, 1280, 800);
        // Inside: unchanged.
        QCOMPARE(clampToAvailable(QRect(100, 50, 900, 600), screen), QRect(100, 50, 900, 600));
        // Off the right and bottom edges (a larger monitor before): moved back in.
        QCOMPARE(clampToAvailable(QRect(1000, 700, 900, 600), screen), QRect(380, 200, 900, 600));
        // Off the left/top (a monitor that was left of this one).
        QCOMPARE(clampToAvailable(QRect(-1500, -40, 900, 600), screen), QRect(0, 0, 900, 600));
        // Larger than the screen: shrunk to it.
        QCOMPARE(clampToAvailable(QRect(200, 100, 2560, 1440), screen), QRect(0, 0, 1280, 800));
        // A second screen to the right, with a panel at its top.
        const QRect second(1280, 30, 1920, 1050);
        QCOMPARE(clampToAvailable(QRect(1300, 0, 800, 600), second), QRect(1300, 30, 800, 600));
        QCOMPARE(clampToAvailable(QRect(10, 10, 800, 600), QRect()), QRect(10, 10, 800, 600));  // no screen

        // The window: a geometry saved on a larger screen opens inside this one.
        MainWindowOptions o = options();
        o.settingsFile = dir_.filePath(QStringLiteral("geometry.ini"));
        const QRect available = QGuiApplication::primaryScreen()->availableGeometry();
        {
            MainWindow w(o);
            w.setGeometry(available.right() - 100, available.bottom() - 100, available.width() + 900,
                          available.height() + 700);
            w.close();
        }
        MainWindow again(o);
        QVERIFY2(available.contains(again.geometry()),
                 qPrintable(QStringLiteral("%1,%2 %3x%4 outside %5x%6")
                                .arg(again.x()).arg(again.y()).arg(again.width()).arg(again.height())
                                .arg(available.width()).arg(available.height())));
    }

    void facadesSetColoursOpenAsTheirClasses() {
        // A label map drawn in the pix2pix facades set's colours (e.g. a label half of that set) keeps its
        // classes: facade (0,48,255) is nearer CMP's window than CMP's facade, so plain snapping would not.
        cv::Mat ids(64, 96, CV_8UC1, cv::Scalar(cmpClassId("facade")));
        ids(cv::Rect(10, 10, 20, 30)).setTo(cmpClassId("window"));
        ids(cv::Rect(50, 30, 30, 34)).setTo(cmpClassId("door"));
        ids(cv::Rect(0, 0, 96, 4)).setTo(cmpClassId("cornice"));
        const QString path = dir_.filePath(QStringLiteral("facades_labels.png"));
        QVERIFY(cv::imwrite(path.toStdString(), labelsToColour(ids, LabelPalette::Pix2PixFacades)));
        MainWindow w(options());
        QVERIFY(w.openFile(path));
        QVERIFY(identical(w.document()->image(), labelsToColour(ids, LabelPalette::Cmp)));
        QVERIFY(w.statusBar()->currentMessage().contains(QStringLiteral("facades set")));
    }

    void previewGetsTheCanvasInTheModelsColours() {
        // The canvas paints CMP colours; the facades-set model sees the same classes in its set's colours.
        MainWindowOptions o = options();
        o.engine.precision = "fp32";  // the same arithmetic as the reference engine below
        MainWindow w(o);
        QSignalSpy ready(&w, &MainWindow::modelReady);
        QSignalSpy shown(&w, &MainWindow::previewShown);
        w.document()->fillRectangle({40, 30}, {90, 80}, cmpClass(cmpClassId("window")).bgr());
        w.document()->fillRectangle({120, 150}, {160, 240}, cmpClass(cmpClassId("door")).bgr());
        w.loadModel(modelPath_);
        QVERIFY(QTest::qWaitFor([&] { return ready.count() == 1 && shown.count() >= 1; }, 60000));
        QVERIFY(everyPixelIsAClass(w.document()->image()));  // the canvas itself stays in CMP colours

        InferenceEngine reference(o.engine);
        reference.load(modelPath_.toStdString());
        const cv::Mat asFacades = labelsToColour(colourToLabels(w.document()->image(), LabelPalette::Cmp),
                                                 LabelPalette::Pix2PixFacades);
        QCOMPARE(cv::norm(qImageToMat(w.lastResult()), reference.translate(asFacades), cv::NORM_INF), 0.0);
    }

    void firstStartPicksTheEmbeddedModelPerMode() {
        // Stand-ins for models/facades.p2pm and models/edges.p2pm, found through $P2P_MODELS_DIR.
        QTemporaryDir models;
        QVERIFY(models.isValid());
        torch::manual_seed(5);
        for (const auto& [file, kind] : {std::pair<const char*, const char*>{"facades", "facade-labels"},
                                         std::pair<const char*, const char*>{"edges", "edges"}}) {
            UnetGenerator g(test::tinyGeneratorOptions("unet_128"));
            SaveModelOptions save;
            save.name = file;
            save.input_kind = kind;
            saveModel(QDir(models.path()).filePath(QString::fromLatin1(file) + ".p2pm").toStdString(), g,
                      PatchDiscriminator{nullptr}, save);
        }
        qputenv("P2P_MODELS_DIR", models.path().toLocal8Bit());
        MainWindowOptions o = options();
        o.loadStartupModel = true;
        o.settingsFile = dir_.filePath(QStringLiteral("first-start.ini"));
        MainWindow w(o);
        QSignalSpy ready(&w, &MainWindow::modelReady);
        QVERIFY(QTest::qWaitFor([&] { return ready.count() == 1; }, 60000));
        QCOMPARE(ready.at(0).at(0).toString(), QStringLiteral("facades"));
        w.setMode(CanvasKind::Edges);
        QVERIFY(QTest::qWaitFor([&] { return ready.count() == 2; }, 60000));
        QCOMPARE(ready.at(1).at(0).toString(), QStringLiteral("edges"));
        qunsetenv("P2P_MODELS_DIR");
    }

    void aBadModelIsReportedNotFatal() {
        MainWindow w(options());
        QSignalSpy errors(&w, &MainWindow::errorReported);
        w.loadModel(writeFile(QStringLiteral("bad.p2pm"), "nope"));
        QVERIFY(QTest::qWaitFor([&] { return errors.count() == 1; }, 30000));
        QVERIFY(errors.at(0).at(0).toString().contains(QStringLiteral("bad.p2pm")));
        QVERIFY(!w.hasModel());
        QCOMPARE(w.previewView()->placeholder(), QStringLiteral("no model loaded — File ▸ Load Model… (Ctrl+L)"));
    }

    void referencePthLoads() {
        P2P_REQUIRE_SHARED(generator, "fixtures/g_unet256_ngf8_batch_eval/net_G.pth");
        P2P_REQUIRE_SHARED(discriminator, "fixtures/d_basic_ndf16_batch_eval/net_D.pth");
        MainWindow w(options());
        QSignalSpy ready(&w, &MainWindow::modelReady);
        QSignalSpy shown(&w, &MainWindow::previewShown);
        QSignalSpy errors(&w, &MainWindow::errorReported);
        QSignalSpy asked(&w, &MainWindow::architectureRequested);
        w.loadModel(QString::fromStdString(generator));
        QVERIFY(QTest::qWaitFor([&] { return ready.count() + errors.count() > 0; }, 60000));
        QVERIFY2(ready.count() == 1, qPrintable(w.lastError()));
        QVERIFY(QTest::qWaitFor([&] { return shown.count() >= 1; }, 60000));

        // A discriminator is the wrong file, not an unknown architecture: an error, no netG/ngf/norm question.
        w.loadModel(QString::fromStdString(discriminator));
        QVERIFY(QTest::qWaitFor([&] { return errors.count() == 1; }, 60000));
        QCOMPARE(asked.count(), 0);
        QVERIFY(w.hasModel());  // the generator loaded before stays
    }

    void settingsPersistAcrossWindows() {
        const QString settingsFile = dir_.filePath(QStringLiteral("persist.ini"));
        MainWindowOptions o = options();
        o.settingsFile = settingsFile;
        {
            MainWindow w(o);
            w.setMode(CanvasKind::FacadeLabels);
            w.canvasView()->setBrushSize(21);
            w.setMode(CanvasKind::Edges);
            QCOMPARE(w.canvasView()->brushSize(), 2);  // each canvas has its own brush; edges start thin
            w.canvasView()->setBrushSize(3);
            w.resize(720, 540);  // within the offscreen screen (800 wide): a larger one is clamped
            w.close();
        }
        MainWindow again(o);
        QVERIFY(again.mode() == CanvasKind::Edges);
        QCOMPARE(again.canvasView()->brushSize(), 3);
        again.setMode(CanvasKind::FacadeLabels);
        QCOMPARE(again.canvasView()->brushSize(), 21);
        QCOMPARE(again.size(), QSize(720, 540));
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_ui_main_window.moc"
