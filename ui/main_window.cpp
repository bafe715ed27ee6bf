#include "ui/main_window.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QRandomGenerator>
#include <QSettings>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QToolBar>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <fstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/io/image_io.h"
#include "core/labels/palette.h"
#include "ui/canvas/canvas_view.h"
#include "ui/canvas/image_ops.h"
#include "ui/model_export_dialog.h"
#include "ui/dialogs/architecture_dialog.h"
#include "ui/dialogs/edges_dialog.h"
#include "ui/dialogs/new_canvas_dialog.h"
#include "ui/icons.h"
#include "ui/image_convert.h"
#include "ui/palette_widget.h"
#include "ui/preview/preview_controller.h"
#include "ui/preview/preview_view.h"
#include "ui/training/training_panel.h"

namespace p2p::ui {

namespace {

constexpr int kMaxRecentFiles = 8;
const QString kNoModel = QStringLiteral("no model loaded — File ▸ Load Model… (Ctrl+L)");

const cv::Vec3b kInk(0, 0, 0);
const cv::Vec3b kPaper(255, 255, 255);

QColor toQColor(const cv::Vec3b& bgr) {
    return QColor(bgr[2], bgr[1], bgr[0]);
}

QString modelKey(CanvasKind kind) {
    return QStringLiteral("model/") + toString(kind);
}

QString brushKey(CanvasKind kind) {
    return QStringLiteral("canvas/brushSize/") + toString(kind);
}

// Writes an encoded image so that a crash leaves the old file or the whole new one.
void writeEncoded(const QString& path, const cv::Mat& bgr, const std::string& extension) {
    std::vector<uchar> bytes;
    if (!cv::imencode(extension, bgr, bytes)) throw Error(path.toStdString() + ": cannot encode the image");
    writeFileAtomically(path.toStdString(), std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::string extensionFor(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("jpg") || suffix == QLatin1String("jpeg")) return ".jpg";
    return ".png";
}

QString withPngSuffix(const QString& path) {
    return QFileInfo(path).suffix().compare(QLatin1String("png"), Qt::CaseInsensitive) == 0
               ? path
               : path + QStringLiteral(".png");
}

// How far a colour image is from being drawn in `palette`: every pixel's distance to its nearest class
// colour.
double paletteMisfit(const cv::Mat& bgr, LabelPalette palette) {
    return cv::norm(bgr, snapToPalette(bgr, palette), cv::NORM_L1);
}

QString labelColoursNote(LabelPalette palette) {
    return palette == LabelPalette::Cmp
               ? MainWindow::tr("label colours: CMP (the canvas's own)")
               : MainWindow::tr(
                     "label colours: pix2pix facades set (the canvas's CMP colours are converted "
                     "class by class)");
}

// The class whose colour is exactly `bgr`, or -1.
int classIndexOf(const cv::Vec3b& bgr) {
    const auto& classes = cmpClasses();
    for (size_t i = 0; i < classes.size(); ++i)
        if (classes[i].bgr() == bgr) return int(i);
    return -1;
}

}  // namespace

MainWindow::MainWindow(MainWindowOptions options, QWidget* parent)
    : QMainWindow(parent), options_(std::move(options)) {
    settings_ = options_.settingsFile.isEmpty()
                    ? std::make_unique<QSettings>()
                    : std::make_unique<QSettings>(options_.settingsFile, QSettings::IniFormat);
    setAcceptDrops(true);
    setDocumentMode(true);

    for (CanvasKind kind : {CanvasKind::FacadeLabels, CanvasKind::Edges}) {
        auto* doc = new LabelDocument(this);
        doc->reset(blankCanvas(kind, QSize(256, 256)), kind);
        documents_[index(kind)] = doc;
        connect(doc, &LabelDocument::imageChanged, this, [this, doc] {
            if (doc == document()) requestPreview();
        });
        connect(doc, &LabelDocument::documentReset, this, [this, doc] {
            if (doc == document()) onDocumentReset();
        });
        connect(doc->history(), &CommandHistory::changed, this, [this, doc] {
            if (doc == document()) onHistoryChanged();
        });
        connect(doc, &LabelDocument::filePathChanged, this, [this, doc] {
            if (doc == document()) updateTitle();
        });
    }

    canvas_ = new CanvasView;
    preview_ = new PreviewView;
    preview_->setPlaceholder(kNoModel);
    connect(canvas_, &ImageViewport::viewChanged, preview_, &ImageViewport::setView);
    connect(preview_, &ImageViewport::viewChanged, canvas_, &ImageViewport::setView);
    connect(canvas_, &CanvasView::colourPicked, this, &MainWindow::onColourPicked);
    connect(canvas_, &CanvasView::hoverChanged, this, &MainWindow::onHover);
    connect(canvas_, &ImageViewport::viewChanged, this, [this] { updateCaptions(); });

    auto pane = [this](QLabel*& caption, QWidget* view) {
        auto* w = new QWidget;
        auto* layout = new QVBoxLayout(w);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->setSpacing(0);
        caption = new QLabel;
        caption->setContentsMargins(10, 5, 10, 5);
        caption->setTextFormat(Qt::RichText);
        caption->setAutoFillBackground(true);
        caption->setBackgroundRole(QPalette::Window);
        layout->addWidget(caption);
        layout->addWidget(view, 1);
        return w;
    };
    splitter_ = new QSplitter(Qt::Horizontal);
    splitter_->addWidget(pane(canvasCaption_, canvas_));
    previewPane_ = pane(previewCaption_, preview_);
    splitter_->addWidget(previewPane_);
    splitter_->setChildrenCollapsible(false);
    splitter_->setHandleWidth(6);
    setCentralWidget(splitter_);

    controller_ = new PreviewController(options_.engine, this);
    connect(controller_, &PreviewController::resultReady, this, &MainWindow::onResult);
    connect(controller_, &PreviewController::failed, this, &MainWindow::onPreviewFailed);
    connect(controller_, &PreviewController::deviceFellBack, this, [this](const QString& reason) {
        statusBar()->showMessage(tr("The GPU failed, so the preview runs on the CPU now: %1").arg(reason),
                                 20000);
    });
    connect(controller_, &PreviewController::modelLoaded, this, &MainWindow::onModelLoaded);
    connect(controller_, &PreviewController::modelLoadFailed, this, &MainWindow::onModelLoadFailed);
    connect(controller_, &PreviewController::busyChanged, preview_, &PreviewView::setBusy);

    exporter_ = new ModelExporter(this);
    connect(exporter_, &ModelExporter::exported, this, [this](const QString& summary) {
        // "wrote FILE (FORMAT, SIZE): details" — the status bar gets the part before the details.
        const int details = summary.indexOf(QStringLiteral("): "));
        showStatus(details > 0 ? summary.left(details + 1) : summary, 15000);
        statusBar()->setToolTip(summary);
    });
    connect(exporter_, &ModelExporter::failed, this,
            [this](const QString& message) { reportError(tr("Export failed: %1").arg(message)); });

    createActions();
    createMenus();
    createToolBars();
    createDocks();
    createStatusBar();
    restoreSettings();

    canvas_->setDocument(document());
    onDocumentReset();
    updatePaletteForMode();
    onHistoryChanged();
    updateModelStatus();

    connect(&catalogWatcher_, &QFutureWatcher<QVector<CatalogEntry>>::finished, this,
            &MainWindow::onCatalogScanned);
    if (options_.loadStartupModel) {
        const QStringList dirs = options_.modelDirectories.value_or(ModelCatalog::searchDirectories());
        catalogWatcher_.setFuture(QtConcurrent::run([dirs] { return ModelCatalog::scan(dirs); }));
        rebuildModelMenu();  // "Looking for models…" until the scan is done
    }
}

MainWindow::~MainWindow() {
    catalogWatcher_.waitForFinished();
    // The controller's thread must stop before the documents and views it reports to go away.
    delete controller_;
    controller_ = nullptr;
}

cv::Mat MainWindow::blankCanvas(CanvasKind kind, QSize size) {
    const cv::Size s(std::max(1, size.width()), std::max(1, size.height()));
    if (kind == CanvasKind::Edges) return cv::Mat(s, CV_8UC3, cv::Scalar(255, 255, 255));
    // As the pix2pix facades demo: a facade filling the canvas inside a thin background frame.
    const int border = std::max(1, std::min(s.width, s.height) / 16);
    return borderedCanvas(s, cmpClass(cmpClassId("facade")).bgr(), cmpClass(cmpClassId("background")).bgr(),
                          border);
}

// ---------------------------------------------------------------------------------------------- actions

void MainWindow::createActions() {
    auto make = [this](const QString& text, const QString& icon, const QKeySequence& key, auto slot) {
        auto* a = new QAction(icon.isEmpty() ? QIcon() : studioIcon(icon), text, this);
        if (!key.isEmpty()) a->setShortcut(key);
        connect(a, &QAction::triggered, this, slot);
        return a;
    };
    newAct_ = make(tr("&New…"), QStringLiteral("new"), QKeySequence::New, [this] { fileNew(); });
    openAct_ = make(tr("&Open…"), QStringLiteral("open"), QKeySequence::Open, [this] { fileOpen(); });
    openPhotoAct_ = make(tr("Open &Photo as Edges…"), QStringLiteral("edges-photo"),
                         QKeySequence(tr("Ctrl+Shift+O")), [this] { fileOpenPhoto(); });
    saveAct_ = make(tr("&Save"), QStringLiteral("save"), QKeySequence::Save, [this] { fileSave(); });
    saveAsAct_ = make(tr("Save &As…"), QString(), QKeySequence(tr("Ctrl+Shift+S")), [this] { fileSaveAs(); });
    exportResultAct_ = make(tr("&Export Result…"), QStringLiteral("export"), QKeySequence(tr("Ctrl+E")),
                            [this] { fileExportResult(); });
    exportSideAct_ = make(tr("Export Side &by Side…"), QString(), QKeySequence(tr("Ctrl+Shift+E")),
                          [this] { fileExportSideBySide(); });
    loadModelAct_ = make(tr("&Load Model…"), QStringLiteral("model"), QKeySequence(tr("Ctrl+L")),
                         [this] { fileLoadModel(); });
    modelInfoAct_ =
        make(tr("Model &Information…"), QString(), QKeySequence(tr("Ctrl+I")), [this] { showModelInfo(); });
    exportModelAct_ = make(tr("E&xport Model…"), QString(), QKeySequence(), [this] {
        if (model_)
            exporter_->exportInteractively(loadedModelPath(), dialogDirectory(),
                                           normImageAct_->isChecked() ? NormStats::Image : NormStats::Running);
    });
    exportModelAct_->setToolTip(tr("The loaded model as .p2pm, ONNX or a reference-format .pth"));
    quitAct_ = make(tr("&Quit"), QString(), QKeySequence::Quit, [this] { close(); });

    undoAct_ = make(tr("&Undo"), QStringLiteral("undo"), QKeySequence::Undo, [this] { document()->undo(); });
    redoAct_ = make(tr("&Redo"), QStringLiteral("redo"), QKeySequence(tr("Ctrl+Shift+Z")),
                    [this] { document()->redo(); });
    redoAct_->setShortcuts({QKeySequence(tr("Ctrl+Shift+Z")), QKeySequence(tr("Ctrl+Y"))});
    clearAct_ = make(tr("&Clear Canvas"), QStringLiteral("clear"), QKeySequence(tr("Ctrl+Shift+Backspace")),
                     [this] { clearCanvas(); });

    toolGroup_ = new QActionGroup(this);
    auto tool = [this](const QString& text, const QString& icon, const QString& key, Tool t,
                       const QString& tip) {
        auto* a = new QAction(studioIcon(icon), text, toolGroup_);
        a->setShortcut(QKeySequence(key));
        a->setCheckable(true);
        a->setData(int(t));
        a->setToolTip(QStringLiteral("%1 (%2) — %3").arg(QString(text).remove(QLatin1Char('&')), key, tip));
        connect(a, &QAction::triggered, this, [this, t] { canvas_->setTool(t); });
        return a;
    };
    brushAct_ = tool(tr("&Brush"), QStringLiteral("brush"), QStringLiteral("B"), Tool::Brush,
                     tr("paint with the selected class"));
    eraserAct_ = tool(tr("&Eraser"), QStringLiteral("eraser"), QStringLiteral("E"), Tool::Eraser,
                      tr("paint background (labels) or white paper (edges)"));
    rectAct_ = tool(tr("&Rectangle"), QStringLiteral("rectangle"), QStringLiteral("R"), Tool::Rectangle,
                    tr("drag to fill a rectangle"));
    fillAct_ = tool(tr("&Fill"), QStringLiteral("fill"), QStringLiteral("F"), Tool::Fill,
                    tr("fill the connected area of one colour"));
    pickAct_ = tool(tr("E&yedropper"), QStringLiteral("eyedropper"), QStringLiteral("I"), Tool::Eyedropper,
                    tr("pick a class from the canvas"));
    brushAct_->setChecked(true);

    biggerAct_ = make(tr("&Bigger Brush"), QString(), QKeySequence(QStringLiteral("]")),
                      [this] { changeBrushSize(+1); });
    smallerAct_ = make(tr("&Smaller Brush"), QString(), QKeySequence(QStringLiteral("[")),
                       [this] { changeBrushSize(-1); });

    overlayAct_ = make(tr("&Overlay Preview on Canvas"), QStringLiteral("overlay"),
                       QKeySequence(tr("Ctrl+T")), [this](bool on) { setOverlay(on); });
    overlayAct_->setCheckable(true);
    overlayAct_->setToolTip(
        tr("Overlay the preview on the canvas instead of showing them side by side (Ctrl+T)"));
    zoomInAct_ =
        make(tr("Zoom &In"), QStringLiteral("zoom-in"), QKeySequence::ZoomIn, [this] { canvas_->zoomIn(); });
    zoomOutAct_ = make(tr("Zoom &Out"), QStringLiteral("zoom-out"), QKeySequence::ZoomOut,
                       [this] { canvas_->zoomOut(); });
    zoomFitAct_ = make(tr("&Fit to Window"), QStringLiteral("zoom-fit"), QKeySequence(tr("Ctrl+0")),
                       [this] { canvas_->zoomToFit(); });
    zoom100Act_ = make(tr("&Actual Pixels"), QStringLiteral("zoom-100"), QKeySequence(tr("Ctrl+1")),
                       [this] { canvas_->zoomActualSize(); });
    heatmapAct_ =
        make(tr("Show D &Heatmap"), QStringLiteral("heatmap"), QKeySequence(tr("H")), [this](bool on) {
            preview_->setHeatmapVisible(on);
            requestPreview();
        });
    heatmapAct_->setCheckable(true);
    heatmapAct_->setToolTip(tr("Overlay the discriminator's sigmoid(D(label, generated)) per patch (H)"));

    deterministicAct_ =
        make(tr("&Deterministic Preview"), QString(), QKeySequence(tr("Ctrl+D")), [this](bool on) {
            seedSpin_->setEnabled(!on);
            updateCaptions();
            requestPreview();
        });
    deterministicAct_->setCheckable(true);
    deterministicAct_->setChecked(true);
    deterministicAct_->setToolTip(tr("No dropout: the same canvas always gives the same image"));
    variationAct_ = make(tr("New &Variation"), QStringLiteral("variation"), QKeySequence(tr("Ctrl+R")),
                         [this] { newVariation(); });
    variationAct_->setToolTip(
        tr("Paper mode: dropout on with a new seed, as the paper samples outputs (Ctrl+R)"));

    auto* normGroup = new QActionGroup(this);
    normImageAct_ = new QAction(tr("&Image Statistics"), normGroup);
    normImageAct_->setToolTip(tr("Normalise with each image's own statistics (as the paper's test time)"));
    normRunningAct_ = new QAction(tr("&Running Statistics"), normGroup);
    normRunningAct_->setToolTip(tr("Normalise with the statistics stored in the model (eval mode)"));
    for (QAction* a : {normImageAct_, normRunningAct_}) a->setCheckable(true);
    normImageAct_->setChecked(options_.engine.preview_norm == NormStats::Image);
    normRunningAct_->setChecked(options_.engine.preview_norm == NormStats::Running);
    connect(normImageAct_, &QAction::triggered, this, [this] { setNormalisation(NormStats::Image); });
    connect(normRunningAct_, &QAction::triggered, this, [this] { setNormalisation(NormStats::Running); });
}

void MainWindow::createMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(newAct_);
    file->addAction(openAct_);
    file->addAction(openPhotoAct_);
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    file->addSeparator();
    file->addAction(saveAct_);
    file->addAction(saveAsAct_);
    file->addAction(exportResultAct_);
    file->addAction(exportSideAct_);
    file->addSeparator();
    file->addAction(loadModelAct_);
    file->addSeparator();
    file->addAction(quitAct_);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(undoAct_);
    edit->addAction(redoAct_);
    edit->addSeparator();
    edit->addAction(clearAct_);

