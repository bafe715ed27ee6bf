#include "ui/main_window.h"

#include <QAction>
#include <QActionGroup>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QRandomGenerator>
#include <QSettings>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>

#include <algorithm>
#include <cmath>
#include <limits>

#include "ui/canvas/canvas_view.h"
#include "ui/canvas/palette_binding.h"
#include "ui/dialogs/file_dialogs.h"
#include "ui/dialogs/studio_messages.h"
#include "ui/document_controller.h"
#include "ui/image_convert.h"
#include "ui/model_controller.h"
#include "ui/model_export_dialog.h"
#include "ui/palette_widget.h"
#include "ui/preview/preview_controller.h"
#include "ui/preview/preview_view.h"
#include "ui/recent_runs.h"
#include "ui/starter_examples.h"
#include "ui/studio_actions.h"
#include "ui/studio_bars.h"
#include "ui/training/training_dock.h"
#include "ui/training/training_panel.h"
#include "ui/window_geometry.h"

namespace p2p::ui {

namespace {

int slot(CanvasKind kind) {
    return kind == CanvasKind::Edges ? 1 : 0;
}

QString brushKey(CanvasKind kind) {
    return QStringLiteral("canvas/brushSize/") + toString(kind);
}

}  // namespace

MainWindow::MainWindow(MainWindowOptions options, QWidget* parent)
    : QMainWindow(parent), options_(std::move(options)) {
    settings_ = options_.settingsFile.isEmpty()
                    ? std::make_unique<QSettings>()
                    : std::make_unique<QSettings>(options_.settingsFile, QSettings::IniFormat);
    setAcceptDrops(true);
    setDocumentMode(true);

    documents_ = new DocumentController(settings_.get(), this);
    controller_ = new PreviewController(options_.engine, this);
    ModelControllerOptions modelOptions;
    modelOptions.mode = documents_->mode();
    modelOptions.modelDirectories = options_.modelDirectories;
    if (options_.interactive)
        modelOptions.askModeFor = [this](const QString& path) { return askModeForModel(this, path, mode()); };
    models_ = new ModelController(controller_, settings_.get(), modelOptions, this);
    exporter_ = new ModelExporter(this);
    files_ = new FileDialogs(this, documents_, models_, options_.interactive);

    buildCentralWidget();
    actions_ = std::make_unique<StudioActions>(this);
    menus_ = std::make_unique<StudioMenus>(buildMenus(this, *actions_));
    bars_ = std::make_unique<StudioToolBars>(buildToolBars(this, *actions_, menus_->view));
    buildDocks();
    status_ = std::make_unique<StatusFields>(this);
    status_->describePixel = [this](QPoint pixel) { return documents_->describePixel(pixel); };
    status_->clearHoverOnLeave(canvas_);
    fillExamplesMenu(menus_->examples, starterExamples(), [this](const StarterExample& e) {
        if (files_->confirmDiscard(documents_->document(e.kind)))
            documents_->openExample(e.resource, e.kind, e.title);
    });
    connectActions();
    connectControllers();
    restoreSettings();

    canvas_->setDocument(document());
    onDocumentReset();
    updatePaletteForMode();
    onHistoryChanged();
    updateModelStatus();
    rebuildModelMenu();
    if (options_.loadStartupModel) models_->startCatalogScan();  // "Looking for models…" until it is done
}

MainWindow::~MainWindow() {
    // The preview thread must stop before the documents and views it reports to go away.
    delete controller_;
    controller_ = nullptr;
}

// ------------------------------------------------------------------------------------------------ building

void MainWindow::buildCentralWidget() {
    canvas_ = new CanvasView;
    preview_ = new PreviewView;
    preview_->setPlaceholder(ModelController::noModelText(mode()));
    connect(canvas_, &ImageViewport::viewChanged, preview_, &ImageViewport::setView);
    connect(preview_, &ImageViewport::viewChanged, canvas_, &ImageViewport::setView);
    connect(canvas_, &ImageViewport::viewChanged, this, [this] { updateCaptions(); });
    connect(canvas_, &CanvasView::colourPicked, this, [this](const cv::Vec3b& colour) {
        const PalettePick pick = documents_->pickColour(colour);
        if (pick.index >= 0) selectClass(pick.index);
        if (!pick.message.isEmpty()) showStatus(pick.message);
    });
    connect(canvas_, &CanvasView::secondaryColourPicked, this, [this](const cv::Vec3b& colour) {
        const PalettePick pick = documents_->pickColour(colour);
        if (pick.index >= 0) palette_->setSecondaryIndex(pick.index);
    });
    connect(canvas_, &CanvasView::hoverChanged, this,
            [this](const QPoint& pixel, bool inside) { status_->hover(pixel, inside); });

    splitter_ = new QSplitter(Qt::Horizontal);
    splitter_->addWidget(captionedPane(canvasCaption_, canvas_));
    previewPane_ = captionedPane(previewCaption_, preview_);
    splitter_->addWidget(previewPane_);
    splitter_->setChildrenCollapsible(false);
    splitter_->setHandleWidth(6);
    setCentralWidget(splitter_);
}

void MainWindow::buildDocks() {
    palette_ = new PaletteWidget;
    bindPalette(palette_, canvas_);  // rows <-> the canvas's primary and secondary colours
    connect(palette_, &PaletteWidget::currentIndexChanged, this, [this](int i) {
        if (i >= 0) documents_->setPaletteSelection(i);
    });
    auto* dock = new QDockWidget(tr("Classes"), this);
    dock->setObjectName(QStringLiteral("paletteDock"));
    dock->setWidget(palette_);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                      QDockWidget::DockWidgetClosable);
    addDockWidget(Qt::LeftDockWidgetArea, dock);
    resizeDocks({dock}, {190}, Qt::Horizontal);
    menus_->view->addAction(dock->toggleViewAction());

