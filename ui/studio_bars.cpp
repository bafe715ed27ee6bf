#include "ui/studio_bars.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QComboBox>
#include <QEvent>
#include <QFileInfo>
#include <QFrame>
#include <QLabel>
#include <QMainWindow>
#include <QMenuBar>
#include <QSlider>
#include <QSpinBox>
#include <QStatusBar>
#include <QToolBar>
#include <QVBoxLayout>

#include <limits>

#include "ui/canvas/canvas_view.h"
#include "ui/model_controller.h"
#include "ui/recent_runs.h"
#include "ui/starter_examples.h"
#include "ui/studio_actions.h"

namespace p2p::ui {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("p2p::ui::MainWindow", text);
}

// Calls `left` when the watched widget reports that the mouse left it.
class LeaveFilter : public QObject {
public:
    LeaveFilter(QObject* parent, std::function<void()> left) : QObject(parent), left_(std::move(left)) {}
    bool eventFilter(QObject* watched, QEvent* event) override {
        if (event->type() == QEvent::Leave) left_();
        return QObject::eventFilter(watched, event);
    }

private:
    std::function<void()> left_;
};

QToolBar* addToolBar(QMainWindow* window, Qt::ToolBarArea area, const QString& title, const QString& name) {
    auto* bar = new QToolBar(title);
    bar->setObjectName(name);  // for saveState()
    window->addToolBar(area, bar);
    return bar;
}

}  // namespace

StudioMenus buildMenus(QMainWindow* window, const StudioActions& a) {
    QMenuBar* bar = window->menuBar();
    QMenu* file = bar->addMenu(tr("&File"));
    file->addActions({a.newCanvas, a.randomFacade});
    QMenu* examples = file->addMenu(tr("E&xamples"));
    file->addSeparator();
    file->addActions({a.open, a.openPhoto});
    QMenu* recent = file->addMenu(tr("Open &Recent"));
    file->addSeparator();
    file->addActions({a.save, a.saveAs, a.exportResult, a.exportSideBySide});
    file->addSeparator();
    file->addAction(a.loadModel);
    file->addSeparator();
    file->addAction(a.quit);

    QMenu* edit = bar->addMenu(tr("&Edit"));
    edit->addActions({a.undo, a.redo});
    edit->addSeparator();
    edit->addActions({a.clear, a.randomFacade});

    QMenu* tools = bar->addMenu(tr("&Tools"));
    tools->addActions(a.tools->actions());
    tools->addSeparator();
    tools->addActions({a.biggerBrush, a.smallerBrush});

    QMenu* view = bar->addMenu(tr("&View"));
    view->addActions({a.overlay, a.compare, a.heatmap});
    view->addSeparator();
    view->addActions({a.zoomIn, a.zoomOut, a.zoomFit, a.zoom100});
    view->addSeparator();

    QMenu* model = bar->addMenu(tr("&Model"));

    QMenu* help = bar->addMenu(tr("&Help"));
    help->addAction(a.about);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
    return {recent, examples, model, view};
}

void fillModelMenu(QMenu* menu, const StudioActions& a, const ModelController& models,
                   const QVector<RecentRun>& runs, const std::function<void(const QString&)>& load) {
    menu->clear();
    // What the last fill made besides actions (the menu deletes only those).
    qDeleteAll(menu->findChildren<QActionGroup*>(Qt::FindDirectChildrenOnly));
    qDeleteAll(menu->findChildren<QMenu*>(Qt::FindDirectChildrenOnly));
    menu->addSection(tr("Embedded models"));
    if (models.catalog().isEmpty()) {
        QAction* none =
            menu->addAction(models.scanning() ? tr("Looking for models…") : tr("None found (models/*.p2pm)"));
        none->setEnabled(false);
    }
    auto* group = new QActionGroup(menu);
    const QFileInfo loaded(models.loadedModelPath());
    for (const CatalogEntry& e : models.catalog().entries()) {
        if (ModelCatalog::isSegmenter(e)) continue;
        QString text = e.name;
        if (!e.inputKind.isEmpty()) text += QStringLiteral("  (%1)").arg(e.inputKind);
        QAction* entry = menu->addAction(text);
        entry->setCheckable(true);
        entry->setActionGroup(group);
        entry->setData(e.path);
        entry->setToolTip(e.error.isEmpty() ? e.summary : e.error);
        entry->setEnabled(e.error.isEmpty());
        entry->setChecked(models.hasModel() && loaded == QFileInfo(e.path));
        QObject::connect(entry, &QAction::triggered, menu, [load, path = e.path] { load(path); });
    }
    // The studio's own training runs, newest first: the newest model of each, one click to load.
    menu->addSection(tr("Recent runs"));
    if (runs.isEmpty())
        menu->addAction(tr("None yet — train one in View ▸ Training Panel"))->setEnabled(false);
    for (const RecentRun& run : runs) {
        QAction* entry = menu->addAction(recentRunText(run));
        entry->setCheckable(true);
        entry->setActionGroup(group);
        entry->setData(run.model);
        entry->setToolTip(run.summary.isEmpty() ? run.model : run.summary + QLatin1Char('\n') + run.model);
        entry->setStatusTip(run.model);
        entry->setChecked(models.hasModel() && loaded == QFileInfo(run.model));
        QObject::connect(entry, &QAction::triggered, menu, [load, path = run.model] { load(path); });
    }
    menu->addSeparator();
    menu->addActions({a.loadModel, a.modelInfo, a.exportModel});
    menu->addSection(tr("Preview"));
    menu->addActions({a.deterministic, a.variation});
    QMenu* norm = menu->addMenu(tr("&Normalisation"));
    norm->addActions({a.normImage, a.normRunning});
    menu->addAction(a.heatmap);
}