    QMenu* tools = menuBar()->addMenu(tr("&Tools"));
    tools->addActions(toolGroup_->actions());
    tools->addSeparator();
    tools->addAction(biggerAct_);
    tools->addAction(smallerAct_);

    viewMenu_ = menuBar()->addMenu(tr("&View"));
    viewMenu_->addAction(overlayAct_);
    viewMenu_->addAction(heatmapAct_);
    viewMenu_->addSeparator();
    viewMenu_->addAction(zoomInAct_);
    viewMenu_->addAction(zoomOutAct_);
    viewMenu_->addAction(zoomFitAct_);
    viewMenu_->addAction(zoom100Act_);
    viewMenu_->addSeparator();

    modelMenu_ = menuBar()->addMenu(tr("&Model"));
    rebuildModelMenu();

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Pix2Pix Studio"), this, &MainWindow::about);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::rebuildModelMenu() {
    modelMenu_->clear();
    modelEntryActions_.clear();
    auto* header = modelMenu_->addSection(tr("Embedded models"));
    Q_UNUSED(header);
    if (catalog_.isEmpty()) {
        QAction* none = modelMenu_->addAction(options_.loadStartupModel && catalogWatcher_.isRunning()
                                                  ? tr("Looking for models…")
                                                  : tr("None found (models/*.p2pm)"));
        none->setEnabled(false);
    }
    auto* group = new QActionGroup(modelMenu_);
    for (const CatalogEntry& e : catalog_.entries()) {
        QString text = e.name;
        if (!e.inputKind.isEmpty()) text += QStringLiteral("  (%1)").arg(e.inputKind);
        QAction* a = modelMenu_->addAction(text);
        a->setCheckable(true);
        a->setActionGroup(group);
        a->setData(e.path);
        a->setToolTip(e.error.isEmpty() ? e.summary : e.error);
        a->setEnabled(e.error.isEmpty());
        a->setChecked(model_ && QFileInfo(QString::fromStdString(model_->info.path)) == QFileInfo(e.path));
        connect(a, &QAction::triggered, this, [this, path = e.path] { loadModel(path); });
        modelEntryActions_ << a;
    }
    modelMenu_->addSeparator();
    modelMenu_->addAction(loadModelAct_);
    modelMenu_->addAction(modelInfoAct_);
    modelMenu_->addAction(exportModelAct_);
    modelMenu_->addSection(tr("Preview"));
    modelMenu_->addAction(deterministicAct_);
    modelMenu_->addAction(variationAct_);
    QMenu* norm = modelMenu_->addMenu(tr("&Normalisation"));
    norm->addAction(normImageAct_);
    norm->addAction(normRunningAct_);
    modelMenu_->addAction(heatmapAct_);
}

void MainWindow::createToolBars() {
    QToolBar* main = addToolBar(tr("Main"));
    main->setObjectName(QStringLiteral("mainToolBar"));
    main->setToolButtonStyle(Qt::ToolButtonIconOnly);
    main->addAction(newAct_);
    main->addAction(openAct_);
    main->addAction(saveAct_);
    main->addSeparator();
    main->addAction(undoAct_);
    main->addAction(redoAct_);
    main->addSeparator();
    main->addWidget(new QLabel(tr(" Mode ")));
    modeCombo_ = new QComboBox;
    modeCombo_->addItem(displayName(CanvasKind::FacadeLabels), int(CanvasKind::FacadeLabels));
    modeCombo_->addItem(displayName(CanvasKind::Edges), int(CanvasKind::Edges));
    modeCombo_->setToolTip(tr("Facade labels use the facades model; edge sketches use the edges model"));
    connect(modeCombo_, &QComboBox::activated, this,
            [this](int i) { setMode(CanvasKind(modeCombo_->itemData(i).toInt())); });
    main->addWidget(modeCombo_);
    main->addSeparator();
    main->addWidget(new QLabel(tr(" Brush ")));
    brushSpin_ = new QSpinBox;
    brushSpin_->setRange(CanvasView::kMinBrush, CanvasView::kMaxBrush);
    brushSpin_->setSuffix(tr(" px"));
    brushSpin_->setToolTip(tr("Brush size ([ and ] change it)"));
    brushSpin_->setValue(canvas_->brushSize());
    connect(brushSpin_, &QSpinBox::valueChanged, canvas_, &CanvasView::setBrushSize);
    connect(canvas_, &CanvasView::brushSizeChanged, brushSpin_, &QSpinBox::setValue);
    main->addWidget(brushSpin_);

    QToolBar* tools = new QToolBar(tr("Tools"));
    tools->setObjectName(QStringLiteral("toolsToolBar"));
    addToolBar(Qt::LeftToolBarArea, tools);
    tools->addActions(toolGroup_->actions());
    tools->addSeparator();
    tools->addAction(clearAct_);
    tools->addSeparator();
    tools->addAction(zoomInAct_);
    tools->addAction(zoomOutAct_);
    tools->addAction(zoomFitAct_);

    QToolBar* preview = addToolBar(tr("Preview"));
    preview->setObjectName(QStringLiteral("previewToolBar"));
    preview->addAction(overlayAct_);
    opacitySlider_ = new QSlider(Qt::Horizontal);
    opacitySlider_->setRange(0, 100);
    opacitySlider_->setValue(60);
    opacitySlider_->setFixedWidth(90);
    opacitySlider_->setToolTip(tr("Overlay opacity"));
    connect(opacitySlider_, &QSlider::valueChanged, this,
            [this](int v) { canvas_->setOverlayOpacity(v / 100.0); });
    opacityAction_ = preview->addWidget(opacitySlider_);
    opacityAction_->setVisible(false);
    preview->addSeparator();
    preview->addAction(variationAct_);
    preview->addWidget(new QLabel(tr(" Seed ")));
    seedSpin_ = new QSpinBox;
    seedSpin_->setRange(0, std::numeric_limits<int>::max());
    seedSpin_->setToolTip(tr("Dropout seed for the paper-mode variation"));
    seedSpin_->setEnabled(false);
    connect(seedSpin_, &QSpinBox::valueChanged, this, [this] {
        if (deterministicAct_->isChecked()) return;
        updateCaptions();
        requestPreview();
    });
    preview->addWidget(seedSpin_);
    preview->addAction(deterministicAct_);
    preview->addSeparator();
    preview->addAction(heatmapAct_);
    deterministicAct_->setIconText(tr("Deterministic"));

    QAction* toolbarsSection = viewMenu_->addSection(tr("Toolbars"));
    Q_UNUSED(toolbarsSection);
    for (QToolBar* bar : {main, tools, preview}) viewMenu_->addAction(bar->toggleViewAction());
}

void MainWindow::createDocks() {
    palette_ = new PaletteWidget;
    connect(palette_, &PaletteWidget::currentIndexChanged, this, [this](int i) {
        if (i < 0) return;
        selectedClass_[index(mode_)] = i;
        const auto& entries = palette_->entries();
        if (i < entries.size()) {
            const QColor c = entries[i].colour;
            canvas_->setColour(cv::Vec3b(uchar(c.blue()), uchar(c.green()), uchar(c.red())));
        }
    });
    auto* dock = new QDockWidget(tr("Classes"), this);
    dock->setObjectName(QStringLiteral("paletteDock"));
    dock->setWidget(palette_);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                      QDockWidget::DockWidgetClosable);
    addDockWidget(Qt::LeftDockWidgetArea, dock);
    resizeDocks({dock}, {190}, Qt::Horizontal);
    viewMenu_->addAction(dock->toggleViewAction());