    // Training: a dock (hidden until asked for), so the canvas and preview stay in view and usable while a
    // model trains; "Use in studio" loads the run's newest model into the preview.
    training_ = new TrainingPanel(nullptr, settings_.get());
    QDockWidget* trainingDock = addTrainingDock(this, training_);
    QAction* trainingAct = trainingDock->toggleViewAction();
    trainingAct->setText(tr("&Training Panel"));
    trainingAct->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T));
    menus_->view->addAction(trainingAct);
    connect(training_, &TrainingPanel::useModelRequested, this,
            [this](const QString& path) { loadModel(path); });

    // Number keys select classes; a window-wide shortcut so they work wherever the focus is.
    for (int i = 0; i < 12; ++i) {
        auto* a = new QAction(this);
        a->setShortcut(QKeySequence(PaletteWidget::shortcutFor(i)));
        connect(a, &QAction::triggered, this, [this, i] { selectClass(i); });
        addAction(a);
    }
}

void MainWindow::connectActions() {
    const StudioActions& a = *actions_;
    auto on = [this](QAction* action, auto slot) { connect(action, &QAction::triggered, this, slot); };
    on(a.newCanvas, [this] { files_->newCanvas(); });
    on(a.randomFacade, [this] { documents_->randomFacade(); });
    on(a.open, [this] { files_->open(); });
    on(a.openPhoto, [this] { files_->openPhotoAsEdges(); });
    on(a.save, [this] { files_->save(); });
    on(a.saveAs, [this] { files_->saveAs(); });
    on(a.exportResult, [this] { files_->exportImage(lastResult_, /*sideBySide=*/false); });
    on(a.exportSideBySide, [this] { files_->exportImage(lastResult_, /*sideBySide=*/true); });
    on(a.quit, [this] { close(); });
    on(a.loadModel, [this] { files_->loadModel(); });
    on(a.modelInfo, [this] { showModelInformation(this, models_->information()); });
    on(a.exportModel, [this] {
        if (hasModel())
            exporter_->exportInteractively(loadedModelPath(), documents_->dialogDirectory(),
                                           models_->normalisation());
    });
    on(a.undo, [this] { document()->undo(); });
    on(a.redo, [this] { document()->redo(); });
    on(a.clear, [this] { documents_->clearCanvas(); });
    connect(a.tools, &QActionGroup::triggered, this,
            [this](QAction* t) { canvas_->setTool(Tool(t->data().toInt())); });
    on(a.swapColours, [this] { canvas_->swapColours(); });
    on(a.biggerBrush, [this] { changeBrushSize(+1); });
    on(a.smallerBrush, [this] { changeBrushSize(-1); });
    on(a.overlay, [this](bool checked) { setOverlay(checked); });
    connect(a.compare, &QAction::toggled, this, &MainWindow::setCompare);
    on(a.heatmap, [this](bool checked) {
        preview_->setHeatmapVisible(checked);
        requestPreview();
    });
    on(a.zoomIn, [this] { canvas_->zoomIn(); });
    on(a.zoomOut, [this] { canvas_->zoomOut(); });
    on(a.zoomFit, [this] { canvas_->zoomToFit(); });
    on(a.zoom100, [this] { canvas_->zoomActualSize(); });
    on(a.deterministic, [this](bool checked) {
        bars_->seed->setEnabled(!checked);
        updateCaptions();
        requestPreview();
    });
    on(a.variation, [this] { newVariation(); });
    on(a.normImage, [this] { models_->setNormalisation(NormStats::Image); });
    on(a.normRunning, [this] { models_->setNormalisation(NormStats::Running); });
    on(a.about, [this] { showAbout(this); });

    connect(bars_->mode, &QComboBox::activated, this,
            [this](int i) { setMode(CanvasKind(bars_->mode->itemData(i).toInt())); });
    bars_->brush->setValue(canvas_->brushSize());
    connect(bars_->brush, &QSpinBox::valueChanged, canvas_, &CanvasView::setBrushSize);
    connect(canvas_, &CanvasView::brushSizeChanged, bars_->brush, &QSpinBox::setValue);
    connect(bars_->overlayOpacity, &QSlider::valueChanged, this,
            [this](int v) { canvas_->setOverlayOpacity(v / 100.0); });
    connect(bars_->seed, &QSpinBox::valueChanged, this, [this] {
        if (actions_->deterministic->isChecked()) return;
        updateCaptions();
        requestPreview();
    });
}

