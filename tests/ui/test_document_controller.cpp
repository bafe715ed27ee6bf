// The studio's canvases without a window: which images open as label maps and in which palette, files that
// fail and leave the canvas as it was, save and export, the mode and the class list per mode, recent files.

#include <QtTest/QtTest>

#include <QSettings>
#include <QTemporaryDir>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/labels/palette.h"
#include "ui/document_controller.h"
#include "ui/image_convert.h"
#include "ui/starter_examples.h"
#include "tests/support/image_checks.h"

using namespace p2p;
using namespace p2p::ui;

Q_DECLARE_METATYPE(p2p::ui::CanvasKind)
Q_DECLARE_METATYPE(cv::Vec3b)

using p2p::test::everyPixelIsAClass;
using p2p::test::identical;

namespace {

// Ids: facade with a window, a door and a cornice strip.
cv::Mat sampleLabels() {
    cv::Mat ids(48, 64, CV_8UC1, cv::Scalar(cmpClassId("facade")));
    ids(cv::Rect(6, 8, 12, 16)).setTo(cmpClassId("window"));
    ids(cv::Rect(36, 20, 16, 28)).setTo(cmpClassId("door"));
    ids(cv::Rect(0, 0, 64, 3)).setTo(cmpClassId("cornice"));
    return ids;
}

// An indexed PNG like the CMP label maps: index i is class i.
QImage cmpPalettePng() {
    QImage indexed(8, 4, QImage::Format_Indexed8);
    QVector<QRgb> table(13, qRgb(0, 0, 0));
    for (const auto& c : cmpClasses()) table[c.id] = qRgb(c.rgb[0], c.rgb[1], c.rgb[2]);
    indexed.setColorTable(table);
    for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 8; ++x) indexed.setPixel(x, y, uint(1 + (x + y) % 12));
    return indexed;
}

}  // namespace

class TestDocumentController : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    int settingsFiles_ = 0;

    // A fresh settings file each time, so no test sees another's mode or recent files.
    std::unique_ptr<QSettings> freshSettings() {
        return std::make_unique<QSettings>(
            dir_.filePath(QStringLiteral("documents-%1.ini").arg(++settingsFiles_)), QSettings::IniFormat);
    }

    QString path(const QString& name) const { return dir_.filePath(name); }