    // Training: a dock (hidden until asked for), so the canvas and preview stay in view and usable while a
    // model trains; "Use in studio" loads the run's newest model into the preview.
    training_ = new TrainingPanel(nullptr, settings_.get());
    auto* trainingDock = new QDockWidget(tr("Training"), this);
    trainingDock->setObjectName(QStringLiteral("trainingDock"));
    trainingDock->setWidget(training_);
    addDockWidget(Qt::BottomDockWidgetArea, trainingDock);
    trainingDock->hide();
    QAction* trainingAct = trainingDock->toggleViewAction();
    trainingAct->setText(tr("&Training Panel"));
    trainingAct->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T));
    viewMenu_->addAction(trainingAct);
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

void MainWindow::createStatusBar() {
    cursorLabel_ = new QLabel;
    deviceLabel_ = new QLabel;
    modelLabel_ = new QLabel;
    latencyLabel_ = new QLabel;
    latencyLabel_->setMinimumWidth(
        QFontMetrics(font()).horizontalAdvance(QStringLiteral("latency 0000 ms · 00.0 fps")));
    latencyLabel_->setToolTip(tr("Time of the last translation, and the frames per second that time allows"));
    deviceLabel_->setToolTip(tr("Where the model runs"));
    statusBar()->setStyleSheet(QStringLiteral("QStatusBar::item { border: none; }"));
    for (QLabel* l : {cursorLabel_, deviceLabel_, modelLabel_, latencyLabel_}) {
        auto* separator = new QFrame;
        separator->setFrameShape(QFrame::VLine);
        separator->setFrameShadow(QFrame::Sunken);
        statusBar()->addPermanentWidget(separator);
        l->setContentsMargins(6, 0, 6, 0);
        statusBar()->addPermanentWidget(l);
        statusFields_.push_back({l, separator});
    }
    syncStatusFields();
}