void MainWindow::connectControllers() {
    connect(documents_, &DocumentController::modeChanged, this, &MainWindow::onModeChanged);
    connect(documents_, &DocumentController::imageChanged, this, &MainWindow::requestPreview);
    // A fill or an undo under a still mouse: the status bar names the class now under it at once.
    connect(documents_, &DocumentController::imageChanged, this, [this] { status_->refreshHover(); });
    connect(documents_, &DocumentController::documentReset, this, &MainWindow::onDocumentReset);
    connect(documents_, &DocumentController::historyChanged, this, &MainWindow::onHistoryChanged);
    connect(documents_, &DocumentController::filePathChanged, this, &MainWindow::updateTitle);
    connect(documents_, &DocumentController::failed, this, &MainWindow::reportError);
    connect(documents_, &DocumentController::statusMessage, this, &MainWindow::showStatus);
    connect(documents_, &DocumentController::recentFilesChanged, this, &MainWindow::rebuildRecentMenu);

    connect(models_, &ModelController::loadStarted, this, [this](const QString& path) {
        preview_->setPlaceholder(tr("Loading %1…").arg(QFileInfo(path).fileName()));
        showStatus(tr("Loading model %1…").arg(QFileInfo(path).fileName()), 0);
    });
    connect(models_, &ModelController::modelChanged, this, &MainWindow::onModelChanged);
    connect(models_, &ModelController::modelReady, this, &MainWindow::modelReady);
    connect(models_, &ModelController::modeSwitchRequested, this, &MainWindow::setMode);
    connect(models_, &ModelController::loadFailed, this, &MainWindow::onModelLoadFailed);
    connect(models_, &ModelController::modelMissing, this, &MainWindow::onModelMissing);
    connect(models_, &ModelController::catalogChanged, this, &MainWindow::rebuildModelMenu);
    connect(menus_->model, &QMenu::aboutToShow, this, &MainWindow::rebuildModelMenu);  // new runs
    connect(models_, &ModelController::statusMessage, this, &MainWindow::showStatus);

    connect(controller_, &PreviewController::resultReady, this, &MainWindow::onResult);
    connect(controller_, &PreviewController::failed, this, &MainWindow::onPreviewFailed);
    connect(controller_, &PreviewController::busyChanged, preview_, &PreviewView::setBusy);

    connect(exporter_, &ModelExporter::exported, this, [this](const QString& summary) {
        // "wrote FILE (FORMAT, SIZE): details" — the status bar gets the part before the details.
        const int details = summary.indexOf(QStringLiteral("): "));
        showStatus(details > 0 ? summary.left(details + 1) : summary, 15000);
        statusBar()->setToolTip(summary);
    });
    connect(exporter_, &ModelExporter::failed, this,
            [this](const QString& message) { reportError(tr("Export failed: %1").arg(message)); });
}

