#include "ui/training/training_panel.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFile>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPainter>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QProgressDialog>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTextLayout>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <cmath>
#include <exception>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/runtime.h"
#include "core/nn/receptive_field.h"
#include "core/train/run_folder.h"
#include "ui/training/heatmap_view.h"
#include "ui/training/image_pane.h"
#include "ui/training/loss_chart.h"
#include "ui/training/training_controller.h"

namespace p2p::ui {

namespace {

// Draws a column's text whole, wrapped onto as many lines as its width needs (long paths break anywhere),
// so that a skip reason is never cut off with "…". The row grows to fit.
class WrappingDelegate : public QStyledItemDelegate {
public:
    explicit WrappingDelegate(QTreeWidget* tree) : QStyledItemDelegate(tree), tree_(tree) {}

    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override {
        const int width = std::max(40, tree_->columnWidth(index.column()) - 2 * kMargin);
        const QString text = index.data(Qt::DisplayRole).toString();
        return {width, textHeight(text, option.font, width) + 2 * kMargin};
    }

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override {
        QStyleOptionViewItem background = option;
        initStyleOption(&background, index);
        background.text.clear();
        tree_->style()->drawControl(QStyle::CE_ItemViewItem, &background, painter, tree_);
        QTextOption wrap;
        wrap.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
        painter->save();
        painter->setPen(option.palette.color(option.state & QStyle::State_Selected ? QPalette::HighlightedText
                                                                                  : QPalette::Text));
        painter->drawText(QRectF(option.rect.adjusted(kMargin, kMargin, -kMargin, -kMargin)),
                          index.data(Qt::DisplayRole).toString(), wrap);
        painter->restore();
    }

private:
    static constexpr int kMargin = 2;

    static int textHeight(const QString& text, const QFont& font, int width) {
        QTextLayout layout(text, font);
        QTextOption wrap;
        wrap.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
        layout.setTextOption(wrap);
        qreal height = 0;
        layout.beginLayout();
        for (QTextLine line = layout.createLine(); line.isValid(); line = layout.createLine()) {
            line.setLineWidth(width);
            height += line.height();
        }
        layout.endLayout();
        return int(std::ceil(height));
    }

    QTreeWidget* tree_;
};

QString formatDuration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return QStringLiteral("–");
    const qint64 s = qint64(std::llround(seconds));
    return QString("%1:%2:%3")
        .arg(s / 3600)
        .arg((s / 60) % 60, 2, 10, QChar('0'))
        .arg(s % 60, 2, 10, QChar('0'));
}

QString withSeparators(qint64 n) {
    return QLocale::c().toString(n).replace(',', QChar(0x2009));
}

void setCombo(QComboBox* box, const QString& value) {
    const int i = box->findData(value);
    if (i >= 0) box->setCurrentIndex(i);
}

QComboBox* makeCombo(const QStringList& values) {
    auto* box = new QComboBox;
    for (const QString& v : values) box->addItem(v, v);
    return box;
}

QSpinBox* makeSpin(int lo, int hi, int step = 1) {
    auto* spin = new QSpinBox;
    spin->setRange(lo, hi);
    spin->setSingleStep(step);
    spin->setGroupSeparatorShown(true);
    return spin;
}

QString stateName(p2p::TrainingState state) {
    switch (state) {
        case p2p::TrainingState::Running:
            return QObject::tr("running");
        case p2p::TrainingState::Paused:
            return QObject::tr("paused");
        case p2p::TrainingState::Stopped:
            return QObject::tr("stopped");
        case p2p::TrainingState::Finished:
            return QObject::tr("finished");
        case p2p::TrainingState::Failed:
            return QObject::tr("failed");
    }
    return {};
}

}  // namespace

p2p::TrainOptions TrainingPanel::presetOptions(Preset preset, p2p::TrainOptions base) {
    switch (preset) {
        case Preset::Tiny:
            base.netG = "unet_128";
            base.ngf = 32;
            base.ndf = 32;
            base.load_size = 143;  // the reference's 286/256 jitter ratio at 128
            base.crop_size = 128;
            base.n_epochs = 10;
            base.n_epochs_decay = 10;
            break;
        case Preset::Standard:
            base.netG = "unet_256";
            base.ngf = 64;
            base.ndf = 64;
            base.load_size = 286;
            base.crop_size = 256;
            base.n_epochs = 100;
            base.n_epochs_decay = 100;
            break;
        case Preset::Custom:
            break;
    }
    return base;
}

TrainingPanel::TrainingPanel(QWidget* parent, QSettings* settings) : QWidget(parent), settings_(settings) {
    if (!settings_) {
        ownSettings_ = std::make_unique<QSettings>();
        settings_ = ownSettings_.get();
    }
    controller_ = new TrainingController(this);
    scanner_ = new DatasetScanner(this);
    buildUi();

    connect(scanner_, &DatasetScanner::progress, this, &TrainingPanel::onScanProgress);
    connect(scanner_, &DatasetScanner::finished, this, &TrainingPanel::onScanFinished);

    connect(controller_, &TrainingController::started, this, &TrainingPanel::onStarted);
    connect(controller_, &TrainingController::historyLoaded, lossChart_, &LossChart::addHistory);
    connect(controller_, &TrainingController::lossesReady, lossChart_, &LossChart::addLosses);
    connect(controller_, &TrainingController::progressChanged, this, &TrainingPanel::onProgress);
    connect(controller_, &TrainingController::sampleReady, this, &TrainingPanel::onSample);
    connect(controller_, &TrainingController::stateChanged, this, &TrainingPanel::onStateChanged);
    connect(controller_, &TrainingController::failed, this, &TrainingPanel::onFailed);
    connect(controller_, &TrainingController::finished, this, &TrainingPanel::onFinished);
    connect(controller_, &TrainingController::message, this, [this](const QString& text) {
        lastMessage_ = text;
        log(text);
    });
    connect(controller_, &TrainingController::checkpointSaved, this, [this](const QString& path) {
        // The run folder holds checkpoints/: its size is what the run costs on disk so far.
        const QString runDir = QFileInfo(path).absoluteDir().absolutePath().section('/', 0, -2);
        log(tr("checkpoint saved: %1 (run folder %2)")
                .arg(path, QString::fromStdString(p2p::formatBytes(p2p::folderBytes(runDir.toStdString())))));
        updateButtons();
    });
    connect(controller_, &TrainingController::epochFinished, this, [this](int epoch, double seconds) {
        log(tr("epoch %1 done in %2").arg(epoch).arg(formatDuration(seconds)));
    });
    connect(controller_, &TrainingController::runningChanged, this, [this](bool running) {
        updateButtons();
        Q_EMIT trainingActiveChanged(running);
    });
    connect(controller_, &TrainingController::modelExported, this, [this](const QString& path) {
        log(tr("exported %1").arg(path));
        if (exportForStudio_) {
            exportForStudio_ = false;
            Q_EMIT useModelRequested(path);
        }
        updateButtons();
    });
    connect(controller_, &TrainingController::exportFailed, this, [this](const QString& error) {
        exportForStudio_ = false;
        showError(tr("Could not export the model: %1").arg(error));
        updateButtons();
    });

    setOptions(p2p::TrainOptions{});  // the reference's defaults, then the preset on top
    restoringSettings_ = true;
    settings_->beginGroup("training");
    const int presetIndex = settings_->value("preset", int(Preset::Tiny)).toInt();
    setPreset(presetIndex >= 0 && presetIndex <= 2 ? Preset(presetIndex) : Preset::Tiny);
    setCombo(directionBox_, settings_->value("direction", "AtoB").toString());
    opacitySlider_->setValue(settings_->value("heatmapOpacity", 55).toInt());
    const QString folder = settings_->value("dataset").toString();
    settings_->endGroup();
    restoringSettings_ = false;
    connect(presetBox_, &QComboBox::activated, this, &TrainingPanel::saveSettings);
    connect(directionBox_, &QComboBox::currentIndexChanged, this, &TrainingPanel::saveSettings);
    connect(opacitySlider_, &QSlider::valueChanged, this, &TrainingPanel::saveSettings);
    if (!folder.isEmpty() && QFileInfo(folder).isDir()) setDatasetFolder(folder);
    updateButtons();
}