void MainWindow::syncStatusFields() {
    // Empty fields take no room, and a separator stands only between two shown fields.
    bool anyBefore = false;
    for (const auto& [label, separator] : statusFields_) {
        const bool shown = !label->text().isEmpty();
        label->setVisible(shown);
        separator->setVisible(shown && anyBefore);
        anyBefore = anyBefore || shown;
    }
}

// --------------------------------------------------------------------------------------------- settings

void MainWindow::restoreSettings() {
    QSettings& s = *settings_;
    if (!restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray())) resize(1240, 760);
    restoreState(s.value(QStringLiteral("window/state")).toByteArray());
    if (!splitter_->restoreState(s.value(QStringLiteral("window/splitter")).toByteArray()))
        splitter_->setSizes({1, 1});
    for (CanvasKind kind : {CanvasKind::FacadeLabels, CanvasKind::Edges})
        modelForMode_[index(kind)] = s.value(modelKey(kind)).toString();
    for (CanvasKind kind : {CanvasKind::FacadeLabels, CanvasKind::Edges})
        brushForMode_[index(kind)] = s.value(brushKey(kind), brushForMode_[index(kind)]).toInt();
    opacitySlider_->setValue(s.value(QStringLiteral("view/overlayOpacity"), 60).toInt());
    const bool overlay = s.value(QStringLiteral("view/overlay"), false).toBool();
    overlayAct_->setChecked(overlay);
    setOverlay(overlay);
    heatmapAct_->setChecked(s.value(QStringLiteral("view/heatmap"), false).toBool());
    preview_->setHeatmapVisible(heatmapAct_->isChecked());
    const QString norm = s.value(QStringLiteral("preview/norm")).toString();
    if (norm == QLatin1String("running") || norm == QLatin1String("image")) {
        options_.engine.preview_norm = normStatsFromString(norm.toStdString());
        normRunningAct_->setChecked(options_.engine.preview_norm == NormStats::Running);
        normImageAct_->setChecked(options_.engine.preview_norm == NormStats::Image);
        if (controller_->engineOptions().preview_norm != options_.engine.preview_norm)
            controller_->setEngineOptions(options_.engine);
    }
    mode_ = s.value(QStringLiteral("canvas/mode")).toString() == toString(CanvasKind::Edges)
                ? CanvasKind::Edges
                : CanvasKind::FacadeLabels;
    modeCombo_->setCurrentIndex(index(mode_));
    canvas_->setBrushSize(brushForMode_[index(mode_)]);
    rebuildRecentMenu();
}