private Q_SLOTS:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void startsWithBlankCanvasesInTheSavedMode() {
        auto settings = freshSettings();
        {
            DocumentController documents(settings.get());
            QVERIFY(documents.mode() == CanvasKind::FacadeLabels);
            QVERIFY(identical(documents.document()->image(),
                              DocumentController::blankCanvas(CanvasKind::FacadeLabels, QSize(256, 256))));
            QVERIFY(identical(documents.document(CanvasKind::Edges)->image(),
                              cv::Mat(256, 256, CV_8UC3, cv::Scalar::all(255))));
            documents.setMode(CanvasKind::Edges);
            documents.saveSettings();
        }
        DocumentController again(settings.get());
        QVERIFY(again.mode() == CanvasKind::Edges);
    }

    void openDecidesWhatAnImageIs_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<CanvasKind>("mode");
        QTest::addColumn<CanvasKind>("expectedMode");
        QTest::addColumn<QString>("expectedNote");  // in the status message; "" for none

        const cv::Mat ids = sampleLabels();
        QVERIFY(cv::imwrite(path(QStringLiteral("cmp.png")).toStdString(),
                            labelsToColour(ids, LabelPalette::Cmp)));
        QVERIFY(cv::imwrite(path(QStringLiteral("facades-set.png")).toStdString(),
                            labelsToColour(ids, LabelPalette::Pix2PixFacades)));
        QVERIFY(cmpPalettePng().save(path(QStringLiteral("indexed.png")), "PNG"));
        cv::Mat noisy(40, 60, CV_8UC3);
        cv::randu(noisy, cv::Scalar::all(0), cv::Scalar::all(256));
        QVERIFY(cv::imwrite(path(QStringLiteral("noisy.png")).toStdString(), noisy));

        QTest::newRow("CMP colours, label mode: nothing snapped")
            << "cmp.png" << CanvasKind::FacadeLabels << CanvasKind::FacadeLabels << "";
        QTest::newRow("facades-set colours: read in that palette")
            << "facades-set.png" << CanvasKind::FacadeLabels << CanvasKind::FacadeLabels << "facades set";
        QTest::newRow("a photo in label mode: snapped to classes")
            << "noisy.png" << CanvasKind::FacadeLabels << CanvasKind::FacadeLabels << "snapped";
        QTest::newRow("palette PNG in edge mode: a label map")
            << "indexed.png" << CanvasKind::Edges << CanvasKind::FacadeLabels
            << "palette indices as class ids";
        QTest::newRow("colour image in edge mode: a sketch as it is")
            << "cmp.png" << CanvasKind::Edges << CanvasKind::Edges << "";
    }
    void openDecidesWhatAnImageIs() {
        QFETCH(QString, file);
        QFETCH(CanvasKind, mode);
        QFETCH(CanvasKind, expectedMode);
        QFETCH(QString, expectedNote);
        auto settings = freshSettings();
        DocumentController documents(settings.get());
        documents.setMode(mode);
        QSignalSpy modeChanged(&documents, &DocumentController::modeChanged);
        QSignalSpy status(&documents, &DocumentController::statusMessage);
        QSignalSpy failed(&documents, &DocumentController::failed);

        QVERIFY(documents.openFile(path(file)));
        QCOMPARE(failed.count(), 0);
        QVERIFY(documents.mode() == expectedMode);
        QCOMPARE(modeChanged.count(), mode == expectedMode ? 0 : 1);
        QCOMPARE(documents.document()->filePath(), path(file));
        QVERIFY(!documents.document()->isModified());
        const QString message = status.last().at(0).toString();
        if (expectedNote.isEmpty())
            QCOMPARE(message, QStringLiteral("Opened %1").arg(file));
        else
            QVERIFY2(message.contains(expectedNote), qPrintable(message));

        const cv::Mat& image = documents.document()->image();
        if (expectedMode == CanvasKind::Edges) {
            QVERIFY(identical(image, cv::imread(path(file).toStdString(), cv::IMREAD_COLOR)));
            return;
        }
        QVERIFY(everyPixelIsAClass(image));
        if (file == QLatin1String("cmp.png") || file == QLatin1String("facades-set.png"))
            QVERIFY(identical(image, labelsToColour(sampleLabels(), LabelPalette::Cmp)));  // the same classes
        if (file == QLatin1String("indexed.png"))
            for (int y = 0; y < 4; ++y)
                for (int x = 0; x < 8; ++x)
                    QCOMPARE(image.at<cv::Vec3b>(y, x), cmpClass(1 + (x + y) % 12).bgr());
    }

    void badFilesLeaveTheCanvasUnchanged_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("name");
        QTest::newRow("garbage .png") << QByteArray("definitely not a png") << QStringLiteral("garbage.png");
        QTest::newRow("truncated png")
            << QByteArray::fromHex("89504e470d0a1a0a0000000d49484452") << QStringLiteral("truncated.png");
        QTest::newRow("empty .jpg") << QByteArray() << QStringLiteral("empty.jpg");
        QTest::newRow("missing file") << QByteArray() << QStringLiteral("");
    }
    void badFilesLeaveTheCanvasUnchanged() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, name);
        QString file = path(QStringLiteral("does-not-exist.png"));
        if (!name.isEmpty()) {
            file = path(name);
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(bytes);
        }
        for (CanvasKind mode : {CanvasKind::FacadeLabels, CanvasKind::Edges}) {
            auto settings = freshSettings();
            DocumentController documents(settings.get());
            documents.setMode(mode);
            documents.document()->fillRectangle({10, 10}, {40, 40}, cmpClass(3).bgr());
            const cv::Mat before = documents.document()->image().clone();
            QSignalSpy failed(&documents, &DocumentController::failed);
            QSignalSpy reset(&documents, &DocumentController::documentReset);
            QVERIFY(!documents.openFile(file));
            QCOMPARE(failed.count(), 1);
            QVERIFY2(failed.at(0).at(0).toString().contains(QFileInfo(file).fileName()),
                     qPrintable(failed.at(0).at(0).toString()));
            QCOMPARE(reset.count(), 0);
            QVERIFY(identical(documents.document()->image(), before));
            QVERIFY(documents.document()->history()->canUndo());  // the history is untouched as well
            QVERIFY(documents.recentFiles().isEmpty());
        }
    }

    void saveIsLosslessAndRemembered() {
        auto settings = freshSettings();
        DocumentController documents(settings.get());
        QSignalSpy recent(&documents, &DocumentController::recentFilesChanged);
        documents.document()->fillRectangle({3, 4}, {100, 90}, cmpClass(3).bgr());
        QVERIFY(documents.document()->isModified());
        QVERIFY(!documents.canSaveInPlace());
        const QString file = path(QStringLiteral("saved.png"));
        QVERIFY(documents.saveCanvas(file));
        QVERIFY(!documents.document()->isModified());
        QVERIFY(documents.canSaveInPlace());
        QVERIFY(identical(cv::imread(file.toStdString(), cv::IMREAD_COLOR), documents.document()->image()));
        QCOMPARE(recent.count(), 1);
        QCOMPARE(documents.recentFiles(), QStringList{QFileInfo(file).absoluteFilePath()});
        QCOMPARE(documents.dialogDirectory(), QFileInfo(file).absolutePath());
        QCOMPARE(documents.saveAsSuggestion(), QFileInfo(file).absoluteFilePath());
        QCOMPARE(documents.exportSuggestion(QStringLiteral("result")),
                 path(QStringLiteral("saved_result.png")));
        documents.clearRecentFiles();
        QVERIFY(documents.recentFiles().isEmpty());
    }

    void aFailedSaveKeepsTheCanvasUnsaved() {
        auto settings = freshSettings();
        DocumentController documents(settings.get());
        documents.document()->fillRectangle({3, 4}, {10, 10}, cmpClass(3).bgr());
        QSignalSpy failed(&documents, &DocumentController::failed);
        QVERIFY(!documents.saveCanvas(path(QStringLiteral("no-such-folder/labels.png"))));
        QCOMPARE(failed.count(), 1);
        QVERIFY(documents.document()->isModified());
        QVERIFY(documents.document()->filePath().isEmpty());
    }

    void suggestionsForAnUntitledCanvas() {
        auto settings = freshSettings();
        settings->setValue(QStringLiteral("lastDirectory"), dir_.path());
        DocumentController documents(settings.get());
        QCOMPARE(documents.saveAsSuggestion(), path(QStringLiteral("labels.png")));
        QCOMPARE(documents.exportSuggestion(QStringLiteral("side_by_side")),
                 path(QStringLiteral("side_by_side.png")));
        documents.setMode(CanvasKind::Edges);
        QCOMPARE(documents.saveAsSuggestion(), path(QStringLiteral("sketch.png")));
        QCOMPARE(DocumentController::withPngSuffix(QStringLiteral("a/b")), QStringLiteral("a/b.png"));
        QCOMPARE(DocumentController::withPngSuffix(QStringLiteral("a/b.PNG")), QStringLiteral("a/b.PNG"));
    }

    void exportsTheResultAndTheCanvasBesideIt_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("sideBySide");
        QTest::newRow("result, png") << "result.png" << false;
        QTest::newRow("result, jpeg") << "result.jpg" << false;
        QTest::newRow("side by side, png") << "side.png" << true;
    }
    void exportsTheResultAndTheCanvasBesideIt() {
        QFETCH(QString, name);
        QFETCH(bool, sideBySide);
        auto settings = freshSettings();
        DocumentController documents(settings.get());
        QSignalSpy failed(&documents, &DocumentController::failed);
        const QString file = path(name);
        // Nothing translated yet: an error, no file.
        QVERIFY(!(sideBySide ? documents.exportSideBySide(QImage(), file)
                             : documents.exportResult(QImage(), file)));
        QCOMPARE(failed.count(), 1);
        QVERIFY(!QFileInfo::exists(file));

        cv::Mat result(256, 256, CV_8UC3, cv::Scalar(30, 120, 200));
        const QImage image = matToQImage(result);
        QVERIFY(sideBySide ? documents.exportSideBySide(image, file) : documents.exportResult(image, file));
        const cv::Mat back = cv::imread(file.toStdString(), cv::IMREAD_COLOR);
        QCOMPARE(back.size(), sideBySide ? cv::Size(512, 256) : cv::Size(256, 256));
        if (sideBySide) {
            QVERIFY(identical(back(cv::Rect(0, 0, 256, 256)), documents.document()->image()));
            QVERIFY(identical(back(cv::Rect(256, 0, 256, 256)), result));
        } else if (name.endsWith(QLatin1String(".png"))) {
            QVERIFY(identical(back, result));
        } else {
            QVERIFY(cv::norm(back, result, cv::NORM_INF) <= 4);  // JPEG: close, not exact
        }
    }

    void newAndClear() {
        auto settings = freshSettings();
        DocumentController documents(settings.get());
        QSignalSpy modeChanged(&documents, &DocumentController::modeChanged);
        documents.newCanvas(CanvasKind::FacadeLabels, QSize(512, 256));
        QCOMPARE(documents.document()->image().size(), cv::Size(512, 256));
        QVERIFY(everyPixelIsAClass(documents.document()->image()));
        documents.newCanvas(CanvasKind::Edges, QSize(128, 96));
        QCOMPARE(modeChanged.count(), 1);
        QVERIFY(documents.mode() == CanvasKind::Edges);
        QCOMPARE(cv::countNonZero(documents.document()->image().reshape(1) != 255), 0);  // white paper
        documents.document()->fillRectangle({1, 1}, {20, 20}, cv::Vec3b(0, 0, 0));
        documents.clearCanvas();
        QCOMPARE(cv::countNonZero(documents.document()->image().reshape(1) != 255), 0);
        QVERIFY(documents.document()->history()->canUndo());  // Clear is one undoable step
        QCOMPARE(documents.document(CanvasKind::FacadeLabels)->image().size(), cv::Size(512, 256));  // kept
    }

    void randomFacadeIsOneUndoableStep() {
        auto settings = freshSettings();
        DocumentController documents(settings.get());
        documents.newCanvas(CanvasKind::FacadeLabels, QSize(512, 256));
        documents.setMode(CanvasKind::Edges);  // from edge mode: it replaces the label canvas and shows it
        const cv::Mat before = documents.document(CanvasKind::FacadeLabels)->image().clone();
        const cv::Mat sketch = documents.document(CanvasKind::Edges)->image().clone();
        QSignalSpy status(&documents, &DocumentController::statusMessage);
        const quint64 seed = documents.randomFacade();
        QVERIFY(documents.mode() == CanvasKind::FacadeLabels);
        LabelDocument* labels = documents.document();
        QCOMPARE(labels->image().size(), cv::Size(512, 256));  // the canvas's size
        QVERIFY(everyPixelIsAClass(labels->image()));
        QVERIFY(!identical(labels->image(), before));
        QVERIFY(
            identical(documents.document(CanvasKind::Edges)->image(), sketch));  // the sketch is untouched
        QVERIFY(status.count() >= 1 && status.last().at(0).toString().contains(QString::number(seed)));
        // Several classes, as a facade has: windows, a door, the facade itself.
        const cv::Mat ids = colourToLabels(labels->image(), LabelPalette::Cmp);
        for (const char* name : {"facade", "window", "door"})
            QVERIFY2(cv::countNonZero(ids == cmpClassId(name)) > 0, name);
        // One command: a single undo brings the previous canvas back.
        const cv::Mat first = labels->image().clone();
        QCOMPARE(labels->history()->undoText(), QStringLiteral("Random Facade"));
        labels->undo();
        QVERIFY(identical(labels->image(), before));
        labels->redo();
        QVERIFY(identical(labels->image(), first));
        // A new seed each time; a seed gives the same facade again.
        const quint64 second = documents.randomFacade();
        QVERIFY(second != seed);
        QVERIFY(!identical(labels->image(), first));
        documents.randomFacade(seed);
        QVERIFY(identical(labels->image(), first));
        documents.newCanvas(CanvasKind::FacadeLabels, QSize(1024, 512));
        documents.randomFacade();
        QCOMPARE(documents.document()->image().size(), cv::Size(1024, 512));
    }

    void everyExampleOpensInItsMode() {
        QVERIFY(starterExamples().size() >= 5);
        int labels = 0, sketches = 0;
        for (const StarterExample& e : starterExamples()) {
            auto settings = freshSettings();
            DocumentController documents(settings.get());
            documents.setMode(e.kind == CanvasKind::Edges ? CanvasKind::FacadeLabels : CanvasKind::Edges);
            QSignalSpy failed(&documents, &DocumentController::failed);
            QVERIFY2(documents.openExample(e.resource, e.kind, e.title), qPrintable(e.resource));
            QCOMPARE(failed.count(), 0);
            QVERIFY(documents.mode() == e.kind);
            const cv::Mat& image = documents.document()->image();
            QVERIFY(!image.empty() && image.type() == CV_8UC3);
            QVERIFY(documents.document()->filePath().isEmpty());  // untitled: Save asks where
            QVERIFY(!documents.document()->isModified());
            if (e.kind == CanvasKind::FacadeLabels) {
                ++labels;
                QVERIFY2(everyPixelIsAClass(image), qPrintable(e.resource));
                const cv::Mat ids = colourToLabels(image, LabelPalette::Cmp);
                QVERIFY2(cv::countNonZero(ids == cmpClassId("window")) > 0, qPrintable(e.resource));
            } else {
                ++sketches;
                // Black lines on white paper: mostly white, some ink.
                cv::Mat grey;
                cv::cvtColor(image, grey, cv::COLOR_BGR2GRAY);
                const double ink = cv::countNonZero(grey < 128) / double(grey.total());
                QVERIFY2(ink > 0.01 && ink < 0.3, qPrintable(QString::number(ink)));
            }
        }
        QVERIFY(labels >= 3);
        QVERIFY(sketches >= 2);
        // A missing resource fails and leaves the canvas.
        auto settings = freshSettings();
        DocumentController documents(settings.get());
        const cv::Mat before = documents.document()->image().clone();
        QSignalSpy failed(&documents, &DocumentController::failed);
        QVERIFY(!documents.openExample(QStringLiteral(":/examples/none.png"), CanvasKind::FacadeLabels,
                                       QStringLiteral("None")));
        QCOMPARE(failed.count(), 1);
        QVERIFY(identical(documents.document()->image(), before));
    }

    void onlyTheShowingCanvasIsPassedOn() {
        auto settings = freshSettings();
        DocumentController documents(settings.get());
        QSignalSpy changed(&documents, &DocumentController::imageChanged);
        QSignalSpy history(&documents, &DocumentController::historyChanged);
        documents.document(CanvasKind::Edges)->fillRectangle({1, 1}, {5, 5}, cv::Vec3b(0, 0, 0));
        QCOMPARE(changed.count(), 0);
        QCOMPARE(history.count(), 0);
        documents.document()->fillRectangle({1, 1}, {5, 5}, cmpClass(3).bgr());
        QVERIFY(changed.count() >= 1);
        QVERIFY(history.count() >= 1);
    }

    void openPhotoAsEdges() {
        cv::Mat photo(60, 80, CV_8UC3, cv::Scalar(40, 40, 40));
        photo(cv::Rect(20, 15, 40, 30)).setTo(cv::Scalar(230, 230, 230));
        const QString file = path(QStringLiteral("photo.png"));
        QVERIFY(cv::imwrite(file.toStdString(), photo));
        auto settings = freshSettings();
        DocumentController documents(settings.get());
        QVERIFY(documents.openPhotoAsEdges(file, EdgeOptions{}, 0));
        QVERIFY(documents.mode() == CanvasKind::Edges);
        QCOMPARE(documents.document()->image().size(), cv::Size(80, 60));
        QVERIFY(cv::countNonZero(documents.document()->image().reshape(1) == 0) > 0);  // some ink
        QSignalSpy failed(&documents, &DocumentController::failed);
        QVERIFY(!documents.openPhotoAsEdges(path(QStringLiteral("nothing.png")), EdgeOptions{}, 0));
        QCOMPARE(failed.count(), 1);
        QVERIFY(!documents.readPhoto(path(QStringLiteral("nothing.png"))));
    }

    void theClassListAndTheEyedropperFollowTheMode_data() {
        QTest::addColumn<CanvasKind>("mode");
        QTest::addColumn<cv::Vec3b>("colour");
        QTest::addColumn<int>("expectedIndex");
        QTest::addColumn<QString>("expectedMessage");
        const cv::Vec3b balcony = cmpClass(cmpClassId("balcony")).bgr();
        QTest::newRow("labels: a class")
            << CanvasKind::FacadeLabels << balcony << cmpClassId("balcony") - 1 << "Picked balcony";
        QTest::newRow("labels: not a class")
            << CanvasKind::FacadeLabels << cv::Vec3b(1, 2, 3) << -1 << "That colour is not a class";
        QTest::newRow("edges: dark grey is ink") << CanvasKind::Edges << cv::Vec3b(90, 90, 90) << 0 << "";
        QTest::newRow("edges: light grey is paper")
            << CanvasKind::Edges << cv::Vec3b(200, 200, 200) << 1 << "";
    }
    void theClassListAndTheEyedropperFollowTheMode() {
        QFETCH(CanvasKind, mode);
        QFETCH(cv::Vec3b, colour);
        QFETCH(int, expectedIndex);
        QFETCH(QString, expectedMessage);
        auto settings = freshSettings();
        DocumentController documents(settings.get());
        documents.setMode(mode);
        const PalettePick pick = documents.pickColour(colour);
        QCOMPARE(pick.index, expectedIndex);
        QCOMPARE(pick.message, expectedMessage);
        if (mode == CanvasKind::FacadeLabels) {
            QCOMPARE(documents.paletteEntries().size(), 12);
            QCOMPARE(documents.paletteEntries()[2].name, QStringLiteral("window"));
            QCOMPARE(documents.paletteSelection(), 2);  // window
            QCOMPARE(documents.secondaryColour(), cmpClass(cmpClassId("facade")).bgr());
            const QString border = documents.describePixel(QPoint(0, 0));
            QCOMPARE(border, QStringLiteral("0, 0 · background"));
        } else {
            QCOMPARE(documents.paletteEntries().size(), 2);
            QCOMPARE(documents.paletteSelection(), 0);  // ink
            QCOMPARE(documents.secondaryColour(), cv::Vec3b(255, 255, 255));
            QCOMPARE(documents.describePixel(QPoint(3, 4)), QStringLiteral("3, 4"));
        }
    }

    void eachModeKeepsItsPaletteRow() {
        auto settings = freshSettings();
        DocumentController documents(settings.get());
        documents.setPaletteSelection(5);
        documents.setMode(CanvasKind::Edges);
        documents.setPaletteSelection(1);
        documents.setMode(CanvasKind::FacadeLabels);
        QCOMPARE(documents.paletteSelection(), 5);
        documents.setMode(CanvasKind::Edges);
        QCOMPARE(documents.paletteSelection(), 1);
    }
};

QTEST_MAIN(TestDocumentController)
#include "test_document_controller.moc"