TrainingPanel::~TrainingPanel() = default;

// Saved as choices are made, not in the destructor: a window's settings object may be gone by then.
void TrainingPanel::saveSettings() {
    if (restoringSettings_) return;
    QSettings& settings = *settings_;
    settings.beginGroup("training");
    settings.setValue("preset", int(preset()));
    settings.setValue("direction", directionBox_->currentData().toString());
    settings.setValue("heatmapOpacity", opacitySlider_->value());
    if (scanOk_) settings.setValue("dataset", scan_.folder);
    settings.endGroup();
}

// ---- layout
// ---------------------------------------------------------------------------------------------------

void TrainingPanel::buildUi() {
    auto* settingsWidget = new QWidget;
    auto* settingsLayout = new QVBoxLayout(settingsWidget);
    settingsLayout->setContentsMargins(6, 6, 6, 6);
    settingsLayout->addWidget(buildDatasetGroup());
    settingsLayout->addWidget(buildModelGroup());
    settingsLayout->addWidget(buildRunGroup());
    settingsLayout->addStretch(1);
    settingsArea_ = settingsWidget;

    auto* scroll = new QScrollArea;
    scroll->setWidget(settingsWidget);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumWidth(settingsWidget->sizeHint().width() + 20);
    settingsScroll_ = scroll;
    // Scrolling through the form must not change a preset or a number on the way (see eventFilter).
    for (QWidget* w : settingsWidget->findChildren<QWidget*>())
        if (qobject_cast<QComboBox*>(w) || qobject_cast<QAbstractSpinBox*>(w)) {
            w->setFocusPolicy(Qt::StrongFocus);
            w->installEventFilter(this);
        }

    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(scroll, 1);
    leftLayout->addWidget(buildButtons());

    // Right: progress, problems, live views, log.
    progressBar_ = new QProgressBar;
    progressBar_->setRange(0, 1000);
    progressBar_->setValue(0);
    progressBar_->setTextVisible(true);
    progressBar_->setFormat(tr("Not started"));
    progressLabel_ = new QLabel(tr("Choose a paired folder, a preset, then Start."));
    progressLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A long path must not widen the dock (and the window past the screen): wrap, and never ask for more width.
    progressLabel_->setWordWrap(true);
    progressLabel_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    errorLabel_ = new QLabel;
    errorLabel_->setWordWrap(true);
    errorLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    errorLabel_->setStyleSheet(
        "QLabel { background: #fdecea; color: #8a1c13; border: 1px solid #f5c2bd; border-radius: 3px; "
        "padding: 6px; }");
    errorLabel_->hide();

    tabs_ = new QTabWidget;
    lossChart_ = new LossChart;
    tabs_->addTab(lossChart_, tr("Losses"));
    tabs_->addTab(buildSamplesTab(), tr("Samples"));
    tabs_->addTab(buildHeatmapTab(), tr("Discriminator"));

    logView_ = new QPlainTextEdit;
    logView_->setReadOnly(true);
    logView_->setMaximumBlockCount(1000);
    logView_->setPlaceholderText(tr("Messages from the trainer appear here."));

    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(6, 6, 6, 6);
    rightLayout->addWidget(progressBar_);
    rightLayout->addWidget(progressLabel_);
    rightLayout->addWidget(errorLabel_);
    auto* vsplit = new QSplitter(Qt::Vertical);
    vsplit->addWidget(tabs_);
    vsplit->addWidget(logView_);
    vsplit->setStretchFactor(0, 5);
    vsplit->setStretchFactor(1, 1);
    vsplit->setSizes({600, 110});
    rightLayout->addWidget(vsplit, 1);

    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);
}