void MainWindow::saveSettings() {
    QSettings& s = *settings_;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    s.setValue(QStringLiteral("window/splitter"), splitter_->saveState());
    for (CanvasKind kind : {CanvasKind::FacadeLabels, CanvasKind::Edges})
        s.setValue(modelKey(kind), modelForMode_[index(kind)]);
    brushForMode_[index(mode_)] = canvas_->brushSize();
    for (CanvasKind kind : {CanvasKind::FacadeLabels, CanvasKind::Edges})
        s.setValue(brushKey(kind), brushForMode_[index(kind)]);
    s.setValue(QStringLiteral("canvas/mode"), toString(mode_));
    s.setValue(QStringLiteral("view/overlay"), overlayAct_->isChecked());
    s.setValue(QStringLiteral("view/overlayOpacity"), opacitySlider_->value());
    s.setValue(QStringLiteral("view/heatmap"), heatmapAct_->isChecked());
    s.setValue(QStringLiteral("preview/norm"), options_.engine.preview_norm == NormStats::Running
                                                   ? QStringLiteral("running")
                                                   : QStringLiteral("image"));
    s.sync();
}

void MainWindow::addRecentFile(const QString& path) {
    QStringList files = settings_->value(QStringLiteral("recentFiles")).toStringList();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    files.removeAll(absolute);
    files.prepend(absolute);
    while (files.size() > kMaxRecentFiles) files.removeLast();
    settings_->setValue(QStringLiteral("recentFiles"), files);
    settings_->setValue(QStringLiteral("lastDirectory"), QFileInfo(absolute).absolutePath());
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
    recentMenu_->clear();
    const QStringList files = settings_->value(QStringLiteral("recentFiles")).toStringList();
    for (int i = 0; i < files.size(); ++i) {
        QAction* a =
            recentMenu_->addAction(QStringLiteral("&%1  %2").arg(i + 1).arg(QFileInfo(files[i]).fileName()));
        a->setToolTip(files[i]);
        a->setStatusTip(files[i]);
        connect(a, &QAction::triggered, this, [this, path = files[i]] {
            if (confirmDiscard(document())) openFile(path);
        });
    }
    recentMenu_->setEnabled(!files.isEmpty());
    if (!files.isEmpty()) {
        recentMenu_->addSeparator();
        recentMenu_->addAction(tr("&Clear List"), this, [this] {
            settings_->remove(QStringLiteral("recentFiles"));
            rebuildRecentMenu();
        });
    }
}

QString MainWindow::dialogDirectory() const {
    if (!document()->filePath().isEmpty()) return QFileInfo(document()->filePath()).absolutePath();
    return settings_->value(QStringLiteral("lastDirectory"), QDir::homePath()).toString();
}

// ------------------------------------------------------------------------------------------------ errors

void MainWindow::reportError(const QString& message) {
    lastError_ = message;
    statusBar()->showMessage(message, 15000);
    Q_EMIT errorReported(message);
    if (options_.interactive) QMessageBox::warning(this, tr("Pix2Pix Studio"), message);
}

void MainWindow::showStatus(const QString& message, int timeoutMs) {
    statusBar()->showMessage(message, timeoutMs);
}

bool MainWindow::confirmDiscard(LabelDocument* doc) {
    if (!doc->isModified() || !options_.interactive) return true;
    const auto answer = QMessageBox::question(
        this, tr("Unsaved Changes"),
        tr("The %1 canvas has changes that are not saved. Save them first?")
            .arg(displayName(doc->kind()).toLower()),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Cancel) return false;
    if (answer == QMessageBox::Save) {
        if (doc != document()) setMode(doc->kind());
        return fileSave();
    }
    return true;
}

// ----------------------------------------------------------------------------------------------- preview

TranslateOptions MainWindow::translateOptions() const {
    TranslateOptions o;
    if (!deterministicAct_->isChecked()) {
        o.mode = TranslateMode::Paper;
        o.seed = static_cast<uint64_t>(seedSpin_->value());
    }
    return o;
}

QString MainWindow::loadedModelName() const {
    return model_ ? QString::fromStdString(model_->info.name) : QString();
}

QString MainWindow::loadedModelPath() const {
    return model_ ? QString::fromStdString(model_->info.path) : QString();
}

bool MainWindow::modelServesMode() const {
    return model_ &&
           QFileInfo(modelForMode_[index(mode_)]) == QFileInfo(QString::fromStdString(model_->info.path));
}

void MainWindow::requestPreview() {
    if (!modelServesMode() || modelLoading_ || document()->isEmpty()) return;
    const bool wantD = heatmapAct_->isChecked() && model_->has_discriminator;
    controller_->request(document()->image(), translateOptions(), wantD, mode_ == CanvasKind::FacadeLabels);
}

void MainWindow::onResult(const PreviewResult& result) {
    if (result.id < firstValidRequest_ || result.image.size() != document()->size()) return;
    lastResult_ = result.image;
    lastLatencyMs_ = result.latency_ms;
    preview_->setResult(result.image);
    preview_->setHeatmap(result.heatmap);
    canvas_->setOverlay(result.image);
    latencyLabel_->setText(tr("latency %1 ms · %2 fps")
                               .arg(result.latency_ms, 0, 'f', 0)
                               .arg(1000.0 / std::max(1.0, result.latency_ms), 0, 'f', 1));
    syncStatusFields();
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
    modelLoading_ = true;
    loadingMode_ = mode_;
    preview_->setPlaceholder(tr("Loading %1…").arg(QFileInfo(path).fileName()));
    showStatus(tr("Loading model %1…").arg(QFileInfo(path).fileName()), 0);
    controller_->loadModel(path, loadOptions);
}