void MainWindow::rebuildModelMenu() {
    fillModelMenu(menus_->model, *actions_, *models_,
                  findRecentRuns(options_.runsDirectory.value_or(defaultRunsDirectory())),
                  [this](const QString& path) { loadModel(path); });
}

void MainWindow::rebuildRecentMenu() {
    fillRecentMenu(
        menus_->recent, documents_->recentFiles(), [this](const QString& path) { files_->openPath(path); },
        [this] { documents_->clearRecentFiles(); });
}

// --------------------------------------------------------------------------------------------- settings

void MainWindow::restoreSettings() {
    QSettings& s = *settings_;
    restoreWindowLayout(this, s.value(QStringLiteral("window/geometry")).toByteArray(),
                        s.value(QStringLiteral("window/state")).toByteArray(), QSize(1240, 760));
    if (!splitter_->restoreState(s.value(QStringLiteral("window/splitter")).toByteArray()))
        splitter_->setSizes({1, 1});
    for (CanvasKind kind : {CanvasKind::FacadeLabels, CanvasKind::Edges})
        brushForMode_[slot(kind)] = s.value(brushKey(kind), brushForMode_[slot(kind)]).toInt();
    bars_->overlayOpacity->setValue(s.value(QStringLiteral("view/overlayOpacity"), 60).toInt());
    actions_->overlay->setChecked(s.value(QStringLiteral("view/overlay"), false).toBool());
    setOverlay(actions_->overlay->isChecked());
    preview_->setCompareFraction(s.value(QStringLiteral("view/compareSplit"), 0.5).toDouble());
    actions_->compare->setChecked(s.value(QStringLiteral("view/compare"), false).toBool());
    actions_->heatmap->setChecked(s.value(QStringLiteral("view/heatmap"), false).toBool());
    preview_->setHeatmapVisible(actions_->heatmap->isChecked());
    actions_->normImage->setChecked(models_->normalisation() == NormStats::Image);
    actions_->normRunning->setChecked(models_->normalisation() == NormStats::Running);
    bars_->mode->setCurrentIndex(slot(mode()));
    canvas_->setBrushSize(brushForMode_[slot(mode())]);
    rebuildRecentMenu();
}

void MainWindow::saveSettings() {
    QSettings& s = *settings_;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    s.setValue(QStringLiteral("window/splitter"), splitter_->saveState());
    brushForMode_[slot(mode())] = canvas_->brushSize();
    for (CanvasKind kind : {CanvasKind::FacadeLabels, CanvasKind::Edges})
        s.setValue(brushKey(kind), brushForMode_[slot(kind)]);
    documents_->saveSettings();
    models_->saveSettings();
    s.setValue(QStringLiteral("view/overlay"), actions_->overlay->isChecked());
    s.setValue(QStringLiteral("view/overlayOpacity"), bars_->overlayOpacity->value());
    s.setValue(QStringLiteral("view/heatmap"), actions_->heatmap->isChecked());
    s.setValue(QStringLiteral("view/compare"), actions_->compare->isChecked());
    s.setValue(QStringLiteral("view/compareSplit"), preview_->compareFraction());
    s.sync();
}

// ------------------------------------------------------------------------------------------------ status

void MainWindow::reportError(const QString& message) {
    lastError_ = message;
    statusBar()->showMessage(message, 15000);
    Q_EMIT errorReported(message);
    if (options_.interactive) QMessageBox::warning(this, tr("Pix2Pix Studio"), message);
}

void MainWindow::showStatus(const QString& message, int timeoutMs) {
    statusBar()->showMessage(message, timeoutMs);
}

// ----------------------------------------------------------------------------------------------- preview

TranslateOptions MainWindow::translateOptions() const {
    TranslateOptions o;
    if (!actions_->deterministic->isChecked()) {
        o.mode = TranslateMode::Paper;
        o.seed = static_cast<uint64_t>(bars_->seed->value());
    }
    return o;
}

void MainWindow::requestPreview() {
    if (!models_->servesMode() || models_->loading() || document()->isEmpty()) return;
    const bool wantD = actions_->heatmap->isChecked() && models_->model()->has_discriminator;
    controller_->request(document()->image(), translateOptions(), wantD, mode() == CanvasKind::FacadeLabels);
}