QWidget* TrainingPanel::buildDatasetGroup() {
    auto* group = new QGroupBox(tr("Paired folder"));
    folderEdit_ = new QLineEdit;
    folderEdit_->setPlaceholderText(tr("A folder of A|B images, or A/ and B/"));
    folderEdit_->setToolTip(
        tr("Aligned: each image holds A and B side by side (the pix2pix datasets). Two folders: A/ and B/ "
           "with matching file names. Either may have train/, test/ and val/ subfolders."));
    connect(folderEdit_, &QLineEdit::returnPressed, this, [this] { setDatasetFolder(folderEdit_->text()); });
    auto* choose = new QPushButton(tr("Choose…"));
    connect(choose, &QPushButton::clicked, this, &TrainingPanel::chooseFolder);
    auto* row = new QHBoxLayout;
    row->addWidget(folderEdit_, 1);
    row->addWidget(choose);

    scanProgress_ = new QProgressBar;
    scanProgress_->setFormat(tr("Scanning %v / %m"));
    scanProgress_->hide();
    scanSummary_ = new QLabel(tr("No folder chosen."));
    scanSummary_->setObjectName("scanSummary");
    scanSummary_->setWordWrap(true);
    scanSummary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    skippedTitle_ = new QLabel;
    skippedTitle_->hide();
    skippedList_ = new QTreeWidget;
    skippedList_->setObjectName("skippedList");
    skippedList_->setColumnCount(2);
    skippedList_->setHeaderLabels({tr("Skipped file"), tr("Reason")});
    skippedList_->setRootIsDecorated(false);
    skippedList_->setMaximumHeight(180);
    // Reasons are whole sentences: they wrap onto more lines instead of ending in "…".
    skippedList_->setWordWrap(true);
    skippedList_->setUniformRowHeights(false);
    skippedList_->setItemDelegate(new WrappingDelegate(skippedList_));
    skippedList_->header()->setStretchLastSection(true);
    skippedList_->header()->setSectionResizeMode(0, QHeaderView::Interactive);
    skippedList_->setColumnWidth(0, 140);
    // Row heights depend on the column widths: lay the rows out again when those change.
    connect(skippedList_->header(), &QHeaderView::sectionResized, skippedList_,
            [this] { skippedList_->doItemsLayout(); });
    skippedList_->hide();
    pairResizeBox_ = new QCheckBox(tr("Resize B to A when only the size differs"));
    pairResizeBox_->setObjectName("pairResize");
    pairResizeBox_->setToolTip(
        tr("A/ and B/ folders: a pair whose B has another size but the same aspect ratio (within 1%), such as a "
           "half-size label map beside its photo, is used with B resized to A. Pairs whose aspect ratios "
           "differ are always skipped: nothing is stretched."));
    connect(pairResizeBox_, &QCheckBox::toggled, this, [this] {
        if (!folderEdit_->text().isEmpty()) setDatasetFolder(folderEdit_->text());
    });

    sampleInput_ = new ImagePane(tr("Input"));
    sampleTarget_ = new ImagePane(tr("Target"));
    for (ImagePane* pane : {sampleInput_, sampleTarget_}) {
        pane->setMinimumSize(120, 136);
        pane->setMaximumHeight(200);  // a preview of one pair, not the space the settings below need
        pane->setPlaceholder(tr("—"));
    }
    sampleCaption_ = new QLabel;
    sampleCaption_->setStyleSheet("color: palette(mid);");
    auto* samples = new QHBoxLayout;
    samples->addWidget(sampleInput_);
    samples->addWidget(sampleTarget_);

    auto* layout = new QVBoxLayout(group);
    layout->addLayout(row);
    layout->addWidget(pairResizeBox_);
    layout->addWidget(scanProgress_);
    layout->addWidget(scanSummary_);
    layout->addWidget(skippedTitle_);
    layout->addWidget(skippedList_);
    layout->addLayout(samples);
    layout->addWidget(sampleCaption_);
    return group;
}