void MainWindow::onModelLoaded(const LoadedModelSummary& summary) {
    modelLoading_ = false;
    model_ = summary;
    const QString path = QString::fromStdString(summary.info.path);
    modelForMode_[index(loadingMode_)] = path;
    settings_->setValue(modelKey(loadingMode_), path);
    statusBar()->clearMessage();
    showStatus(tr("Model %1 loaded").arg(QString::fromStdString(summary.info.name)));
    preview_->setPlaceholder(QString());
    for (QAction* a : modelEntryActions_) a->setChecked(QFileInfo(a->data().toString()) == QFileInfo(path));
    updateModelStatus();
    updateCaptions();
    firstValidRequest_ = controller_->lastRequestId() + 1;
    if (loadingMode_ != mode_) loadModelForMode();  // the mode changed while loading
    requestPreview();
    Q_EMIT modelReady(QString::fromStdString(summary.info.name));
}

void MainWindow::onModelLoadFailed(const QString& path, const QString& message, bool architectureRequired) {
    modelLoading_ = false;
    statusBar()->clearMessage();
    preview_->setPlaceholder(modelServesMode() ? QString() : kNoModel);
    if (architectureRequired) {
        Q_EMIT architectureRequested(path);
        if (options_.interactive) {
            ArchitectureDialog dialog(path, message, this);
            if (dialog.exec() == QDialog::Accepted) {
                ModelLoadOptions retry;
                try {
                    retry.generator_override = dialog.options();
                    retry.generator_override->validate();
                } catch (const std::exception& e) {
                    reportError(QString::fromStdString(e.what()));
                    return;
                }
                loadModel(path, retry);
                return;
            }
        }
    }
    reportError(tr("Could not load the model: %1").arg(message));
    requestPreview();  // the previous model (if any) is still loaded
}

void MainWindow::onCatalogScanned() {
    catalog_ = ModelCatalog(catalogWatcher_.result());
    rebuildModelMenu();
    loadModelForMode();
}

void MainWindow::loadModelForMode() {
    QString path = modelForMode_[index(mode_)];
    if (path.isEmpty() || !QFileInfo::exists(path)) {
        const auto entry = catalog_.defaultFor(mode_);
        path = entry ? entry->path : QString();
    }
    if (path.isEmpty()) {
        preview_->setPlaceholder(mode_ == CanvasKind::Edges
                                     ? tr("no edges model loaded — File ▸ Load Model… (Ctrl+L)")
                                     : kNoModel);
        // Say where we looked, so a missing models/ folder is not a mystery.
        const QString what = mode_ == CanvasKind::Edges ? tr("edges") : tr("facades");
        noModelMessage_ = true;
        showStatus(
            catalog_.isEmpty()
                ? tr("No embedded models found (models/*.p2pm) — load one with File ▸ Load Model… "
                     "(Ctrl+L) or train one in View ▸ Training Panel")
                : tr("No %1 model among the embedded models — load one with File ▸ Load Model…").arg(what),
            0);
        updateCaptions();
        updateModelStatus();
        Q_EMIT modelMissing(tr("no %1 model found; looked for *.p2pm in: %2")
                                .arg(what, options_.modelDirectories
                                               ? options_.modelDirectories->join(QStringLiteral(", "))
                                               : ModelCatalog::candidateDirectories().join(QStringLiteral(", "))));
        return;
    }
    if (noModelMessage_) {  // this mode has a model: the other mode's "none found" no longer applies
        statusBar()->clearMessage();
        noModelMessage_ = false;
    }
    if (model_ && QFileInfo(QString::fromStdString(model_->info.path)) == QFileInfo(path)) {
        modelForMode_[index(mode_)] = path;
        preview_->setPlaceholder(QString());
        updateCaptions();
        updateModelStatus();
        requestPreview();
        return;
    }
    loadModel(path);
}

void MainWindow::updateModelStatus() {
    const bool serving = modelServesMode();
    heatmapAct_->setEnabled(serving && model_->has_discriminator);
    modelInfoAct_->setEnabled(model_.has_value());
    exportModelAct_->setEnabled(model_.has_value());
    if (!serving) {
        deviceLabel_->setText(QString());
        modelLabel_->setText(mode_ == CanvasKind::Edges ? tr("no edges model") : tr("no model"));
        modelLabel_->setToolTip(QString());
        latencyLabel_->setText(QString());
        syncStatusFields();
        return;
    }
    // The device first (CPU or CUDA), then how the engine runs on it.
    deviceLabel_->setText(model_->description.startsWith(model_->device) ? model_->description
                                                                         : model_->device);
    deviceLabel_->setToolTip(model_->description);
    modelLabel_->setText(QString::fromStdString(model_->info.name));
    QString tip = QString::fromStdString(model_->info.describe()).trimmed();
    if (mode_ == CanvasKind::FacadeLabels) tip += QLatin1Char('\n') + labelColoursNote(model_->label_palette);
    modelLabel_->setToolTip(tip);
    syncStatusFields();
}

void MainWindow::setNormalisation(NormStats stats) {
    if (options_.engine.preview_norm == stats) return;
    options_.engine.preview_norm = stats;
    if (model_) {
        modelLoading_ = true;
        showStatus(tr("Reloading the model with %1 statistics…")
                       .arg(stats == NormStats::Image ? tr("image") : tr("running")),
                   0);
    }
    controller_->setEngineOptions(options_.engine);
}

void MainWindow::newVariation() {
    deterministicAct_->setChecked(false);
    seedSpin_->setEnabled(true);
    const QSignalBlocker block(seedSpin_);
    seedSpin_->setValue(int(QRandomGenerator::global()->bounded(std::numeric_limits<int>::max())));
    updateCaptions();
    requestPreview();
}

// ------------------------------------------------------------------------------------------ documents

void MainWindow::setMode(CanvasKind kind) {
    modeCombo_->setCurrentIndex(index(kind));
    if (kind == mode_) return;
    brushForMode_[index(mode_)] = canvas_->brushSize();
    mode_ = kind;
    canvas_->setBrushSize(brushForMode_[index(mode_)]);
    cursorLabel_->clear();  // it named a class of the other canvas
    canvas_->setDocument(document());
    onDocumentReset();
    onHistoryChanged();
    updatePaletteForMode();
    updateModelStatus();
    lastResult_ = QImage();
    if (catalogWatcher_.isFinished() || !options_.loadStartupModel || !modelForMode_[index(kind)].isEmpty())
        loadModelForMode();
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
    undoAct_->setEnabled(h->canUndo());
    redoAct_->setEnabled(h->canRedo());
    undoAct_->setText(h->canUndo() ? tr("&Undo %1").arg(h->undoText()) : tr("&Undo"));
    redoAct_->setText(h->canRedo() ? tr("&Redo %1").arg(h->redoText()) : tr("&Redo"));
    undoAct_->setToolTip(tr("Undo (%1 in history)").arg(QLocale().formattedDataSize(qint64(h->bytes()))));
    updateTitle();
}