void MainWindow::onResult(const PreviewResult& result) {
    if (result.id < firstValidRequest_ || result.image.size() != document()->size()) return;
    lastResult_ = result.image;
    preview_->setResult(result.image);
    preview_->setHeatmap(result.heatmap);
    canvas_->setOverlay(result.image);
    if (preview_->compareEnabled()) preview_->setCompareSource(matToQImage(document()->image()));
    status_->frameShown(result.latency_ms);  // the latency, and the rate frames are shown at
    if (statusBar()->currentMessage().startsWith(tr("Preview failed"))) statusBar()->clearMessage();
    Q_EMIT previewShown(result.id);
}

void MainWindow::onPreviewFailed(const QString& message) {
    // Not modal: a failing preview must not interrupt painting.
    lastError_ = message;
    statusBar()->showMessage(tr("Preview failed: %1").arg(message), 15000);
    Q_EMIT errorReported(message);
}

void MainWindow::loadModel(const QString& path, const ModelLoadOptions& loadOptions) {
    models_->loadModel(path, loadOptions);
}

void MainWindow::onModelChanged() {
    const bool serving = models_->servesMode();
    preview_->setPlaceholder(serving ? QString() : ModelController::noModelText(mode()));
    const QFileInfo loaded(loadedModelPath());
    for (QAction* a : menus_->model->actions())
        if (!a->data().toString().isEmpty()) a->setChecked(QFileInfo(a->data().toString()) == loaded);
    updateModelStatus();
    updateCaptions();
    firstValidRequest_ = controller_->lastRequestId() + 1;
    requestPreview();
}

void MainWindow::onModelLoadFailed(const QString& path, const QString& message, bool architectureRequired) {
    preview_->setPlaceholder(models_->servesMode() ? QString() : ModelController::noModelText(mode()));
    if (architectureRequired) {
        Q_EMIT architectureRequested(path);
        if (options_.interactive) {
            std::optional<ModelLoadOptions> retry;
            try {
                retry = askArchitecture(this, path, message);
            } catch (const std::exception& e) {
                reportError(QString::fromStdString(e.what()));
                return;
            }
            if (retry) {
                loadModel(path, *retry);
                return;
            }
        }
    }
    reportError(tr("Could not load the model: %1").arg(message));
    requestPreview();  // the previous model (if any) is still loaded
}

void MainWindow::onModelMissing(const QString& statusText, const QString& detail) {
    preview_->setPlaceholder(ModelController::noModelText(mode()));
    showStatus(statusText, 0);
    updateCaptions();
    updateModelStatus();
    Q_EMIT modelMissing(detail);
}

void MainWindow::updateModelStatus() {
    const bool serving = models_->servesMode();
    actions_->heatmap->setEnabled(serving && models_->model()->has_discriminator);
    actions_->modelInfo->setEnabled(hasModel());
    actions_->exportModel->setEnabled(hasModel());
    status_->device->setText(models_->deviceText());
    status_->device->setToolTip(serving ? models_->model()->description : QString());
    status_->model->setText(serving                       ? loadedModelName()
                            : mode() == CanvasKind::Edges ? tr("no edges model")
                                                          : tr("no model"));
    status_->model->setToolTip(serving ? models_->modelDetails() : QString());
    if (!serving) status_->clearLatency();
    status_->sync();
}

void MainWindow::newVariation() {
    actions_->deterministic->setChecked(false);
    bars_->seed->setEnabled(true);
    const QSignalBlocker block(bars_->seed);
    bars_->seed->setValue(int(QRandomGenerator::global()->bounded(std::numeric_limits<int>::max())));
    updateCaptions();
    requestPreview();
}

// ------------------------------------------------------------------------------------------ documents

void MainWindow::setMode(CanvasKind kind) {
    documents_->setMode(kind);
}

void MainWindow::onModeChanged(CanvasKind kind) {
    bars_->mode->setCurrentIndex(slot(kind));
    brushForMode_[1 - slot(kind)] = canvas_->brushSize();  // the mode left behind
    canvas_->setBrushSize(brushForMode_[slot(kind)]);
    status_->clearHover();  // it named a class of the other canvas
    canvas_->setDocument(document());
    lastResult_ = QImage();
    models_->setMode(kind);  // first, so what follows names this mode's model
    onDocumentReset();
    onHistoryChanged();
    updatePaletteForMode();
    updateModelStatus();
}