QWidget* TrainingPanel::buildModelGroup() {
    auto* group = new QGroupBox(tr("Model"));
    presetBox_ = new QComboBox;
    presetBox_->addItem(tr("Tiny (CPU)"), int(Preset::Tiny));
    presetBox_->addItem(tr("Standard (paper)"), int(Preset::Standard));
    presetBox_->addItem(tr("Custom"), int(Preset::Custom));
    presetBox_->setItemData(0, tr("unet_128, ngf 32, ndf 32, 128×128 crops: quick on a CPU"),
                            Qt::ToolTipRole);
    presetBox_->setItemData(1, tr("The paper's unet_256, ngf 64, ndf 64, 256×256 crops"), Qt::ToolTipRole);
    presetBox_->setItemData(2, tr("Every trainer option"), Qt::ToolTipRole);
    presetSummary_ = new QLabel;
    presetSummary_->setWordWrap(true);
    presetSummary_->setStyleSheet("color: palette(dark);");

    customBox_ = new QWidget;
    auto* form = new QFormLayout(customBox_);
    form->setContentsMargins(0, 0, 0, 0);
    netGBox_ = makeCombo({"unet_256", "unet_128"});
    ngfSpin_ = makeSpin(1, 512);
    netDBox_ = makeCombo({"basic", "n_layers", "pixel"});
    nLayersSpin_ = makeSpin(1, 8);
    ndfSpin_ = makeSpin(1, 512);
    normBox_ = makeCombo({"batch", "instance", "none"});
    dropoutBox_ = new QCheckBox(tr("Dropout in the generator"));
    ganModeBox_ = makeCombo({"vanilla", "lsgan"});
    preprocessBox_ = makeCombo({"resize_and_crop", "crop", "scale_width", "scale_width_and_crop", "none"});
    loadSizeSpin_ = makeSpin(16, 4096);
    cropSizeSpin_ = makeSpin(16, 4096);
    flipBox_ = new QCheckBox(tr("Random horizontal flips"));
    beta1Spin_ = new QDoubleSpinBox;
    beta1Spin_->setRange(0.0, 0.999);
    beta1Spin_->setDecimals(3);
    beta1Spin_->setSingleStep(0.05);
    seedSpin_ = makeSpin(0, std::numeric_limits<int>::max());
    threadsSpin_ = makeSpin(0, 64);
    threadsSpin_->setToolTip(tr("Background image decoding threads"));
    saveLatestSpin_ = makeSpin(0, 10'000'000, 100);
    saveEpochSpin_ = makeSpin(0, 10'000);
    logFreqSpin_ = makeSpin(1, 100'000);
    fastPathBox_ = new QCheckBox(tr("Fast transposed convolutions (CPU)"));
    fastPathBox_->setToolTip(
        tr("Runs the generator's transposed convolutions on the fast convolution path: the "
           "same arithmetic as ConvTranspose2d, about twice as fast per step on CPU"));
    form->addRow(tr("Generator"), netGBox_);
    form->addRow(tr("ngf"), ngfSpin_);
    form->addRow(tr("Discriminator"), netDBox_);
    form->addRow(tr("n_layers_D"), nLayersSpin_);
    form->addRow(tr("ndf"), ndfSpin_);
    form->addRow(tr("Norm"), normBox_);
    form->addRow(QString(), dropoutBox_);
    form->addRow(tr("GAN loss"), ganModeBox_);
    form->addRow(tr("Preprocess"), preprocessBox_);
    form->addRow(tr("Load size"), loadSizeSpin_);
    form->addRow(tr("Crop size"), cropSizeSpin_);
    form->addRow(QString(), flipBox_);
    form->addRow(tr("Adam β1"), beta1Spin_);
    form->addRow(tr("Seed"), seedSpin_);
    form->addRow(tr("Data threads"), threadsSpin_);
    form->addRow(tr("Save latest every"), saveLatestSpin_);
    form->addRow(tr("Keep a checkpoint every"), saveEpochSpin_);
    form->addRow(tr("Log losses every"), logFreqSpin_);
    form->addRow(QString(), fastPathBox_);
    saveLatestSpin_->setSuffix(tr(" it"));
    saveEpochSpin_->setSuffix(tr(" epochs"));
    logFreqSpin_->setSuffix(tr(" it"));
    connect(netDBox_, &QComboBox::currentTextChanged, this,
            [this](const QString& d) { nLayersSpin_->setEnabled(d == "n_layers"); });

    connect(presetBox_, &QComboBox::activated, this,
            [this](int index) { applyPresetToControls(Preset(presetBox_->itemData(index).toInt())); });

    auto* layout = new QFormLayout(group);
    layout->addRow(tr("Preset"), presetBox_);
    layout->addRow(presetSummary_);
    layout->addRow(customBox_);
    return group;
}

QWidget* TrainingPanel::buildRunGroup() {
    auto* group = new QGroupBox(tr("Run"));
    directionBox_ = new QComboBox;
    directionBox_->addItem(tr("A → B"), "AtoB");
    directionBox_->addItem(tr("B → A"), "BtoA");
    directionBox_->setToolTip(
        tr("Which half is the input. Facades store photo|label: labels → photos is B → A."));
    connect(directionBox_, &QComboBox::currentIndexChanged, this, [this] { showSamplePair(); });
    epochsSpin_ = makeSpin(0, 100'000);
    epochsSpin_->setToolTip(tr("Epochs at the initial learning rate"));
    decayEpochsSpin_ = makeSpin(0, 100'000);
    decayEpochsSpin_->setToolTip(tr("Then epochs over which the learning rate decays linearly to zero"));
    auto* epochsRow = new QHBoxLayout;
    epochsRow->addWidget(epochsSpin_);
    epochsRow->addWidget(new QLabel(tr("+ decay")));
    epochsRow->addWidget(decayEpochsSpin_);
    lrSpin_ = new QDoubleSpinBox;
    lrSpin_->setDecimals(6);
    lrSpin_->setRange(0.000001, 1.0);
    lrSpin_->setSingleStep(0.0001);
    lambdaSpin_ = new QDoubleSpinBox;
    lambdaSpin_->setRange(0.0, 10'000.0);
    lambdaSpin_->setDecimals(1);
    lambdaSpin_->setToolTip(tr("Weight of the L1 loss against the GAN loss (the paper's λ = 100)"));
    batchSpin_ = makeSpin(1, 1024);
    deviceBox_ = new QComboBox;
    deviceBox_->addItem(tr("Automatic"), "auto");
    deviceBox_->addItem(tr("CPU"), "cpu");
    if (p2p::cudaAvailable()) deviceBox_->addItem(tr("CUDA"), "cuda");
    deviceBox_->setToolTip(QString::fromStdString(p2p::Device::automatic().resolved().describe()));
    computeThreadsSpin_ = makeSpin(0, 1024);
    computeThreadsSpin_->setSpecialValueText(tr("one per core"));
    computeThreadsSpin_->setToolTip(
        tr("Threads that compute each step. Another count adds up in another order, so the run records the "
           "count it used, and Resume run… restores it."));
    sampleFreqSpin_ = makeSpin(1, 1'000'000, 10);
    sampleFreqSpin_->setPrefix(tr("every "));
    sampleFreqSpin_->setSuffix(tr(" iterations"));
    runFolderEdit_ = new QLineEdit;
    runFolderEdit_->setPlaceholderText(
        tr("new folder under %1")
            .arg(QDir::toNativeSeparators(
                QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation))
                    .filePath("runs"))));
    auto* browse = new QPushButton(tr("…"));
    browse->setMaximumWidth(32);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder for the new run"));
        if (!dir.isEmpty())
            runFolderEdit_->setText(QDir(dir).filePath(QFileInfo(defaultRunFolder()).fileName()));
    });
    auto* runFolderRow = new QHBoxLayout;
    runFolderRow->addWidget(runFolderEdit_, 1);
    runFolderRow->addWidget(browse);

    auto* form = new QFormLayout(group);
    form->addRow(tr("Direction"), directionBox_);
    form->addRow(tr("Epochs"), epochsRow);
    form->addRow(tr("Learning rate"), lrSpin_);
    form->addRow(tr("λ (L1)"), lambdaSpin_);
    form->addRow(tr("Batch size"), batchSpin_);
    form->addRow(tr("Device"), deviceBox_);
    form->addRow(tr("Compute threads"), computeThreadsSpin_);
    form->addRow(tr("Samples"), sampleFreqSpin_);
    form->addRow(tr("Run folder"), runFolderRow);
    return group;
}

QWidget* TrainingPanel::buildButtons() {
    startButton_ = new QPushButton(tr("Start"));
    startButton_->setDefault(true);
    pauseButton_ = new QPushButton(tr("Pause"));
    resumeButton_ = new QPushButton(tr("Resume"));
    stopButton_ = new QPushButton(tr("Stop"));
    stopButton_->setToolTip(tr("Finish the current step, save a checkpoint and export the model"));
    resumeRunButton_ = new QPushButton(tr("Resume run…"));
    resumeRunButton_->setToolTip(tr("Continue an earlier run from its latest checkpoint"));
    useButton_ = new QPushButton(tr("Use in studio"));
    useButton_->setToolTip(tr("Load the newest model of this run into the studio's preview"));
    connect(startButton_, &QPushButton::clicked, this, &TrainingPanel::startTraining);
    connect(pauseButton_, &QPushButton::clicked, controller_, &TrainingController::pause);
    connect(resumeButton_, &QPushButton::clicked, controller_, &TrainingController::resume);
    connect(stopButton_, &QPushButton::clicked, this, [this] {
        stopping_ = true;
        controller_->stop();
        showProgress();
        updateButtons();
    });
    connect(resumeRunButton_, &QPushButton::clicked, this, &TrainingPanel::chooseRunToResume);
    connect(useButton_, &QPushButton::clicked, this, &TrainingPanel::useInStudio);

    auto* box = new QWidget;
    auto* grid = new QGridLayout(box);
    grid->setContentsMargins(6, 0, 6, 6);
    grid->addWidget(startButton_, 0, 0);
    grid->addWidget(pauseButton_, 0, 1);
    grid->addWidget(resumeButton_, 0, 2);
    grid->addWidget(stopButton_, 0, 3);
    grid->addWidget(resumeRunButton_, 1, 0, 1, 2);
    grid->addWidget(useButton_, 1, 2, 1, 2);
    return box;
}

QWidget* TrainingPanel::buildSamplesTab() {
    inputPane_ = new ImagePane(tr("Input"));
    generatedPane_ = new ImagePane(tr("Generated"));
    targetPane_ = new ImagePane(tr("Target"));
    samplesCaption_ = new QLabel(tr("A sample appears every N iterations (Run ▸ Samples)."));
    auto* row = new QHBoxLayout;
    row->addWidget(inputPane_);
    row->addWidget(generatedPane_);
    row->addWidget(targetPane_);
    auto* tab = new QWidget;
    auto* layout = new QVBoxLayout(tab);
    layout->addLayout(row, 1);
    layout->addWidget(samplesCaption_);
    return tab;
}

QWidget* TrainingPanel::buildHeatmapTab() {
    realHeatmap_ = new HeatmapView;
    realHeatmap_->setTitle(tr("D(input, target): real"));
    fakeHeatmap_ = new HeatmapView;
    fakeHeatmap_->setTitle(tr("D(input, generated): fake"));
    // Hovering a cell in one view shows the same cell in the other.
    connect(realHeatmap_, &HeatmapView::cellHovered, fakeHeatmap_, &HeatmapView::setHoveredCell);
    connect(fakeHeatmap_, &HeatmapView::cellHovered, realHeatmap_, &HeatmapView::setHoveredCell);

    opacitySlider_ = new QSlider(Qt::Horizontal);
    opacitySlider_->setRange(0, 100);
    opacitySlider_->setMaximumWidth(220);
    auto* opacityValue = new QLabel;
    connect(opacitySlider_, &QSlider::valueChanged, this, [this, opacityValue](int v) {
        realHeatmap_->setOpacity(v / 100.0);
        fakeHeatmap_->setOpacity(v / 100.0);
        opacityValue->setText(QString("%1%").arg(v));
    });
    heatmapCaption_ = new QLabel(
        tr("Each cell is D's probability that its patch is real; hover a cell to see the pixels it judged."));
    heatmapCaption_->setWordWrap(true);

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Heatmap opacity")));
    controls->addWidget(opacitySlider_);
    controls->addWidget(opacityValue);
    controls->addStretch(1);
    auto* views = new QHBoxLayout;
    views->addWidget(realHeatmap_);
    views->addWidget(fakeHeatmap_);
    auto* tab = new QWidget;
    auto* layout = new QVBoxLayout(tab);
    layout->addLayout(controls);
    layout->addLayout(views, 1);
    layout->addWidget(heatmapCaption_);
    return tab;
}

bool TrainingPanel::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::Wheel) {
        auto* w = qobject_cast<QWidget*>(watched);
        if (w && !w->hasFocus() && settingsScroll_) {
            QCoreApplication::sendEvent(settingsScroll_->verticalScrollBar(), event);
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

// ---- dataset
// --------------------------------------------------------------------------------------------------

void TrainingPanel::chooseFolder() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Paired folder"), folderEdit_->text());
    if (!dir.isEmpty()) setDatasetFolder(dir);
}

QString TrainingPanel::datasetFolder() const {
    return folderEdit_->text();
}

void TrainingPanel::setDatasetFolder(const QString& folder) {
    folderEdit_->setText(QDir::toNativeSeparators(folder));
    scanOk_ = false;
    clearError();
    scanSummary_->setText(tr("Scanning…"));
    skippedTitle_->hide();
    skippedList_->hide();
    skippedList_->clear();
    sampleInput_->setImage({});
    sampleTarget_->setImage({});
    sampleCaption_->clear();
    scanProgress_->setRange(0, 0);  // busy until the scan knows its total
    scanProgress_->show();
    updateButtons();
    p2p::ScanOptions scanOptions;
    scanOptions.pair_resize = pairResizeBox_->isChecked();
    scanner_->scan(QDir::fromNativeSeparators(folder), scanOptions);
}

void TrainingPanel::onScanProgress(int done, int total) {
    scanProgress_->setRange(0, std::max(total, 1));
    scanProgress_->setValue(done + 1);
}

void TrainingPanel::onScanFinished(const DatasetScanResult& result) {
    scanProgress_->hide();
    scan_ = result;
    if (!result.error.isEmpty()) {
        scanOk_ = false;
        if (result.error == "cancelled") return;
        scanSummary_->setText(tr("Not a usable paired folder."));
        showError(result.error);
        updateButtons();
        return;
    }
    const p2p::DatasetScan& s = result.scan;
    QStringList lines;
    lines << (s.layout == p2p::DatasetLayout::Aligned ? tr("<b>Aligned</b>: A|B side by side in each image")
                                                      : tr("<b>Two folders</b>: A/ and B/, paired by name"));
    QStringList splits;
    int trainPairs = 0;
    for (const auto& [name, pairs] : s.splits) {
        splits << QString("%1 <b>%2</b>")
                      .arg(name.empty() ? tr("unsplit") : QString::fromStdString(name))
                      .arg(withSeparators(qint64(pairs.size())));
        if (name == s.trainSplit()) trainPairs = int(pairs.size());
    }
    lines << tr("Pairs: %1").arg(splits.join(" · "));
    if (!s.image_sizes.empty()) {
        QStringList sizes;
        for (const auto& [size, count] : s.image_sizes)
            sizes << QString("%1 (%2)").arg(QString::fromStdString(size)).arg(count);
        lines << tr("Pair sizes: %1").arg(sizes.join(", "));
    }
    for (const auto& note : s.allNotes()) lines << QString::fromStdString(note).toHtmlEscaped();
    p2p::TransformOptions transform = options().transformOptions();
    for (const auto& note : p2p::preprocessNotes(s, transform))
        lines << QString::fromStdString(note).toHtmlEscaped();
    for (const auto& warning : s.warnings)
        lines << tr("<b>Warning:</b> %1").arg(QString::fromStdString(warning).toHtmlEscaped());
    lines << tr("Trains on <b>%1</b> (%2 pairs)")
                 .arg(s.trainSplit().empty() ? tr("all pairs") : QString::fromStdString(s.trainSplit()))
                 .arg(trainPairs);
    scanSummary_->setText(lines.join("<br>"));

    skippedList_->clear();
    for (const auto& skipped : s.skipped) {
        auto* item = new QTreeWidgetItem({QFileInfo(QString::fromStdString(skipped.path)).fileName(),
                                          QString::fromStdString(skipped.reason)});
        item->setToolTip(0, QString::fromStdString(skipped.path));
        item->setToolTip(1, QString::fromStdString(skipped.reason));
        skippedList_->addTopLevelItem(item);
    }
    skippedTitle_->setText(tr("Skipped %n file(s):", nullptr, int(s.skipped.size())));
    skippedTitle_->setVisible(!s.skipped.empty());
    skippedList_->setVisible(!s.skipped.empty());
    scanOk_ = trainPairs > 0;
    if (!scanOk_) showError(tr("%1 has no pairs to train on.").arg(result.folder));
    saveSettings();
    if (!result.sampleNote.isEmpty()) log(tr("Could not load a sample pair: %1").arg(result.sampleNote));
    showSamplePair();
    updateButtons();
}

void TrainingPanel::showSamplePair() {
    const bool aToB = directionBox_->currentData().toString() == "AtoB";
    sampleInput_->setImage(aToB ? scan_.sampleA : scan_.sampleB);
    sampleTarget_->setImage(aToB ? scan_.sampleB : scan_.sampleA);
    sampleInput_->setTitle(aToB ? tr("Input (A)") : tr("Input (B)"));
    sampleTarget_->setTitle(aToB ? tr("Target (B)") : tr("Target (A)"));
    if (!scan_.sampleName.isEmpty())
        sampleCaption_->setText(
            tr("%1, %2×%3").arg(scan_.sampleName).arg(scan_.sampleA.width()).arg(scan_.sampleA.height()));
}

// ---- options
// --------------------------------------------------------------------------------------------------

void TrainingPanel::setPreset(Preset preset) {
    const int i = presetBox_->findData(int(preset));
    presetBox_->setCurrentIndex(i);
    applyPresetToControls(preset);
}

TrainingPanel::Preset TrainingPanel::preset() const {
    return Preset(presetBox_->currentData().toInt());
}

void TrainingPanel::applyPresetToControls(Preset preset) {
    if (preset != Preset::Custom) setOptions(presetOptions(preset, options()));
    customBox_->setVisible(preset == Preset::Custom);
    const p2p::TrainOptions o = options();
    presetSummary_->setText(tr("%1, ngf %2, ndf %3, %4×%4 crops (from %5), %6 D")
                                .arg(QString::fromStdString(o.netG))
                                .arg(o.ngf)
                                .arg(o.ndf)
                                .arg(o.crop_size)
                                .arg(o.load_size)
                                .arg(QString::fromStdString(o.netD)));
    presetSummary_->setVisible(preset != Preset::Custom);
}

p2p::TrainOptions TrainingPanel::options() const {
    p2p::TrainOptions o;
    o.dataroot = QDir::fromNativeSeparators(folderEdit_->text()).toStdString();
    o.direction = directionBox_->currentData().toString().toStdString();
    o.preprocess = preprocessBox_->currentData().toString().toStdString();
    o.pair_resize = pairResizeBox_->isChecked();
    o.load_size = loadSizeSpin_->value();
    o.crop_size = cropSizeSpin_->value();
    o.no_flip = !flipBox_->isChecked();
    o.batch_size = batchSpin_->value();
    o.num_threads = threadsSpin_->value();
    o.netG = netGBox_->currentData().toString().toStdString();
    o.netD = netDBox_->currentData().toString().toStdString();
    o.n_layers_D = nLayersSpin_->value();
    o.ngf = ngfSpin_->value();
    o.ndf = ndfSpin_->value();
    o.norm = normBox_->currentData().toString().toStdString();
    o.dropout = dropoutBox_->isChecked();
    o.gan_mode = ganModeBox_->currentData().toString().toStdString();
    o.lambda_L1 = lambdaSpin_->value();
    o.lr = lrSpin_->value();
    o.beta1 = beta1Spin_->value();
    o.n_epochs = epochsSpin_->value();
    o.n_epochs_decay = decayEpochsSpin_->value();
    o.seed = uint64_t(seedSpin_->value());
    o.device = p2p::Device::parse(deviceBox_->currentData().toString().toStdString());
    o.fast_path = fastPathBox_->isChecked();
    o.compute_threads = computeThreadsSpin_->value();
    o.run_dir = QDir::fromNativeSeparators(runFolderEdit_->text().trimmed()).toStdString();
    o.save_epoch_freq = saveEpochSpin_->value();
    o.save_latest_freq = saveLatestSpin_->value();
    o.sample_freq = sampleFreqSpin_->value();
    o.log_freq = logFreqSpin_->value();
    return o;
}

void TrainingPanel::setOptions(const p2p::TrainOptions& o) {
    setCombo(directionBox_, QString::fromStdString(o.direction));
    setCombo(preprocessBox_, QString::fromStdString(o.preprocess));
    {
        const QSignalBlocker quiet(pairResizeBox_);  // showing a run's options does not rescan
        pairResizeBox_->setChecked(o.pair_resize);
    }
    loadSizeSpin_->setValue(o.load_size);
    cropSizeSpin_->setValue(o.crop_size);
    flipBox_->setChecked(!o.no_flip);
    batchSpin_->setValue(o.batch_size);
    threadsSpin_->setValue(o.num_threads);
    setCombo(netGBox_, QString::fromStdString(o.netG));
    setCombo(netDBox_, QString::fromStdString(o.netD));
    nLayersSpin_->setValue(o.n_layers_D);
    nLayersSpin_->setEnabled(o.netD == "n_layers");
    ngfSpin_->setValue(o.ngf);
    ndfSpin_->setValue(o.ndf);
    setCombo(normBox_, QString::fromStdString(o.norm));
    dropoutBox_->setChecked(o.dropout);
    setCombo(ganModeBox_, QString::fromStdString(o.gan_mode));
    lambdaSpin_->setValue(o.lambda_L1);
    lrSpin_->setValue(o.lr);
    beta1Spin_->setValue(o.beta1);
    epochsSpin_->setValue(o.n_epochs);
    decayEpochsSpin_->setValue(o.n_epochs_decay);
    seedSpin_->setValue(int(std::min<uint64_t>(o.seed, uint64_t(std::numeric_limits<int>::max()))));
    setCombo(deviceBox_, QString::fromStdString(o.device.str()));
    fastPathBox_->setChecked(o.fast_path);
    computeThreadsSpin_->setValue(o.compute_threads);
    saveEpochSpin_->setValue(o.save_epoch_freq);
    saveLatestSpin_->setValue(o.save_latest_freq);
    sampleFreqSpin_->setValue(o.sample_freq);
    logFreqSpin_->setValue(o.log_freq);
}

void TrainingPanel::setRunFolder(const QString& folder) {
    runFolderEdit_->setText(folder);
}

QString TrainingPanel::defaultRunFolder() const {
    QString name = QFileInfo(QDir::fromNativeSeparators(folderEdit_->text())).fileName();
    if (name.isEmpty()) name = "run";
    const QString runs =
        QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)).filePath("runs");
    return QDir(runs).filePath(name + "-" + QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss"));
}

