#pragma once

// Which model the studio translates with: the embedded models (ModelCatalog, scanned off the GUI thread),
// loading through the preview thread, the model each mode remembers (in settings), the mode a model is for,
// the GPU→CPU fallback, and what Model Information shows. No widgets: the window shows what this reports.
//
// A model's input kind (its metadata's input_kind) decides its mode: a model for the other mode switches the
// studio to that mode (modeSwitchRequested) and is remembered there, never for the wrong mode. A model that
// does not say is asked about once (ModelControllerOptions::askModeFor) and the answer is kept for that file;
// without a question (tests, the self-test) it serves the mode it was loaded in.

#include <QFutureWatcher>
#include <QObject>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QVector>

#include <array>
#include <functional>
#include <optional>

#include "ui/canvas/label_document.h"
#include "ui/model_catalog.h"
#include "ui/preview/preview_types.h"

class QSettings;

namespace p2p::ui {

class PreviewController;

// Model ▸ Model Information.
struct ModelInformation {
    QString name;
    QString description;  // the engine's line: device, threads, precision
    QString details;      // ModelInfo::describe(), and the label colours for a label model
    QVector<QPair<QString, QString>> fields;  // every field, one row each (modelInformationFields)
};

// Every field of a model's information as (field, value) rows, for a table that wraps long values: the
// header fields of ModelInfo::describe(), then each metadata entry on its own row (nested objects as
// "data.path"; strings without quotes, other values as JSON), then the label colours when `labelColours` is
// given (a label model).
QVector<QPair<QString, QString>> modelInformationFields(const ModelInfo& info,
                                                        const std::optional<QString>& labelColours = {});

// Asks which mode a model without an input kind is for; nullopt when the user does not say.
using ModeQuestion = std::function<std::optional<CanvasKind>(const QString& modelPath)>;

struct ModelControllerOptions {
    CanvasKind mode = CanvasKind::FacadeLabels;   // the studio's mode at start
    std::optional<QStringList> modelDirectories;  // where the catalog looks; default: ModelCatalog's search
    ModeQuestion askModeFor;                      // empty: such a model serves the mode it was loaded in
};

class ModelController : public QObject {
    Q_OBJECT
public:
    // `preview` loads and runs the models; `settings` keeps each mode's model and the answers. Neither is
    // owned.
    ModelController(PreviewController* preview, QSettings* settings, ModelControllerOptions options = {},
                    QObject* parent = nullptr);
    ~ModelController() override;  // waits for a catalog scan in flight

    // Scans the model folders off the GUI thread, then loads the current mode's model.
    void startCatalogScan();
    bool scanning() const { return scanning_; }
    const ModelCatalog& catalog() const { return catalog_; }

    CanvasKind mode() const { return mode_; }
    void setMode(CanvasKind kind);  // the studio's mode changed: that mode's model is loaded
    // The user's choice (a menu, Load Model…, the training panel): its input kind decides its mode.
    void loadModel(const QString& path, const ModelLoadOptions& options = {});
    NormStats normalisation() const;
    void setNormalisation(NormStats stats);  // reloads the model with it
    void saveSettings();

    bool loading() const { return loading_; }
    bool hasModel() const { return model_.has_value(); }
    const std::optional<LoadedModelSummary>& model() const { return model_; }
    CanvasKind modelMode() const { return modelMode_; }  // the mode the loaded model is for
    QString loadedModelName() const;
    QString loadedModelPath() const;
    bool servesMode() const;  // the loaded model is the current mode's
    QString rememberedModel(CanvasKind kind) const;
    std::optional<CanvasKind> answeredModeOf(const QString& modelPath) const;  // the user's answer, if asked

    // What the window shows.
    QString deviceText() const;    // "CPU · 2 threads · …", "" without a model for the mode
    QString modelDetails() const;  // for tooltips and Model Information
    std::optional<ModelInformation> information() const;
    static QString noModelText(CanvasKind kind);  // the preview's placeholder

Q_SIGNALS:
    void loadStarted(const QString& path);
    void modelChanged();  // a model loaded, or the mode's model changed: refresh and translate again
    void modelReady(const QString& name);
    void modeSwitchRequested(p2p::ui::CanvasKind kind);  // the model just loaded is for the other mode
    void loadFailed(const QString& path, const QString& message, bool architectureRequired);
    void modelMissing(const QString& statusText, const QString& detail);  // detail: where it looked
    void catalogChanged();
    void statusMessage(const QString& message, int timeoutMs);

private:
    struct LoadRequest {
        CanvasKind mode;  // the mode it was loaded in
        bool automatic;   // the mode's remembered model or the catalog's default, not the user's choice
    };

    void loadModelForMode();
    void startLoad(const QString& path, const ModelLoadOptions& options, bool automatic);
    void onModelLoaded(const LoadedModelSummary& summary);
    void onModelLoadFailed(const QString& path, const QString& message, bool architectureRequired);
    void onCatalogScanned();
    CanvasKind modeFor(const ModelInfo& info, const LoadRequest& request);
    bool knownForOtherMode(const QString& path) const;
    void remember(CanvasKind kind, const QString& path);  // in settings too, at once
    void forget(CanvasKind kind);
    static int slot(CanvasKind kind) { return kind == CanvasKind::Edges ? 1 : 0; }

    PreviewController* preview_;
    QSettings* settings_;
    ModelControllerOptions options_;
    CanvasKind mode_;
    std::array<QString, 2> remembered_;  // each mode's model: the last loaded in it

    ModelCatalog catalog_;
    QFutureWatcher<QVector<CatalogEntry>> catalogWatcher_;
    bool scanning_ = false;

    std::optional<LoadedModelSummary> model_;
    CanvasKind modelMode_ = CanvasKind::FacadeLabels;
    std::optional<LoadRequest> pending_;  // the load in flight; none for a reload of the same model
    bool loading_ = false;
    bool fellBack_ = false;        // the GPU failed just now: its message stays over "model loaded"
    bool noModelMessage_ = false;  // the status bar says no model was found
};

}  // namespace p2p::ui
