#include "ui/training/training_monitor.h"

#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QSlider>
#include <QSplitter>
#include <QTabWidget>
#include <QTime>
#include <QVBoxLayout>

#include <cmath>

#include "core/common/atomic_file.h"
#include "core/common/runtime.h"
#include "core/nn/receptive_field.h"
#include "ui/training/evaluation_view.h"
#include "ui/training/heatmap_view.h"
#include "ui/training/image_pane.h"
#include "ui/training/loss_chart.h"
#include "ui/training/training_text.h"

namespace p2p::ui {

TrainingMonitor::TrainingMonitor(QWidget* parent) : QWidget(parent) {
    progressBar_ = new QProgressBar;
    progressBar_->setRange(0, 1000);
    progressBar_->setValue(0);
    progressBar_->setTextVisible(true);
    progressBar_->setFormat(tr("Not started"));
    progressLabel_ = new QLabel(tr("Choose a paired folder, a preset, then Start."));
    progressLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A long path must not widen the dock (and the window past the screen): wrap, and never ask for more
    // width.
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
    evaluationView_ = new EvaluationView;
    tabs_->addTab(lossChart_, tr("Losses"));
    tabs_->addTab(buildSamplesTab(), tr("Samples"));
    tabs_->addTab(buildHeatmapTab(), tr("Discriminator"));
    tabs_->addTab(evaluationView_, tr("Evaluation"));

    logView_ = new QPlainTextEdit;
    logView_->setReadOnly(true);
    logView_->setMaximumBlockCount(1000);
    logView_->setPlaceholderText(tr("Messages from the trainer appear here."));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(progressBar_);
    layout->addWidget(progressLabel_);
    layout->addWidget(errorLabel_);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(tabs_);
    split->addWidget(logView_);
    split->setStretchFactor(0, 5);
    split->setStretchFactor(1, 1);
    split->setSizes({600, 110});
    layout->addWidget(split, 1);
}

QWidget* TrainingMonitor::buildSamplesTab() {
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

QWidget* TrainingMonitor::buildHeatmapTab() {
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
        Q_EMIT heatmapOpacityChanged(v);
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

void TrainingMonitor::showTab(Tab tab) {
    tabs_->setCurrentIndex(int(tab));
}

void TrainingMonitor::startRun(const QString& barText, const QString& line) {
    lossChart_->clear();
    for (ImagePane* pane : {inputPane_, generatedPane_, targetPane_}) pane->setImage({});
    realHeatmap_->clear();
    fakeHeatmap_->clear();
    progressBar_->setValue(0);
    progressBar_->setFormat(barText);
    progressLabel_->setText(line);
    progressLabel_->setToolTip({});
}

void TrainingMonitor::setRunOptions(const p2p::TrainOptions& options) {
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
}

QString TrainingMonitor::progressText(const p2p::TrainingProgress& p, bool paused, bool stopping) {
    QString text = tr("Epoch %1 / %2 · iteration %3 / %4")
                       .arg(p.epoch)
                       .arg(p.total_epochs)
                       .arg(withSeparators(p.iteration))
                       .arg(withSeparators(p.total_iterations));
    // Paused drops the it/s and ETA, which mean nothing while it waits.
    if (paused) {
        text += tr(" · paused");
    } else if (p.iterations_per_second > 0) {
        text += tr(" · %1 it/s · ETA %2")
                    .arg(p.iterations_per_second, 0, 'f', p.iterations_per_second < 10 ? 2 : 1)
                    .arg(formatDuration(p.eta_seconds));
    }
    if (stopping) text += tr(" · stopping: saving a checkpoint and the model…");
    return text;
}

void TrainingMonitor::showProgress(const p2p::TrainingProgress& p, bool paused, bool stopping) {
    const double fraction = p.total_iterations > 0 ? double(p.iteration) / double(p.total_iterations) : 0.0;
    progressBar_->setValue(int(std::lround(fraction * 1000)));
    progressBar_->setFormat(QString("%1%").arg(fraction * 100.0, 0, 'f', 1));
    progressLabel_->setText(progressText(p, paused, stopping));
}

QString TrainingMonitor::progressLine() const {
    return progressLabel_->text();
}

QString TrainingMonitor::samplesCaptionText(const TrainingSampleImages& sample) {
    const QString where = tr("Iteration %1 · epoch %2").arg(withSeparators(sample.iteration)).arg(sample.epoch);
    // The name is the pair's file name without its extension: say so, or a bare "24" reads as a count.
    return sample.name.isEmpty() ? where : tr("%1 · pair %2").arg(where, sample.name);
}

void TrainingMonitor::showSample(const TrainingSampleImages& sample) {
    inputPane_->setImage(sample.input);
    generatedPane_->setImage(sample.generated);
    targetPane_->setImage(sample.target);
    samplesCaption_->setText(samplesCaptionText(sample));
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

void TrainingMonitor::showFinished(p2p::TrainingState state, const QString& runDir, const QString& modelPath,
                                   const QString& keptCheckpoint) {
    QString text = tr("Training %1.").arg(trainingStateName(state));
    QString shortText = text;  // the label: file names; the log and the tooltip: whole paths
    if (!modelPath.isEmpty()) {
        text += tr(" Model: %1").arg(QDir::toNativeSeparators(modelPath));
        const QFileInfo model(modelPath);
        shortText += tr(" Model: %1/%2").arg(model.dir().dirName(), model.fileName());
    } else if (state == p2p::TrainingState::Failed && !keptCheckpoint.isEmpty()) {
        text += tr(" The last good checkpoint is kept: %1").arg(keptCheckpoint);
        shortText += tr(" The last good checkpoint is kept: %1").arg(QFileInfo(keptCheckpoint).fileName());
    }
    if (!runDir.isEmpty() && QFileInfo::exists(runDir)) {
        const QString size =
            tr(" Run folder: %1.")
                .arg(QString::fromStdString(p2p::formatBytes(p2p::folderBytes(runDir.toStdString()))));
        text += size;
        shortText += size;
    }
    progressLabel_->setText(shortText);
    progressLabel_->setToolTip(text);
    if (state != p2p::TrainingState::Failed) progressBar_->setFormat(trainingStateName(state));
    log(text);
}

void TrainingMonitor::showError(const QString& text) {
    errorLabel_->setText(text);
    errorLabel_->show();
}

void TrainingMonitor::clearError() {
    errorLabel_->clear();
    errorLabel_->hide();
}

QString TrainingMonitor::errorText() const {
    return errorLabel_->isHidden() ? QString() : errorLabel_->text();
}

void TrainingMonitor::log(const QString& text) {
    logView_->appendPlainText(QTime::currentTime().toString("HH:mm:ss  ") + text);
}

int TrainingMonitor::heatmapOpacity() const {
    return opacitySlider_->value();
}

void TrainingMonitor::setHeatmapOpacity(int percent) {
    opacitySlider_->setValue(percent);
}

}  // namespace p2p::ui
