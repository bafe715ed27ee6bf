// Which model the studio uses, without a window: a model's input kind decides its mode (issue 17: a model for
// the other mode switches the studio and is remembered there, never for the wrong mode, also across a restart
// with the same settings file), a model that does not say is asked about once per file, the embedded models
// per mode, failures, the GPU→CPU fallback and Model Information.

#include <QtTest/QtTest>

#include <QSettings>
#include <QTemporaryDir>

#include <QScrollBar>
#include <QTextBrowser>

#include "core/io/model_io.h"
#include "tests/support/test_support.h"
#include "ui/dialogs/model_info_dialog.h"
#include "ui/model_controller.h"
#include "ui/preview/preview_controller.h"

using namespace p2p;
using namespace p2p::ui;

Q_DECLARE_METATYPE(p2p::ui::CanvasKind)

namespace {

EngineOptions cpuEngine() {
    EngineOptions o;
    o.device = p2p::Device::cpu();
    o.threads = 1;
    o.warm_up = false;
    return o;
}

QString saveTinyModel(const QString& dir, const char* name, const char* inputKind) {
    torch::manual_seed(5);
    UnetGenerator g(test::tinyGeneratorOptions("unet_128"));
    SaveModelOptions o;
    o.name = name;
    o.input_kind = inputKind;
    const QString path = QDir(dir).filePath(QString::fromLatin1(name) + QStringLiteral(".p2pm"));
    saveModel(path.toStdString(), g, PatchDiscriminator{nullptr}, o);
    return path;
}

CanvasKind other(CanvasKind kind) {
    return kind == CanvasKind::Edges ? CanvasKind::FacadeLabels : CanvasKind::Edges;
}

// What the window holds: one settings file, the preview thread and the controller; the window follows the
// controller's mode switches.
struct Studio {
    Studio(const QString& settingsFile, ModelControllerOptions options)
        : settings(settingsFile, QSettings::IniFormat),
          preview(cpuEngine()),
          models(&preview, &settings, options) {
        QObject::connect(&models, &ModelController::modeSwitchRequested, &models, &ModelController::setMode);
    }
    QSettings settings;
    PreviewController preview;
    ModelController models;
};

bool waitFor(const QSignalSpy& spy, int count) {
    return QTest::qWaitFor([&] { return spy.count() >= count; }, 60000);
}

}  // namespace

class TestModelController : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString catalogDir_;  // facades.p2pm and edges.p2pm, as models/
    QString emptyDir_;
    QString facades_, edges_, unlabelled_;
    int settingsFiles_ = 0;

    QString freshSettingsFile() {
        return dir_.filePath(QStringLiteral("models-%1.ini").arg(++settingsFiles_));
    }

    ModelControllerOptions options(CanvasKind mode, const QString& modelDir) const {
        ModelControllerOptions o;
        o.mode = mode;
        o.modelDirectories = QStringList{modelDir};
        return o;
    }

    QString model(const QString& name) const {
        return name == QLatin1String("facades") ? facades_
               : name == QLatin1String("edges") ? edges_
                                                : unlabelled_;
    }