void MainWindow::updatePaletteForMode() {
    QVector<PaletteEntry> entries;
    if (mode_ == CanvasKind::FacadeLabels) {
        for (const LabelClass& c : cmpClasses())
            entries.push_back({QString::fromStdString(c.name), toQColor(c.bgr())});
        canvas_->setEraserColour(cmpClass(cmpClassId("background")).bgr());
    } else {
        entries.push_back({tr("ink"), toQColor(kInk)});
        entries.push_back({tr("paper"), toQColor(kPaper)});
        canvas_->setEraserColour(kPaper);
    }
    palette_->setEntries(entries);
    palette_->setCurrentIndex(std::clamp(selectedClass_[index(mode_)], 0, int(entries.size()) - 1));
    if (auto* dock = qobject_cast<QDockWidget*>(palette_->parentWidget()))
        dock->setWindowTitle(mode_ == CanvasKind::FacadeLabels ? tr("Classes") : tr("Pen"));
}

void MainWindow::selectClass(int i) {
    if (i < 0 || i >= palette_->entries().size()) return;
    palette_->setCurrentIndex(i);
}

void MainWindow::onColourPicked(const cv::Vec3b& colour) {
    if (mode_ == CanvasKind::FacadeLabels) {
        const int i = classIndexOf(colour);
        if (i >= 0) {
            selectClass(i);
            showStatus(tr("Picked %1").arg(QString::fromStdString(cmpClasses()[i].name)));
        } else {
            showStatus(tr("That colour is not a class"));
        }
    } else {
        // A sketch may hold greys: pick whichever of ink and paper is nearer.
        const int grey = (colour[0] + colour[1] + colour[2]) / 3;
        selectClass(grey < 128 ? 0 : 1);
    }
}

void MainWindow::onHover(const QPoint& pixel, bool inside) {
    if (!inside) {
        cursorLabel_->setText(QString());
        syncStatusFields();
        return;
    }
    QString what;
    if (mode_ == CanvasKind::FacadeLabels) {
        const int i = classIndexOf(document()->colourAt(pixel));
        what = i >= 0 ? QString::fromStdString(cmpClasses()[i].name) : tr("(not a class)");
    }
    cursorLabel_->setText(what.isEmpty()
                              ? QStringLiteral("%1, %2").arg(pixel.x()).arg(pixel.y())
                              : QStringLiteral("%1, %2 · %3").arg(pixel.x()).arg(pixel.y()).arg(what));
    syncStatusFields();
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
                                .arg(displayName(mode_))
                                .arg(s.width())
                                .arg(s.height())
                                .arg(std::lround(canvas_->zoom() * 100)));
    QString model =
        modelServesMode() ? QString::fromStdString(model_->info.name).toHtmlEscaped() : tr("no model");
    if (modelServesMode())
        model += deterministicAct_->isChecked() ? tr(" · deterministic")
                                                : tr(" · variation, seed %1").arg(seedSpin_->value());
    previewCaption_->setText(tr("<b>Preview</b>&nbsp;&nbsp;<span style='color:gray'>%1</span>").arg(model));
}

void MainWindow::setOverlay(bool on) {
    previewPane_->setVisible(!on);
    canvas_->setOverlayVisible(on);
    if (opacityAction_) opacityAction_->setVisible(on);
}

void MainWindow::changeBrushSize(int direction) {
    const int s = canvas_->brushSize();
    const int step = std::max(1, int(std::lround(s * 0.15)));
    canvas_->setBrushSize(s + direction * step);
    showStatus(tr("Brush %1 px").arg(canvas_->brushSize()), 1500);
}

void MainWindow::clearCanvas() {
    document()->replaceImage(blankCanvas(mode_, document()->size()), tr("Clear"));
}

// ------------------------------------------------------------------------------------------------ files

bool MainWindow::openFile(const QString& path) {
    cv::Mat image;
    CanvasKind kind = mode_;
    QStringList notes;
    try {
        if (mode_ == CanvasKind::FacadeLabels) {
            LabelMap map = loadLabelMap(path.toStdString());
            if (!map.from_indices) {
                // A colour label map may be in the pix2pix facades set's colours (e.g. a label half of that
                // set): read it in whichever palette fits it better; the canvas then shows it in CMP colours.
                const cv::Mat bgr = loadImage(path.toStdString()).bgr;
                const double cmpMisfit = paletteMisfit(bgr, LabelPalette::Cmp);
                if (cmpMisfit == 0) {
                    map.notes.clear();  // exactly the class colours (e.g. a canvas we saved): nothing snapped
                } else if (paletteMisfit(bgr, LabelPalette::Pix2PixFacades) < cmpMisfit) {
                    map.ids = colourToLabels(bgr, LabelPalette::Pix2PixFacades);
                    map.notes.push_back("read as the pix2pix facades set's label colours");
                }
            }
            // Index 0 is unused in the CMP palette; a pixel must be a class, and background is the neutral
            // one.
            map.ids.setTo(cmpClassId("background"), map.ids == 0);
            image = labelsToColour(map.ids);
            for (const auto& n : map.notes) notes << QString::fromStdString(n);
        } else {
            LoadedImage loaded = loadImage(path.toStdString());
            const bool paletteLabels = loaded.header.palette;
            if (paletteLabels) {
                // A CMP palette PNG is a label map whichever mode is showing.
                LabelMap map = loadLabelMap(path.toStdString());
                if (map.from_indices) {
                    map.ids.setTo(cmpClassId("background"), map.ids == 0);
                    image = labelsToColour(map.ids);
                    kind = CanvasKind::FacadeLabels;
                }
            }
            if (image.empty()) image = loaded.bgr;
            for (const auto& n : loaded.notes) notes << QString::fromStdString(n);
        }
    } catch (const std::exception& e) {
        reportError(QString::fromStdString(e.what()));
        return false;
    }
    if (kind != mode_) setMode(kind);
    document()->reset(image, kind, path);
    addRecentFile(path);
    showStatus(notes.isEmpty()
                   ? tr("Opened %1").arg(QFileInfo(path).fileName())
                   : tr("Opened %1 (%2)").arg(QFileInfo(path).fileName(), notes.join(QStringLiteral("; "))),
               6000);
    return true;
}

bool MainWindow::openPhotoAsEdges(const QString& path, const EdgeOptions& edgeOptions, int longestSide) {
    cv::Mat edges;
    try {
        edgeOptions.validate();
        const LoadedImage photo = loadImage(path.toStdString());
        edges = photoToEdges(EdgesDialog::resizedPhoto(photo.bgr, longestSide), edgeOptions);
    } catch (const std::exception& e) {
        reportError(QString::fromStdString(e.what()));
        return false;
    }
    setMode(CanvasKind::Edges);
    document()->reset(edges, CanvasKind::Edges);
    showStatus(tr("Edges of %1").arg(QFileInfo(path).fileName()), 6000);
    return true;
}

bool MainWindow::saveCanvas(const QString& path) {
    try {
        writeEncoded(path, document()->image(), ".png");
    } catch (const std::exception& e) {
        reportError(QString::fromStdString(e.what()));
        return false;
    }
    document()->setFilePath(path);
    document()->markSaved();
    addRecentFile(path);
    showStatus(tr("Saved %1").arg(QFileInfo(path).fileName()));
    updateTitle();
    return true;
}