// ---- running
// --------------------------------------------------------------------------------------------------

bool TrainingPanel::isTraining() const {
    return controller_->isRunning();
}

bool TrainingPanel::startTraining() {
    if (controller_->isRunning()) return false;
    clearError();
    if (!scanOk_) {
        showError(tr("Choose a paired folder with training pairs first."));
        return false;
    }
    p2p::TrainOptions o = options();
    if (o.run_dir.empty()) o.run_dir = defaultRunFolder().toStdString();
    try {
        o.validate();
    } catch (const std::exception& e) {
        showError(QString::fromStdString(e.what()));
        return false;
    }
    const QString runDir = QString::fromStdString(o.run_dir);
    if (p2p::RunFolder(o.run_dir).holdsRun()) {
        showError(tr("%1 already holds a run: choose another run folder, or continue it with Resume run…")
                      .arg(runDir));
        return false;
    }
    QDir().mkpath(QFileInfo(runDir).absolutePath());
    lossChart_->clear();
    for (ImagePane* pane : {inputPane_, generatedPane_, targetPane_}) pane->setImage({});
    realHeatmap_->clear();
    fakeHeatmap_->clear();
    stopping_ = false;
    haveProgress_ = false;
    lastMessage_.clear();
    log(tr("starting %1 on %2 → %3")
            .arg(QString::fromStdString(o.generatorOptions().describe()), QString::fromStdString(o.dataroot),
                 runDir));
    progressBar_->setValue(0);
    progressBar_->setFormat(tr("Starting…"));
    progressLabel_->setText(tr("Loading the dataset and building the networks…"));
    return controller_->start(o);
}