private Q_SLOTS:
    void initTestCase() {
        qRegisterMetaType<CanvasKind>();
        QVERIFY(dir_.isValid());
        catalogDir_ = dir_.filePath(QStringLiteral("models"));
        emptyDir_ = dir_.filePath(QStringLiteral("empty"));
        QVERIFY(QDir().mkpath(catalogDir_) && QDir().mkpath(emptyDir_));
        facades_ = saveTinyModel(catalogDir_, "facades", "facade-labels");
        edges_ = saveTinyModel(catalogDir_, "edges", "edges");
        unlabelled_ = saveTinyModel(dir_.path(), "unlabelled", "");  // says nothing about its input
    }

    void aModelServesTheModeItIsFor_data() {
        QTest::addColumn<CanvasKind>("startMode");
        QTest::addColumn<QString>("modelName");
        QTest::addColumn<CanvasKind>("expectedMode");
        const auto labels = CanvasKind::FacadeLabels;
        const auto edges = CanvasKind::Edges;
        QTest::newRow("facades model, facade mode") << labels << "facades" << labels;
        QTest::newRow("edges model, facade mode: switches (issue 17)") << labels << "edges" << edges;
        QTest::newRow("facades model, edge mode: switches (Use in studio)") << edges << "facades" << labels;
        QTest::newRow("edges model, edge mode") << edges << "edges" << edges;
        QTest::newRow("no input kind, facade mode: stays") << labels << "unlabelled" << labels;
        QTest::newRow("no input kind, edge mode: stays") << edges << "unlabelled" << edges;
    }
    void aModelServesTheModeItIsFor() {
        QFETCH(CanvasKind, startMode);
        QFETCH(QString, modelName);
        QFETCH(CanvasKind, expectedMode);
        const QString path = model(modelName);
        const QString settingsFile = freshSettingsFile();
        const bool switches = startMode != expectedMode;
        {
            Studio studio(settingsFile, options(startMode, emptyDir_));
            ModelController& models = studio.models;
            QSignalSpy ready(&models, &ModelController::modelReady);
            QSignalSpy switched(&models, &ModelController::modeSwitchRequested);
            QSignalSpy status(&models, &ModelController::statusMessage);
            models.loadModel(path);
            QVERIFY(models.loading());
            QVERIFY(waitFor(ready, 1));
            QVERIFY(!models.loading());
            QVERIFY(models.mode() == expectedMode);
            QVERIFY(models.modelMode() == expectedMode);
            QVERIFY(models.servesMode());
            QCOMPARE(switched.count(), switches ? 1 : 0);
            if (switches) {
                QVERIFY(switched.at(0).at(0).value<CanvasKind>() == expectedMode);
                const QString said = status.last().at(0).toString();  // the status bar says why
                QVERIFY2(said.contains(displayName(expectedMode).toLower()) && said.contains(modelName),
                         qPrintable(said));
            }
            // Remembered for the model's own mode only; a model that does not say was not asked about.
            QCOMPARE(models.rememberedModel(expectedMode), path);
            QCOMPARE(models.rememberedModel(other(expectedMode)), QString());
            QVERIFY(!models.answeredModeOf(path));
            models.saveSettings();
        }
        QSettings saved(settingsFile, QSettings::IniFormat);
        QCOMPARE(saved.value(QStringLiteral("model/") + toString(expectedMode)).toString(), path);
        QCOMPARE(saved.value(QStringLiteral("model/") + toString(other(expectedMode))).toString(), QString());

        // A restart with the same settings in the mode the studio started in: that mode does not get the
        // other mode's model back.
        Studio again(settingsFile, options(startMode, emptyDir_));
        QSignalSpy ready(&again.models, &ModelController::modelReady);
        QSignalSpy missing(&again.models, &ModelController::modelMissing);
        again.models.startCatalogScan();
        QVERIFY(QTest::qWaitFor([&] { return ready.count() + missing.count() > 0; }, 60000));
        if (switches) {
            QCOMPARE(missing.count(), 1);
            QVERIFY(!again.models.hasModel());
            again.models.setMode(expectedMode);  // the model's own mode still has it
            QVERIFY(waitFor(ready, 1));
        }
        QCOMPARE(ready.count(), 1);
        QCOMPARE(again.models.loadedModelPath(), path);
        QVERIFY(again.models.servesMode());
    }

    void aModelThatDoesNotSayIsAskedAboutOnce() {
        const QString settingsFile = freshSettingsFile();
        int asked = 0;
        std::optional<CanvasKind> answer = CanvasKind::Edges;
        ModelControllerOptions o = options(CanvasKind::FacadeLabels, emptyDir_);
        o.askModeFor = [&](const QString& path) {
            ++asked;
            return path == unlabelled_ ? answer : std::nullopt;
        };
        {
            Studio studio(settingsFile, o);
            ModelController& models = studio.models;
            QSignalSpy ready(&models, &ModelController::modelReady);
            models.loadModel(unlabelled_);
            QVERIFY(waitFor(ready, 1));
            QCOMPARE(asked, 1);
            QVERIFY(models.mode() == CanvasKind::Edges);  // the answer decides, as an input kind would
            QVERIFY(models.answeredModeOf(unlabelled_) == CanvasKind::Edges);
            QCOMPARE(models.rememberedModel(CanvasKind::Edges), unlabelled_);
            QCOMPARE(models.rememberedModel(CanvasKind::FacadeLabels), QString());

            models.loadModel(facades_);  // back to facade mode; a model that says is never asked about
            QVERIFY(waitFor(ready, 2));
            QVERIFY(models.mode() == CanvasKind::FacadeLabels);
            models.loadModel(unlabelled_);
            QVERIFY(waitFor(ready, 3));
            QCOMPARE(asked, 1);  // once per file
            QVERIFY(models.mode() == CanvasKind::Edges);
        }
        // The answer outlives a restart.
        Studio again(settingsFile, o);
        QSignalSpy ready(&again.models, &ModelController::modelReady);
        again.models.setMode(CanvasKind::FacadeLabels);
        again.models.loadModel(unlabelled_);
        QVERIFY(waitFor(ready, 1));
        QCOMPARE(asked, 1);
        QVERIFY(again.models.mode() == CanvasKind::Edges);
    }

    void anUnansweredQuestionTakesTheCurrentModeAndAsksAgain() {
        int asked = 0;
        ModelControllerOptions o = options(CanvasKind::Edges, emptyDir_);
        o.askModeFor = [&](const QString&) -> std::optional<CanvasKind> {
            ++asked;
            return std::nullopt;  // cancelled
        };
        Studio studio(freshSettingsFile(), o);
        QSignalSpy ready(&studio.models, &ModelController::modelReady);
        studio.models.loadModel(unlabelled_);
        QVERIFY(waitFor(ready, 1));
        QVERIFY(studio.models.mode() == CanvasKind::Edges);
        QVERIFY(studio.models.servesMode());
        QVERIFY(!studio.models.answeredModeOf(unlabelled_));
        studio.models.loadModel(unlabelled_);
        QVERIFY(waitFor(ready, 2));
        QCOMPARE(asked, 2);
    }

    void theEmbeddedModelsServeTheirModes() {
        Studio studio(freshSettingsFile(), options(CanvasKind::FacadeLabels, catalogDir_));
        ModelController& models = studio.models;
        QSignalSpy ready(&models, &ModelController::modelReady);
        QSignalSpy catalog(&models, &ModelController::catalogChanged);
        models.startCatalogScan();
        QVERIFY(models.scanning());
        QVERIFY(waitFor(ready, 1));
        QVERIFY(!models.scanning());
        QCOMPARE(models.catalog().entries().size(), 2);
        QVERIFY(catalog.count() >= 2);  // scanning, scanned
        QCOMPARE(models.loadedModelName(), QStringLiteral("facades"));
        models.setMode(CanvasKind::Edges);
        QVERIFY(waitFor(ready, 2));
        QCOMPARE(models.loadedModelName(), QStringLiteral("edges"));
        QVERIFY(models.servesMode());
        models.setMode(CanvasKind::FacadeLabels);
        QVERIFY(!models.servesMode());  // the edges model does not serve facade mode while facades reloads
        QVERIFY(waitFor(ready, 3));
        QCOMPARE(models.loadedModelName(), QStringLiteral("facades"));
    }

    void aWrongModelRememberedBeforeTheFixIsDropped() {
        // Settings as the studio left them before issue 17 was fixed: facade mode remembers the edges model.
        const QString settingsFile = freshSettingsFile();
        {
            QSettings stale(settingsFile, QSettings::IniFormat);
            stale.setValue(QStringLiteral("model/facade-labels"), edges_);
        }
        Studio studio(settingsFile, options(CanvasKind::FacadeLabels, catalogDir_));
        ModelController& models = studio.models;
        QSignalSpy ready(&models, &ModelController::modelReady);
        QSignalSpy switched(&models, &ModelController::modeSwitchRequested);
        models.startCatalogScan();
        QVERIFY(QTest::qWaitFor([&] { return models.servesMode(); }, 60000));
        QCOMPARE(switched.count(), 0);  // a remembered model does not move the studio to another mode
        QVERIFY(models.mode() == CanvasKind::FacadeLabels);
        QCOMPARE(models.loadedModelPath(), facades_);
        QCOMPARE(models.rememberedModel(CanvasKind::FacadeLabels), facades_);
        QCOMPARE(models.rememberedModel(CanvasKind::Edges), edges_);  // kept for its own mode
        QCOMPARE(studio.settings.value(QStringLiteral("model/facade-labels")).toString(), facades_);
    }

    void modelInformation_data() {
        QTest::addColumn<QString>("modelName");
        QTest::addColumn<QString>("input");
        QTest::addColumn<bool>("labelColours");
        QTest::newRow("facades") << "facades"
                                 << "facade-labels" << true;
        QTest::newRow("edges: no label colours") << "edges"
                                                 << "edges" << false;
    }
    void modelInformation() {
        QFETCH(QString, modelName);
        QFETCH(QString, input);
        QFETCH(bool, labelColours);
        Studio studio(freshSettingsFile(), options(CanvasKind::FacadeLabels, emptyDir_));
        QVERIFY(!studio.models.information());
        QSignalSpy ready(&studio.models, &ModelController::modelReady);
        studio.models.loadModel(model(modelName));
        QVERIFY(waitFor(ready, 1));
        const auto info = studio.models.information();
        QVERIFY(info);
        QCOMPARE(info->name, modelName);
        QVERIFY2(info->details.contains(QStringLiteral("input:         ") + input),
                 qPrintable(info->details));
        QCOMPARE(info->details.contains(QStringLiteral("label colours")), labelColours);
        bool hasColours = false, hasInput = false;
        for (const auto& [field, value] : info->fields) {
            hasColours = hasColours || field == QStringLiteral("label colours");
            hasInput = hasInput || (field == QStringLiteral("input") && value == input);
        }
        QCOMPARE(hasColours, labelColours);
        QVERIFY(hasInput);
        QVERIFY2(studio.models.deviceText().startsWith(QStringLiteral("CPU")),
                 qPrintable(studio.models.deviceText()));
    }

    void modelInformationShowsEveryField() {
        // Issue 17 defect 6: Model Information cut the one-line metadata JSON off. Every field is a row now,
        // each metadata entry its own (nested ones by path), and nothing is lost at a narrow width.
        ModelInfo info;
        info.name = "facades";
        info.path = "/a/rather/long/path/to/the/models/folder/that/does/not/break/facades.p2pm";
        info.format = "p2pm";
        info.direction = "BtoA";
        info.input_kind = "facade-labels";
        info.generator_parameters = 13600000;
        const std::string command =
            "pix2pix train --data ../shared/data/facades --run runs/facades --direction BtoA --ngf 32 --ndf "
            "32 "
            "--n_epochs 10 --n_epochs_decay 10 --seed 1 --threads 1 --save_epoch_freq 2 --sample_freq 400";
        info.metadata = {{"command", command},
                         {"epochs", 16},
                         {"data", {{"path", "../shared/data/facades/train"}, {"pairs", 400}}},
                         {"metrics", {{"fid", 112.5}, {"l1", 0.21}}},
                         {"trained_on", "AMD EPYC, 2 cores, no GPU"}};
        const auto rows = modelInformationFields(info, QStringLiteral("pix2pix facades set"));
        auto value = [&](const QString& field) {
            for (const auto& [f, v] : rows)
                if (f == field) return v;
            return QStringLiteral("<missing %1>").arg(field);
        };
        QCOMPARE(value("model"), QStringLiteral("facades"));
        QCOMPARE(value("file"), QString::fromStdString(info.path));
        QCOMPARE(value("direction"), QStringLiteral("BtoA"));
        QCOMPARE(value("input"), QStringLiteral("facade-labels"));
        QCOMPARE(value("discriminator"), QStringLiteral("none"));
        QCOMPARE(value("metadata: command"), QString::fromStdString(command));  // whole, without quotes
        QCOMPARE(value("metadata: epochs"), QStringLiteral("16"));
        QCOMPARE(value("metadata: data.path"), QStringLiteral("../shared/data/facades/train"));
        QCOMPARE(value("metadata: data.pairs"), QStringLiteral("400"));
        QCOMPARE(value("metadata: metrics.fid"), QStringLiteral("112.5"));
        QCOMPARE(value("metadata: trained_on"), QStringLiteral("AMD EPYC, 2 cores, no GPU"));
        QCOMPARE(value("label colours"), QStringLiteral("pix2pix facades set"));
        QVERIFY(!modelInformationFields(info).contains({QStringLiteral("label colours"), QString()}));

        // The dialog: every value in the text, wrapped to the width (no horizontal scrolling), even at 360
        // px.
        ModelInformation shown{QStringLiteral("facades"), QStringLiteral("CPU · 2 threads · fp32"), QString(),
                               rows};
        ModelInfoDialog dialog(shown);
        dialog.resize(360, 420);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        const QString text = dialog.browser()->toPlainText();
        for (const auto& [field, v] : rows) {
            QVERIFY2(text.contains(v), qPrintable(field + ": " + v));
            QVERIFY2(text.contains(QString(field).remove(QStringLiteral("metadata: "))), qPrintable(field));
        }
        QVERIFY(text.contains(QStringLiteral("Metadata")));
        QCOMPARE(dialog.browser()->horizontalScrollBar()->maximum(), 0);
        const QTextDocument* doc = dialog.browser()->document();
        QVERIFY2(
            doc->idealWidth() <= dialog.browser()->viewport()->width() + 1,
            qPrintable(
                QStringLiteral("%1 > %2").arg(doc->idealWidth()).arg(dialog.browser()->viewport()->width())));
    }

    void aBadModelIsReportedAndThePreviousStays() {
        Studio studio(freshSettingsFile(), options(CanvasKind::FacadeLabels, emptyDir_));
        ModelController& models = studio.models;
        QSignalSpy ready(&models, &ModelController::modelReady);
        QSignalSpy failed(&models, &ModelController::loadFailed);
        models.loadModel(facades_);
        QVERIFY(waitFor(ready, 1));
        const QString bad = dir_.filePath(QStringLiteral("bad.p2pm"));
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("nope");
        f.close();
        models.loadModel(bad);
        QVERIFY(waitFor(failed, 1));
        QCOMPARE(failed.at(0).at(0).toString(), bad);
        QVERIFY(failed.at(0).at(1).toString().contains(QStringLiteral("bad.p2pm")));
        QVERIFY(!models.loading());
        QCOMPARE(models.loadedModelPath(), facades_);
        QVERIFY(models.servesMode());
        QCOMPARE(models.rememberedModel(CanvasKind::FacadeLabels), facades_);
    }

    void noModelSaysWhereItLooked() {
        Studio studio(freshSettingsFile(), options(CanvasKind::Edges, emptyDir_));
        QSignalSpy missing(&studio.models, &ModelController::modelMissing);
        studio.models.startCatalogScan();
        QVERIFY(waitFor(missing, 1));
        QVERIFY(missing.at(0).at(0).toString().contains(QStringLiteral("No embedded models found")));
        QVERIFY2(missing.at(0).at(1).toString().contains(emptyDir_),
                 qPrintable(missing.at(0).at(1).toString()));
        QVERIFY(missing.at(0).at(1).toString().contains(QStringLiteral("no edges model")));
    }

    void theGpuFallbackIsReported() {
        Studio studio(freshSettingsFile(), options(CanvasKind::FacadeLabels, emptyDir_));
        QSignalSpy status(&studio.models, &ModelController::statusMessage);
        Q_EMIT studio.preview.deviceFellBack(QStringLiteral("CUDA out of memory"));
        QCOMPARE(status.count(), 1);
        const QString said = status.at(0).at(0).toString();
        QVERIFY2(said.contains(QStringLiteral("CPU")) && said.contains(QStringLiteral("CUDA out of memory")),
                 qPrintable(said));
        // The model the worker reloads on the CPU does not cover that message with "model loaded".
        QSignalSpy ready(&studio.models, &ModelController::modelReady);
        studio.models.loadModel(facades_);
        QVERIFY(waitFor(ready, 1));
        for (const auto& message : status)
            QVERIFY(!message.at(0).toString().startsWith(QStringLiteral("Model facades loaded")));
    }

    void normalisationReloadsTheModelAndIsRemembered() {
        const QString settingsFile = freshSettingsFile();
        {
            Studio studio(settingsFile, options(CanvasKind::Edges, emptyDir_));
            ModelController& models = studio.models;
            QSignalSpy ready(&models, &ModelController::modelReady);
            models.loadModel(edges_);
            QVERIFY(waitFor(ready, 1));
            QVERIFY(models.normalisation() == NormStats::Image);
            models.setNormalisation(NormStats::Running);
            QVERIFY(models.loading());
            QVERIFY(waitFor(ready, 2));  // the same model again
            QVERIFY(!models.loading());
            QVERIFY(models.mode() == CanvasKind::Edges && models.servesMode());
            QCOMPARE(models.loadedModelPath(), edges_);
        }
        Studio again(settingsFile, options(CanvasKind::Edges, emptyDir_));
        QVERIFY(again.models.normalisation() == NormStats::Running);
        QVERIFY(again.preview.engineOptions().preview_norm == NormStats::Running);
    }
};

QTEST_MAIN(TestModelController)
#include "test_model_controller.moc"