void fillExamplesMenu(QMenu* menu, const QVector<StarterExample>& examples,
                      const std::function<void(const StarterExample&)>& open) {
    menu->clear();
    CanvasKind previous = CanvasKind::FacadeLabels;
    for (int i = 0; i < examples.size(); ++i) {
        if (i > 0 && examples[i].kind != previous) menu->addSeparator();
        previous = examples[i].kind;
        QAction* entry = menu->addAction(examples[i].title);
        QObject::connect(entry, &QAction::triggered, menu, [open, example = examples[i]] { open(example); });
    }
}

void fillRecentMenu(QMenu* menu, const QStringList& files, const std::function<void(const QString&)>& open,
                    const std::function<void()>& clear) {
    menu->clear();
    for (int i = 0; i < files.size(); ++i) {
        QAction* entry =
            menu->addAction(QStringLiteral("&%1  %2").arg(i + 1).arg(QFileInfo(files[i]).fileName()));
        entry->setToolTip(files[i]);
        entry->setStatusTip(files[i]);
        QObject::connect(entry, &QAction::triggered, menu, [open, path = files[i]] { open(path); });
    }
    menu->setEnabled(!files.isEmpty());
    if (files.isEmpty()) return;
    menu->addSeparator();
    QObject::connect(menu->addAction(tr("&Clear List")), &QAction::triggered, menu, [clear] { clear(); });
}

StudioToolBars buildToolBars(QMainWindow* window, const StudioActions& a, QMenu* viewMenu) {
    StudioToolBars t{};
    QToolBar* main = addToolBar(window, Qt::TopToolBarArea, tr("Main"), QStringLiteral("mainToolBar"));
    main->setToolButtonStyle(Qt::ToolButtonIconOnly);
    main->addActions({a.newCanvas, a.randomFacade, a.open, a.save});
    main->addSeparator();
    main->addActions({a.undo, a.redo});
    main->addSeparator();
    main->addWidget(new QLabel(tr(" Mode ")));
    t.mode = new QComboBox;
    t.mode->addItem(displayName(CanvasKind::FacadeLabels), int(CanvasKind::FacadeLabels));
    t.mode->addItem(displayName(CanvasKind::Edges), int(CanvasKind::Edges));
    t.mode->setToolTip(tr("Facade labels use the facades model; edge sketches use the edges model"));
    main->addWidget(t.mode);
    main->addSeparator();
    main->addWidget(new QLabel(tr(" Brush ")));
    t.brush = new QSpinBox;
    t.brush->setRange(CanvasView::kMinBrush, CanvasView::kMaxBrush);
    t.brush->setSuffix(tr(" px"));
    t.brush->setToolTip(tr("Brush size ([ and ] change it)"));
    main->addWidget(t.brush);

    QToolBar* tools = addToolBar(window, Qt::LeftToolBarArea, tr("Tools"), QStringLiteral("toolsToolBar"));
    tools->addActions(a.tools->actions());
    tools->addSeparator();
    tools->addAction(a.clear);
    tools->addSeparator();
    tools->addActions({a.zoomIn, a.zoomOut, a.zoomFit});

    QToolBar* preview =
        addToolBar(window, Qt::TopToolBarArea, tr("Preview"), QStringLiteral("previewToolBar"));
    preview->addAction(a.overlay);
    t.overlayOpacity = new QSlider(Qt::Horizontal);
    t.overlayOpacity->setRange(0, 100);
    t.overlayOpacity->setValue(60);
    t.overlayOpacity->setFixedWidth(90);
    t.overlayOpacity->setToolTip(tr("Overlay opacity"));
    t.overlayOpacityAction = preview->addWidget(t.overlayOpacity);
    t.overlayOpacityAction->setVisible(false);
    preview->addAction(a.compare);
    preview->addSeparator();
    preview->addAction(a.variation);
    preview->addWidget(new QLabel(tr(" Seed ")));
    t.seed = new QSpinBox;
    t.seed->setRange(0, std::numeric_limits<int>::max());
    t.seed->setToolTip(tr("Dropout seed for the paper-mode variation"));
    t.seed->setEnabled(false);
    preview->addWidget(t.seed);
    preview->addAction(a.deterministic);
    preview->addSeparator();
    preview->addAction(a.heatmap);

    viewMenu->addSection(tr("Toolbars"));
    for (QToolBar* bar : {main, tools, preview}) viewMenu->addAction(bar->toggleViewAction());
    return t;
}