bool TrainingPanel::resumeRun(const QString& runDir, const QString& dataroot) {
    if (controller_->isRunning()) return false;
    clearError();
    lossChart_->clear();
    realHeatmap_->clear();
    fakeHeatmap_->clear();
    stopping_ = false;
    haveProgress_ = false;
    lastMessage_.clear();
    log(dataroot.isEmpty() ? tr("resuming %1").arg(runDir)
                           : tr("resuming %1 with its data now in %2").arg(runDir, dataroot));
    progressBar_->setFormat(tr("Resuming…"));
    progressLabel_->setText(tr("Loading the checkpoint…"));
    return controller_->resumeRun(runDir, dataroot);
}

void TrainingPanel::chooseRunToResume() {
    const QString runs =
        QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)).filePath("runs");
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Run folder to continue"), runs);
    if (dir.isEmpty()) return;
    // Data that moved since the run: ask where it is now (the trainer checks it holds the same files).
    const QString recorded = recordedDataFolder(dir);
    QString moved;
    if (!recorded.isEmpty() && !QFileInfo(recorded).isDir()) {
        moved = QFileDialog::getExistingDirectory(
            this, tr("The run's data is no longer at %1: where is it now?").arg(QDir::toNativeSeparators(recorded)),
            QFileInfo(recorded).absolutePath());
        if (moved.isEmpty()) return;
    }
    resumeRun(dir, moved);
}