void MainWindow::onDocumentReset() {
    firstValidRequest_ = controller_->lastRequestId() + 1;
    lastResult_ = QImage();
    preview_->clearResult(document()->size());
    canvas_->setOverlay(QImage());
    updateTitle();
    updateCaptions();
    requestPreview();
}

void MainWindow::onHistoryChanged() {
    CommandHistory* h = document()->history();
    actions_->undo->setEnabled(h->canUndo());
    actions_->redo->setEnabled(h->canRedo());
    actions_->undo->setText(h->canUndo() ? tr("&Undo %1").arg(h->undoText()) : tr("&Undo"));
    actions_->redo->setText(h->canRedo() ? tr("&Redo %1").arg(h->redoText()) : tr("&Redo"));
    actions_->undo->setToolTip(
        tr("Undo (%1 in history)").arg(QLocale().formattedDataSize(qint64(h->bytes()))));
    updateTitle();
}

void MainWindow::updatePaletteForMode() {
    const QVector<PaletteEntry> entries = documents_->paletteEntries();
    palette_->setEntries(entries);
    palette_->setSecondaryIndex(palette_->indexOf(toQColor(documents_->secondaryColour())));
    palette_->setMinimumWidth(paletteMinimumWidth(palette_));  // names whole however the dock was left
    palette_->setCurrentIndex(std::clamp(documents_->paletteSelection(), 0, int(entries.size()) - 1));
    if (auto* dock = qobject_cast<QDockWidget*>(palette_->parentWidget()))
        dock->setWindowTitle(mode() == CanvasKind::FacadeLabels ? tr("Classes") : tr("Pen"));
}

void MainWindow::selectClass(int i) {
    if (i < 0 || i >= palette_->entries().size()) return;
    palette_->setCurrentIndex(i);
}

void MainWindow::updateTitle() {
    const QString path = document()->filePath();
    setWindowFilePath(path);
    setWindowTitle(QStringLiteral("%1[*] — Pix2Pix Studio")
                       .arg(path.isEmpty() ? tr("Untitled") : QFileInfo(path).fileName()));
    setWindowModified(document()->isModified());
}

void MainWindow::updateCaptions() {
    const QSize s = document()->size();
    canvasCaption_->setText(tr("<b>Canvas</b>&nbsp;&nbsp;<span style='color:gray'>%1 · %2 × %3 · %4%</span>")
                                .arg(displayName(mode()))
                                .arg(s.width())
                                .arg(s.height())
                                .arg(std::lround(canvas_->zoom() * 100)));
    QString model = tr("no model");
    if (models_->servesMode())
        model =
            loadedModelName().toHtmlEscaped() + (actions_->deterministic->isChecked()
                                                     ? tr(" · deterministic")
                                                     : tr(" · variation, seed %1").arg(bars_->seed->value()));
    previewCaption_->setText(tr("<b>Preview</b>&nbsp;&nbsp;<span style='color:gray'>%1</span>").arg(model));
}

void MainWindow::setOverlay(bool on) {
    if (on) actions_->compare->setChecked(false);  // the preview pane it splits goes away
    previewPane_->setVisible(!on);
    canvas_->setOverlayVisible(on);
    bars_->overlayOpacityAction->setVisible(on);
}

void MainWindow::setCompare(bool on) {
    if (on && actions_->overlay->isChecked()) {
        actions_->overlay->setChecked(false);
        setOverlay(false);
    }
    preview_->setCompareSource(on ? matToQImage(document()->image()) : QImage());
    preview_->setCompareEnabled(on);
}

void MainWindow::changeBrushSize(int direction) {
    canvas_->stepBrushSize(direction);
    showStatus(tr("Brush %1 px").arg(canvas_->brushSize()), 1500);
}

// ----------------------------------------------------------------------------------------- window events

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!training_->confirmClose(options_.interactive)) {  // a running training stops and saves first
        event->ignore();
        return;
    }
    for (LabelDocument* doc : documents_->documents())
        if (!files_->confirmDiscard(doc)) {
            event->ignore();
            return;
        }
    saveSettings();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.size() == 1 && urls.first().isLocalFile()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.first().isLocalFile()) return;
    event->acceptProposedAction();
    files_->openPath(urls.first().toLocalFile());
}

}  // namespace p2p::ui