QWidget* captionedPane(QLabel*& caption, QWidget* view) {
    auto* pane = new QWidget;
    auto* layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    caption = new QLabel;
    caption->setContentsMargins(10, 5, 10, 5);
    caption->setTextFormat(Qt::RichText);
    caption->setAutoFillBackground(true);
    caption->setBackgroundRole(QPalette::Window);
    layout->addWidget(caption);
    layout->addWidget(view, 1);
    return pane;
}

StatusFields::StatusFields(QMainWindow* window)
    : cursor(new QLabel), device(new QLabel), model(new QLabel), latency(new QLabel) {
    latency->setMinimumWidth(
        QFontMetrics(window->font()).horizontalAdvance(QStringLiteral("latency 0000 ms · 00.0 fps")));
    latency->setToolTip(tr("Time of the last translation, and the preview frames shown per second over the "
                           "last %1 s (while the canvas changes)")
                            .arg(frames_.windowMs() / 1000.0));
    clock_.start();
    idle_.setSingleShot(true);
    QObject::connect(&idle_, &QTimer::timeout, latency, [this] { showLatency(); });
    device->setToolTip(tr("Where the model runs"));
    QStatusBar* bar = window->statusBar();
    bar->setStyleSheet(QStringLiteral("QStatusBar::item { border: none; }"));
    for (QLabel* l : {cursor, device, model, latency}) {
        auto* separator = new QFrame;
        separator->setFrameShape(QFrame::VLine);
        separator->setFrameShadow(QFrame::Sunken);
        bar->addPermanentWidget(separator);
        l->setContentsMargins(6, 0, 6, 0);
        bar->addPermanentWidget(l);
        fields_.push_back({l, separator});
    }
    sync();
}

void StatusFields::sync() {
    bool anyBefore = false;
    for (const auto& [label, separator] : fields_) {
        const bool shown = !label->text().isEmpty();
        label->setVisible(shown);
        separator->setVisible(shown && anyBefore);
        anyBefore = anyBefore || shown;
    }
}

}  // namespace p2p::ui

namespace p2p::ui {

void StatusFields::hover(QPoint pixel, bool inside) {
    hover_ = inside ? std::optional<QPoint>(pixel) : std::nullopt;
    refreshHover();
}

void StatusFields::refreshHover() {
    cursor->setText(hover_ && describePixel ? describePixel(*hover_) : QString());
    sync();
}

void StatusFields::clearHover() {
    hover_.reset();
    cursor->clear();
    sync();
}

StatusFields::~StatusFields() {
    for (const QPointer<QObject>& filter : filters_) delete filter.data();
}

void StatusFields::clearHoverOnLeave(QWidget* view) {
    auto* filter = new LeaveFilter(view, [this] { clearHover(); });
    view->installEventFilter(filter);
    filters_.push_back(filter);
}

void StatusFields::frameShown(double latencyMs) {
    latencyMs_ = latencyMs;
    frames_.frameShown(clock_.elapsed());
    showLatency();
    idle_.start(int(frames_.windowMs()) + 50);
}

void StatusFields::clearLatency() {
    frames_.reset();
    idle_.stop();
    latency->clear();
    sync();
}

void StatusFields::showLatency() {
    QString text = tr("latency %1 ms").arg(latencyMs_, 0, 'f', 0);
    if (const auto fps = frames_.rate(clock_.elapsed())) text += tr(" · %1 fps").arg(*fps, 0, 'f', 1);
    latency->setText(text);
    sync();
}

}  // namespace p2p::ui