QString TrainingPanel::recordedDataFolder(const QString& runDir) {
    return QString::fromStdString(p2p::RunFolder(runDir.toStdString()).recordedDataroot().value_or(std::string()));
}

void TrainingPanel::onStarted(const QString& runDir, const p2p::TrainingProgress& progress,
                              const p2p::TrainOptions& options) {
    runningOptions_ = options;
    setOptions(options);  // a resumed run shows its own options
    runFolderEdit_->setText(QDir::toNativeSeparators(runDir));
    const auto layers = p2p::discriminatorGeometry(options.discriminatorOptions());
    realHeatmap_->setLayers(layers);
    fakeHeatmap_->setLayers(layers);
    const p2p::ReceptiveField field = p2p::receptiveField(layers);
    const int cells = p2p::convOutputSize(layers, options.crop_size);
    heatmapCaption_->setText(
        tr("D sees %1×%1 patches, one every %2 pixels: a %3×%3 map at %4×%4. Each cell is D's "
           "probability that its patch is real; hover a cell to see the pixels it judged.")
            .arg(field.size)
            .arg(field.jump)
            .arg(cells)
            .arg(options.crop_size));
    onProgress(progress);
    log(tr("run folder %1").arg(runDir));
}

void TrainingPanel::onProgress(const p2p::TrainingProgress& progress) {
    lastProgress_ = progress;
    haveProgress_ = true;
    showProgress();
}

void TrainingPanel::showProgress() {
    if (!haveProgress_) return;
    const p2p::TrainingProgress& p = lastProgress_;
    const double fraction = p.total_iterations > 0 ? double(p.iteration) / double(p.total_iterations) : 0.0;
    progressBar_->setValue(int(std::lround(fraction * 1000)));
    progressBar_->setFormat(QString("%1%").arg(fraction * 100.0, 0, 'f', 1));
    QString text = tr("Epoch %1 / %2 · iteration %3 / %4")
                       .arg(p.epoch)
                       .arg(p.total_epochs)
                       .arg(withSeparators(p.iteration))
                       .arg(withSeparators(p.total_iterations));
    if (controller_->isPaused()) {
        text += tr(" · paused");
    } else if (p.iterations_per_second > 0) {
        text += tr(" · %1 it/s · ETA %2")
                    .arg(p.iterations_per_second, 0, 'f', p.iterations_per_second < 10 ? 2 : 1)
                    .arg(formatDuration(p.eta_seconds));
    }
    if (stopping_) text += tr(" · stopping: saving a checkpoint and the model…");
    progressLabel_->setText(text);
}

