#pragma once

// The studio's window: canvas and live preview side by side (or the preview overlaid on the canvas), tools,
// the class palette, menus with the usual shortcuts, and a status bar with device, model, latency and fps.
// What happens to files lives in DocumentController and which model runs in ModelController; the window shows
// them, asks the user (dialogs) and runs the preview.

#include <QMainWindow>

#include <array>
#include <memory>
#include <optional>

#include "core/edges/edges.h"
#include "ui/canvas/label_document.h"
#include "ui/document_controller.h"
#include "ui/model_controller.h"
#include "ui/preview/preview_types.h"

class QLabel;
class QSettings;
class QSplitter;

namespace p2p::ui {

class CanvasView;
class FileDialogs;
class ModelExporter;
class PaletteWidget;
class PreviewController;
class PreviewView;
class StatusFields;
class TrainingPanel;
struct StudioActions;
struct StudioMenus;
struct StudioToolBars;

struct MainWindowOptions {
    bool interactive = true;       // message boxes and questions; off in tests (errors still reach the
                                   // status bar and errorReported)
    bool loadStartupModel = true;  // scan the embedded models and load the one for the current mode
    QString settingsFile;          // an INI file instead of the user's settings (tests)
    std::optional<QStringList> modelDirectories;  // where to look for models; default: ModelCatalog's search
    std::optional<QString> runsDirectory;  // Model ▸ Recent runs looks here; default: where the panel trains
    EngineOptions engine;
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(MainWindowOptions options = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    CanvasKind mode() const { return documents_->mode(); }
    LabelDocument* document() const { return documents_->document(); }
    DocumentController* documents() const { return documents_; }
    ModelController* models() const { return models_; }
    CanvasView* canvasView() const { return canvas_; }
    PreviewView* previewView() const { return preview_; }
    PreviewController* previewController() const { return controller_; }
    ModelExporter* modelExporter() const { return exporter_; }
    PaletteWidget* paletteWidget() const { return palette_; }
    TrainingPanel* trainingPanel() const { return training_; }
    QString lastError() const { return lastError_; }
    bool hasModel() const { return models_->hasModel(); }
    QString loadedModelName() const { return models_->loadedModelName(); }
    QString loadedModelPath() const { return models_->loadedModelPath(); }
    QImage lastResult() const { return lastResult_; }
    TranslateOptions translateOptions() const;

    // Each returns false (and reports why) when it fails; the canvas is then unchanged. DocumentController
    // does the work.
    bool openFile(const QString& path) { return documents_->openFile(path); }
    bool openPhotoAsEdges(const QString& path, const EdgeOptions& options, int longestSide) {
        return documents_->openPhotoAsEdges(path, options, longestSide);
    }
    bool saveCanvas(const QString& path) { return documents_->saveCanvas(path); }
    bool exportResult(const QString& path) { return documents_->exportResult(lastResult_, path); }
    bool exportSideBySide(const QString& path) { return documents_->exportSideBySide(lastResult_, path); }
    void newCanvas(CanvasKind kind, QSize size) { documents_->newCanvas(kind, size); }
    // A model meant for the other mode switches the studio to that mode (ModelController).
    void loadModel(const QString& path, const ModelLoadOptions& options = {});
    void setMode(CanvasKind kind);
    void selectClass(int index);  // a row of the palette: CMP class id - 1 in label mode; ink/paper in edges

Q_SIGNALS:
    void errorReported(const QString& message);
    void previewShown(quint64 requestId);
    void modelReady(const QString& name);
    void modelMissing(const QString& message);  // no model for the current mode; says where it looked
    void architectureRequested(const QString& path);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildCentralWidget();
    void buildDocks();
    void connectActions();
    void connectControllers();
    void restoreSettings();
    void saveSettings();

    void reportError(const QString& message);
    void showStatus(const QString& message, int timeoutMs = 4000);

    void requestPreview();
    void onResult(const PreviewResult& result);
    void onPreviewFailed(const QString& message);
    void onModelChanged();
    void onModelLoadFailed(const QString& path, const QString& message, bool architectureRequired);
    void onModelMissing(const QString& statusText, const QString& detail);
    void updateModelStatus();
    void rebuildModelMenu();
    void rebuildRecentMenu();

    void onModeChanged(CanvasKind kind);
    void onDocumentReset();
    void onHistoryChanged();
    void updatePaletteForMode();
    void updateTitle();
    void updateCaptions();
    void setOverlay(bool on);
    void setCompare(bool on);  // View ▸ Compare; the overlay and the split preview exclude each other
    void changeBrushSize(int direction);
    void newVariation();

    MainWindowOptions options_;
    std::unique_ptr<QSettings> settings_;
    DocumentController* documents_ = nullptr;
    ModelController* models_ = nullptr;
    PreviewController* controller_ = nullptr;
    ModelExporter* exporter_ = nullptr;  // Model ▸ Export…
    FileDialogs* files_ = nullptr;       // asks for files, then hands them to documents_ or models_

    CanvasView* canvas_ = nullptr;
    PreviewView* preview_ = nullptr;
    QSplitter* splitter_ = nullptr;
    QLabel* canvasCaption_ = nullptr;
    QLabel* previewCaption_ = nullptr;
    QWidget* previewPane_ = nullptr;
    PaletteWidget* palette_ = nullptr;
    TrainingPanel* training_ = nullptr;  // in the "Training" dock

    std::unique_ptr<StudioActions> actions_;
    std::unique_ptr<StudioMenus> menus_;
    std::unique_ptr<StudioToolBars> bars_;
    std::unique_ptr<StatusFields> status_;

    // Each canvas keeps its own brush: broad for label regions, thin for edges (the edges model was trained
    // on 1-px Canny lines).
    std::array<int, 2> brushForMode_{8, 2};

    // Preview state.
    quint64 firstValidRequest_ = 0;  // results of requests before this are for an older canvas
    QImage lastResult_;
    QString lastError_;
};

}  // namespace p2p::ui
