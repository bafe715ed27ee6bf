#pragma once

// The studio's window: canvas and live preview side by side (or the preview overlaid on the canvas), tools,
// the class palette, menus with the usual shortcuts, and a status bar with device, model, latency and fps.

#include <QFutureWatcher>
#include <QMainWindow>
#include <QPointer>
#include <QVector>

#include <array>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "core/edges/edges.h"
#include "ui/canvas/label_document.h"
#include "ui/model_catalog.h"
#include "ui/preview/preview_types.h"

class QAction;
class QActionGroup;
class QComboBox;
class QFrame;
class QLabel;
class QMenu;
class QSettings;
class QSlider;
class QSpinBox;
class QSplitter;

namespace p2p::ui {

class CanvasView;
class ModelExporter;
class PaletteWidget;
class PreviewController;
class PreviewView;
class TrainingPanel;

struct MainWindowOptions {
    bool interactive = true;       // message boxes and questions; off in tests (errors still reach the
                                   // status bar and errorReported)
    bool loadStartupModel = true;  // scan the embedded models and load the one for the current mode
    QString settingsFile;          // an INI file instead of the user's settings (tests)
    std::optional<QStringList> modelDirectories;  // where to look for models; default: ModelCatalog's search
    EngineOptions engine;
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(MainWindowOptions options = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    CanvasKind mode() const { return mode_; }
    LabelDocument* document() const { return documents_[index(mode_)]; }
    CanvasView* canvasView() const { return canvas_; }
    PreviewView* previewView() const { return preview_; }
    PreviewController* previewController() const { return controller_; }
    ModelExporter* modelExporter() const { return exporter_; }
    PaletteWidget* paletteWidget() const { return palette_; }
    TrainingPanel* trainingPanel() const { return training_; }
    QString lastError() const { return lastError_; }
    bool hasModel() const { return model_.has_value(); }
    QString loadedModelName() const;
    QString loadedModelPath() const;
    QImage lastResult() const { return lastResult_; }
    TranslateOptions translateOptions() const;

    // Each returns false (and reports why) when it fails; the canvas is then unchanged.
    bool openFile(const QString& path);
    bool openPhotoAsEdges(const QString& path, const EdgeOptions& options, int longestSide);
    bool saveCanvas(const QString& path);
    bool exportResult(const QString& path);
    bool exportSideBySide(const QString& path);
    void newCanvas(CanvasKind kind, QSize size);
    void loadModel(const QString& path, const ModelLoadOptions& options = {});
    void setMode(CanvasKind kind);
    void selectClass(int index);  // a row of the palette: CMP class id - 1 in label mode; ink/paper in edges

    // The starting canvas of a kind: labels are all facade on a background border, edges are white paper.
    static cv::Mat blankCanvas(CanvasKind kind, QSize size);

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
    static int index(CanvasKind kind) { return kind == CanvasKind::Edges ? 1 : 0; }

    void createActions();
    void createMenus();
    void createToolBars();
    void createStatusBar();
    void createDocks();
    void restoreSettings();
    void saveSettings();

    void reportError(const QString& message);
    void showStatus(const QString& message, int timeoutMs = 4000);
    bool confirmDiscard(LabelDocument* document);

    void requestPreview();
    void onResult(const PreviewResult& result);
    void onPreviewFailed(const QString& message);
    void onModelLoaded(const LoadedModelSummary& summary);
    void onModelLoadFailed(const QString& path, const QString& message, bool architectureRequired);
    void onCatalogScanned();
    void loadModelForMode();
    void rebuildModelMenu();
    void updateModelStatus();
    void syncStatusFields();
    bool modelServesMode() const;  // the loaded model is the current mode's

    void onDocumentReset();
    void onHistoryChanged();
    void onColourPicked(const cv::Vec3b& colour);
    void onHover(const QPoint& pixel, bool inside);
    void updatePaletteForMode();
    void updateTitle();
    void updateCaptions();
    void setOverlay(bool on);
    void changeBrushSize(int direction);
    void setNormalisation(NormStats stats);
    void newVariation();

    void addRecentFile(const QString& path);
    void rebuildRecentMenu();

    // Slots for menu actions.
    void fileNew();
    void fileOpen();
    void fileOpenPhoto();
    bool fileSave();
    bool fileSaveAs();
    void fileExportResult();
    void fileExportSideBySide();
    void fileLoadModel();
    void showModelInfo();
    void clearCanvas();
    void about();
    QString dialogDirectory() const;

    MainWindowOptions options_;
    std::unique_ptr<QSettings> settings_;

    std::array<LabelDocument*, 2> documents_{};
    CanvasKind mode_ = CanvasKind::FacadeLabels;
    std::array<int, 2> selectedClass_{2, 0};  // window in label mode, ink in edge mode

    CanvasView* canvas_ = nullptr;
    PreviewView* preview_ = nullptr;
    QSplitter* splitter_ = nullptr;
    QLabel* canvasCaption_ = nullptr;
    QLabel* previewCaption_ = nullptr;
    QWidget* previewPane_ = nullptr;
    PaletteWidget* palette_ = nullptr;
    TrainingPanel* training_ = nullptr;  // in the "Training" dock
    PreviewController* controller_ = nullptr;
    ModelExporter* exporter_ = nullptr;  // Model ▸ Export…

    // Models.
    ModelCatalog catalog_;
    QFutureWatcher<QVector<CatalogEntry>> catalogWatcher_;
    std::optional<LoadedModelSummary> model_;
    bool modelLoading_ = false;
    CanvasKind loadingMode_ = CanvasKind::FacadeLabels;  // the mode a model is being loaded for
    // Each canvas keeps its own brush: broad for label regions, thin for edges (the edges model was trained
    // on 1-px Canny lines).
    std::array<int, 2> brushForMode_{8, 2};
    std::array<QString, 2> modelForMode_;                // the model each mode uses (last loaded in it)

    // Preview state.
    quint64 firstValidRequest_ = 0;  // results of requests before this are for an older canvas
    QImage lastResult_;
    double lastLatencyMs_ = 0;
    QString lastError_;

    // Widgets in bars.
    QComboBox* modeCombo_ = nullptr;
    QSpinBox* brushSpin_ = nullptr;
    QSlider* opacitySlider_ = nullptr;
    QAction* opacityAction_ = nullptr;
    QSpinBox* seedSpin_ = nullptr;
    QLabel* cursorLabel_ = nullptr;
    QLabel* deviceLabel_ = nullptr;
    QLabel* modelLabel_ = nullptr;
    QLabel* latencyLabel_ = nullptr;
    std::vector<std::pair<QLabel*, QFrame*>> statusFields_;  // each permanent field and its separator
    bool noModelMessage_ = false;                             // the status bar says no model was found

    // Actions.
    QAction *newAct_, *openAct_, *openPhotoAct_, *saveAct_, *saveAsAct_, *exportResultAct_, *exportSideAct_,
        *loadModelAct_, *modelInfoAct_, *exportModelAct_, *quitAct_;
    QAction *undoAct_, *redoAct_, *clearAct_;
    QAction *brushAct_, *eraserAct_, *rectAct_, *fillAct_, *pickAct_, *biggerAct_, *smallerAct_;
    QAction *overlayAct_, *zoomInAct_, *zoomOutAct_, *zoomFitAct_, *zoom100Act_, *heatmapAct_;
    QAction *deterministicAct_, *variationAct_, *normImageAct_, *normRunningAct_;
    QActionGroup* toolGroup_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QMenu* modelMenu_ = nullptr;
    QMenu* viewMenu_ = nullptr;
    QVector<QAction*> modelEntryActions_;
};

}  // namespace p2p::ui