void TrainingPanel::onSample(const TrainingSampleImages& sample) {
    inputPane_->setImage(sample.input);
    generatedPane_->setImage(sample.generated);
    targetPane_->setImage(sample.target);
    samplesCaption_->setText(tr("Iteration %1 · epoch %2 · %3")
                                 .arg(withSeparators(sample.iteration))
                                 .arg(sample.epoch)
                                 .arg(sample.name));
    realHeatmap_->setImage(sample.target);
    realHeatmap_->setScores(sample.dReal);
    fakeHeatmap_->setImage(sample.generated);
    fakeHeatmap_->setScores(sample.dFake);
    if (!sample.dReal.empty() && !sample.dFake.empty()) {
        const double real = cv::mean(sample.dReal)[0], fake = cv::mean(sample.dFake)[0];
        realHeatmap_->setTitle(tr("D(input, target): real · mean %1").arg(real, 0, 'f', 2));
        fakeHeatmap_->setTitle(tr("D(input, generated): fake · mean %1").arg(fake, 0, 'f', 2));
    }
}

void TrainingPanel::onStateChanged(p2p::TrainingState state) {
    // One place renders the line: paused drops the it/s and ETA, which mean nothing while it waits.
    if (state == p2p::TrainingState::Paused || state == p2p::TrainingState::Running) showProgress();
    updateButtons();
}

void TrainingPanel::onFailed(const QString& error) {
    showError(error);
    if (error != lastMessage_) log(tr("error: %1").arg(error));
}

void TrainingPanel::onFinished(p2p::TrainingState state, const QString& runDir, const QString& modelPath) {
    stopping_ = false;
    lossChart_->flush();
    QString text = tr("Training %1.").arg(stateName(state));
    QString shortText = text;  // the label: file names; the log and the tooltip: whole paths
    if (!modelPath.isEmpty()) {
        text += tr(" Model: %1").arg(QDir::toNativeSeparators(modelPath));
        const QFileInfo model(modelPath);
        shortText += tr(" Model: %1/%2").arg(model.dir().dirName(), model.fileName());
    } else if (state == p2p::TrainingState::Failed && !controller_->lastCheckpoint().isEmpty()) {
        text += tr(" The last good checkpoint is kept: %1").arg(controller_->lastCheckpoint());
        shortText += tr(" The last good checkpoint is kept: %1").arg(QFileInfo(controller_->lastCheckpoint()).fileName());
    }
    if (!runDir.isEmpty() && QFileInfo::exists(runDir)) {
        const QString size = tr(" Run folder: %1.")
                                 .arg(QString::fromStdString(p2p::formatBytes(p2p::folderBytes(runDir.toStdString()))));
        text += size;
        shortText += size;
    }
    progressLabel_->setText(shortText);
    progressLabel_->setToolTip(text);
    if (state != p2p::TrainingState::Failed) progressBar_->setFormat(stateName(state));
    log(text);
    // Start after a run begins a new one (a used run folder would be refused); Resume run… continues this.
    if (QDir::cleanPath(QDir::fromNativeSeparators(runFolderEdit_->text().trimmed())) == QDir::cleanPath(runDir))
        runFolderEdit_->clear();
    updateButtons();
}

void TrainingPanel::useInStudio() {
    clearError();
    const QString model = controller_->exportedModel();
    // A model exported after the last checkpoint is the newest there is.
    if (!controller_->isRunning() && !model.isEmpty() && QFileInfo::exists(model)) {
        Q_EMIT useModelRequested(model);
        return;
    }
    exportForStudio_ = true;
    if (!controller_->exportLatestCheckpoint()) {
        exportForStudio_ = false;
        if (!model.isEmpty() && QFileInfo::exists(model)) {
            Q_EMIT useModelRequested(model);
            return;
        }
        showError(tr("No checkpoint yet: the first is saved every %1 iterations, at epoch ends, or when you "
                     "stop.")
                      .arg(runningOptions_.save_latest_freq));
        return;
    }
    log(tr("exporting the newest checkpoint for the studio…"));
    updateButtons();
}

bool TrainingPanel::confirmClose(bool ask) {
    if (!controller_->isRunning()) return true;
    if (ask) {
        const auto answer = QMessageBox::question(
            this, tr("Training is running"),
            tr("Stop training and save a checkpoint before closing? You can continue it later with Resume "
               "run…"),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Yes);
        if (answer != QMessageBox::Yes) return false;
    }
    stopping_ = true;
    controller_->stop();
    QProgressDialog wait(tr("Finishing the step and saving the checkpoint…"), QString(), 0, 0, this);
    wait.setWindowModality(Qt::WindowModal);
    wait.setMinimumDuration(300);
    wait.setCancelButton(nullptr);
    wait.setValue(0);
    // Saving is quick; a step on a slow CPU may take a while. Wait for it: closing must not lose the run.
    while (!controller_->waitForFinished(200)) wait.setValue(0);
    return true;
}

void TrainingPanel::updateButtons() {
    const bool running = controller_->isRunning();
    const bool paused = controller_->isPaused();
    startButton_->setEnabled(!running && scanOk_);
    pauseButton_->setEnabled(running && !paused && !stopping_);
    resumeButton_->setEnabled(running && paused && !stopping_);
    stopButton_->setEnabled(running && !stopping_);
    resumeRunButton_->setEnabled(!running);
    const bool haveModel =
        !controller_->exportedModel().isEmpty() || !controller_->lastCheckpoint().isEmpty();
    useButton_->setEnabled(haveModel || running);
    settingsArea_->setEnabled(!running);
}

void TrainingPanel::showError(const QString& text) {
    errorLabel_->setText(text);
    errorLabel_->show();
}

void TrainingPanel::clearError() {
    errorLabel_->clear();
    errorLabel_->hide();
}

QString TrainingPanel::errorText() const {
    return errorLabel_->isHidden() ? QString() : errorLabel_->text();
}

void TrainingPanel::log(const QString& text) {
    logView_->appendPlainText(QTime::currentTime().toString("HH:mm:ss  ") + text);
}

}  // namespace p2p::ui