bool MainWindow::exportResult(const QString& path) {
    if (lastResult_.isNull()) {
        reportError(tr("There is no translated image to export yet."));
        return false;
    }
    try {
        writeEncoded(path, qImageToMat(lastResult_), extensionFor(path));
    } catch (const std::exception& e) {
        reportError(QString::fromStdString(e.what()));
        return false;
    }
    showStatus(tr("Exported %1").arg(QFileInfo(path).fileName()));
    return true;
}

bool MainWindow::exportSideBySide(const QString& path) {
    if (lastResult_.isNull()) {
        reportError(tr("There is no translated image to export yet."));
        return false;
    }
    try {
        cv::Mat both;
        cv::hconcat(document()->image(), qImageToMat(lastResult_), both);
        writeEncoded(path, both, extensionFor(path));
    } catch (const std::exception& e) {
        reportError(QString::fromStdString(e.what()));
        return false;
    }
    showStatus(tr("Exported %1").arg(QFileInfo(path).fileName()));
    return true;
}

void MainWindow::newCanvas(CanvasKind kind, QSize size) {
    setMode(kind);
    document()->reset(blankCanvas(kind, size), kind);
}

void MainWindow::fileNew() {
    NewCanvasDialog dialog(mode_, document()->size(), this);
    if (dialog.exec() != QDialog::Accepted) return;
    if (!confirmDiscard(documents_[index(dialog.kind())])) return;
    newCanvas(dialog.kind(), dialog.canvasSize());
}

void MainWindow::fileOpen() {
    if (!confirmDiscard(document())) return;
    const QString filter = mode_ == CanvasKind::FacadeLabels
                               ? tr("Label maps (*.png *.jpg *.jpeg *.bmp);;All files (*)")
                               : tr("Sketches (*.png *.jpg *.jpeg *.bmp);;All files (*)");
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open %1").arg(displayName(mode_)), dialogDirectory(), filter);
    if (!path.isEmpty()) openFile(path);
}

void MainWindow::fileOpenPhoto() {
    if (!confirmDiscard(documents_[index(CanvasKind::Edges)])) return;
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open Photo as Edges"), dialogDirectory(),
                                     tr("Photos (*.png *.jpg *.jpeg *.bmp *.webp *.tif *.tiff)"));
    if (path.isEmpty()) return;
    LoadedImage photo;
    try {
        photo = loadImage(path.toStdString());
    } catch (const std::exception& e) {
        reportError(QString::fromStdString(e.what()));
        return;
    }
    EdgesDialog dialog(photo.bgr, QFileInfo(path).fileName(), this);
    if (dialog.exec() != QDialog::Accepted) return;
    setMode(CanvasKind::Edges);
    document()->reset(dialog.edges(), CanvasKind::Edges);
    settings_->setValue(QStringLiteral("lastDirectory"), QFileInfo(path).absolutePath());
}

bool MainWindow::fileSave() {
    const QString path = document()->filePath();
    if (path.isEmpty() || QFileInfo(path).suffix().compare(QLatin1String("png"), Qt::CaseInsensitive) != 0)
        return fileSaveAs();
    return saveCanvas(path);
}

bool MainWindow::fileSaveAs() {
    QString suggestion = document()->filePath();
    suggestion = suggestion.isEmpty()
                     ? QDir(dialogDirectory())
                           .filePath(mode_ == CanvasKind::Edges ? tr("sketch.png") : tr("labels.png"))
                     : QFileInfo(suggestion).absolutePath() + QLatin1Char('/') +
                           QFileInfo(suggestion).completeBaseName() + QStringLiteral(".png");
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Save Canvas"), suggestion, tr("PNG image (*.png)"));
    if (path.isEmpty()) return false;
    return saveCanvas(withPngSuffix(path));
}

void MainWindow::fileExportResult() {
    const QString base = document()->filePath().isEmpty()
                             ? tr("result")
                             : QFileInfo(document()->filePath()).completeBaseName() + tr("_result");
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Result"), QDir(dialogDirectory()).filePath(base + QStringLiteral(".png")),
        tr("PNG image (*.png);;JPEG image (*.jpg)"));
    if (!path.isEmpty()) exportResult(path);
}

void MainWindow::fileExportSideBySide() {
    const QString base = document()->filePath().isEmpty()
                             ? tr("side_by_side")
                             : QFileInfo(document()->filePath()).completeBaseName() + tr("_side_by_side");
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Side by Side"), QDir(dialogDirectory()).filePath(base + QStringLiteral(".png")),
        tr("PNG image (*.png);;JPEG image (*.jpg)"));
    if (!path.isEmpty()) exportSideBySide(path);
}

void MainWindow::fileLoadModel() {
    const QString dir =
        model_ ? QFileInfo(QString::fromStdString(model_->info.path)).absolutePath() : dialogDirectory();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Load Model"), dir,
        tr("Models (*.p2pm *.pth *.ckpt);;Pix2Pix Studio models (*.p2pm);;Reference PyTorch generators (*.pth);;"
           "Training checkpoints (*.ckpt)"));
    if (!path.isEmpty()) loadModel(path);
}

void MainWindow::showModelInfo() {
    if (!model_) {
        QMessageBox::information(this, tr("Model"), kNoModel);
        return;
    }
    QMessageBox box(this);
    box.setWindowTitle(tr("Model — %1").arg(QString::fromStdString(model_->info.name)));
    box.setText(tr("<b>%1</b><br>%2")
                    .arg(QString::fromStdString(model_->info.name).toHtmlEscaped(),
                         model_->description.toHtmlEscaped()));
    const QString details = QString::fromStdString(model_->info.describe()).trimmed() + QLatin1Char('\n') +
                            labelColoursNote(model_->label_palette);
    box.setInformativeText(QStringLiteral("<pre>%1</pre>").arg(details.toHtmlEscaped()));
    box.exec();
}

void MainWindow::about() {
    QMessageBox::about(
        this, tr("About Pix2Pix Studio"),
        tr("<h3>Pix2Pix Studio %1</h3>"
           "<p>Paint facade labels or edge sketches and watch a pix2pix generator translate them live.</p>"
           "<p>pix2pix: Isola, Zhu, Zhou, Efros, <i>Image-to-Image Translation with Conditional Adversarial "
           "Networks</i>, CVPR 2017. CMP Facade Database: Tyleček and Šára, GCPR 2013.</p>")
            .arg(QCoreApplication::applicationVersion()));
}

// ----------------------------------------------------------------------------------------- window events

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!training_->confirmClose(options_.interactive)) {  // a running training stops and saves first
        event->ignore();
        return;
    }
    for (LabelDocument* doc : documents_)
        if (!confirmDiscard(doc)) {
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
    const QString path = urls.first().toLocalFile();
    if (confirmDiscard(document())) openFile(path);
}

}  // namespace p2p::ui
