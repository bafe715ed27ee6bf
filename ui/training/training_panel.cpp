#include "ui/training/training_panel.h"

#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QMessageBox>
#include <QProgressDialog>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <algorithm>
#include <exception>

#include "core/common/atomic_file.h"
#include "core/train/presets.h"
#include "core/train/run_folder.h"
#include "core/train/train_options.h"
#include "ui/training/dataset_group.h"
#include "ui/training/evaluation_controller.h"
#include "ui/training/evaluation_view.h"
#include "ui/training/loss_chart.h"
#include "ui/training/train_options_form.h"
#include "ui/training/training_controller.h"
#include "ui/training/training_monitor.h"
#include "ui/training/training_text.h"

namespace p2p::ui {

namespace {

// Settings written before the presets moved to core hold the old combo's index: Tiny, Standard, Custom.
QString presetFromSettings(const QVariant& stored) {
    const QString value = stored.toString();
    if (value == "0") return "tiny";
    if (value == "1") return "paper";
    if (value == "2") return TrainOptionsForm::kCustom;
    return value;
}

}  // namespace

TrainingPanel::TrainingPanel(QWidget* parent, QSettings* settings) : QWidget(parent), settings_(settings) {
    if (!settings_) {
        ownSettings_ = std::make_unique<QSettings>();
        settings_ = ownSettings_.get();
    }
    controller_ = new TrainingController(this);
    evaluation_ = new EvaluationController(this);
    buildUi();
    connectController();
    connectEvaluation();

    connect(dataset_, &DatasetGroup::scanStarted, this, [this](const QString& folder) {
        monitor_->clearError();
        form_->setDatasetFolder(folder);
        updateButtons();
    });
    connect(dataset_, &DatasetGroup::scanFinished, this, &TrainingPanel::onScanFinished);
    connect(form_, &TrainOptionsForm::directionChanged, dataset_, &DatasetGroup::setDirection);
    connect(form_, &TrainOptionsForm::directionEdited, this, &TrainingPanel::rememberChosenDirection);
    // The scan summary says what preprocessing does to these pairs: it follows the options.
    const auto showTransform = [this] { dataset_->setTransformOptions(options().transformOptions()); };
    connect(form_, &TrainOptionsForm::optionsEdited, this, showTransform);
    connect(form_, &TrainOptionsForm::presetChanged, this, showTransform);
    restoreSettings();
    updateButtons();
}

TrainingPanel::~TrainingPanel() = default;

void TrainingPanel::restoreSettings() {
    restoringSettings_ = true;
    settings_->beginGroup("training");
    p2p::TrainOptions defaults;  // the reference's, then the preset on top
    defaults.direction = settings_->value("direction", "AtoB").toString().toStdString();
    form_->setOptions(defaults);
    if (!setPreset(presetFromSettings(settings_->value("preset", "tiny")))) setPreset("tiny");
    monitor_->setHeatmapOpacity(settings_->value("heatmapOpacity", 55).toInt());
    const QString folder = settings_->value("dataset").toString();
    chosenDirections_ = settings_->value("chosenDirections").toMap();
    settings_->endGroup();
    restoringSettings_ = false;
    dataset_->setDirection(QString::fromStdString(defaults.direction));
    dataset_->setTransformOptions(form_->options().transformOptions());
    connect(form_, &TrainOptionsForm::presetChanged, this, &TrainingPanel::saveSettings);
    connect(form_, &TrainOptionsForm::directionChanged, this, &TrainingPanel::saveSettings);
    connect(monitor_, &TrainingMonitor::heatmapOpacityChanged, this, &TrainingPanel::saveSettings);
    if (!folder.isEmpty() && QFileInfo(folder).isDir()) setDatasetFolder(folder);
}

// Saved as choices are made, not in the destructor: a window's settings object may be gone by then.
void TrainingPanel::saveSettings() {
    if (restoringSettings_) return;
    QSettings& settings = *settings_;
    settings.beginGroup("training");
    settings.setValue("preset", form_->preset());
    settings.setValue("direction", QString::fromStdString(form_->options().direction));
    settings.setValue("heatmapOpacity", monitor_->heatmapOpacity());
    if (dataset_->isReady()) settings.setValue("dataset", dataset_->lastScan().folder);
    settings.endGroup();
}

// ---- layout
// ---------------------------------------------------------------------------------------------------

void TrainingPanel::buildUi() {
    dataset_ = new DatasetGroup;
    form_ = new TrainOptionsForm;
    dataset_->setDirectionControl(form_->takeDirectionControl());
    auto* settingsWidget = new QWidget;
    auto* settingsLayout = new QVBoxLayout(settingsWidget);
    settingsLayout->setContentsMargins(6, 6, 6, 6);
    settingsLayout->addWidget(dataset_);
    settingsLayout->addWidget(form_);
    settingsLayout->addStretch(1);
    settingsArea_ = settingsWidget;

    auto* scroll = new QScrollArea;
    scroll->setWidget(settingsWidget);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumWidth(std::min(settingsWidget->sizeHint().width() + 20, 360));
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

    monitor_ = new TrainingMonitor;
    splitter_ = new QSplitter(Qt::Vertical);
    splitter_->addWidget(left);
    splitter_->addWidget(monitor_);
    splitter_->setChildrenCollapsible(false);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter_);
    fitOrientation();
}

// Docked beside the canvas the panel is a narrow column: the settings above the monitor. Floated or given
// the width, they go side by side. Both halves scroll or shrink, so neither order hides the Direction.
void TrainingPanel::fitOrientation() {
    const Qt::Orientation wanted = width() >= kSideBySideWidth ? Qt::Horizontal : Qt::Vertical;
    if (splitter_->orientation() == wanted && orientationFitted_) return;
    splitter_->setOrientation(wanted);
    orientationFitted_ = true;
    const int along = wanted == Qt::Horizontal ? std::max(width(), 2) : std::max(height(), 2);
    // Settings: the folder, direction, preset and the first run options; the monitor takes the rest.
    const int settings = wanted == Qt::Horizontal ? std::min(along * 2 / 5, 460) : along / 2;
    splitter_->setSizes({settings, along - settings});
}

void TrainingPanel::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    fitOrientation();
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
    evaluateButton_ = new QPushButton(tr("Evaluate on test split"));
    evaluateButton_->setToolTip(
        tr("Score this run's newest model on the test pairs of its data folder (L1, PSNR, SSIM and a grid), "
           "as pix2pix eval does"));
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
    connect(evaluateButton_, &QPushButton::clicked, this, &TrainingPanel::evaluateRun);

    auto* box = new QWidget;
    auto* grid = new QGridLayout(box);
    grid->setContentsMargins(6, 0, 6, 6);
    grid->addWidget(startButton_, 0, 0);
    grid->addWidget(pauseButton_, 0, 1);
    grid->addWidget(resumeButton_, 0, 2);
    grid->addWidget(stopButton_, 0, 3);
    grid->addWidget(resumeRunButton_, 1, 0, 1, 2);
    grid->addWidget(useButton_, 1, 2, 1, 2);
    grid->addWidget(evaluateButton_, 2, 0, 1, 4);
    return box;
}

void TrainingPanel::connectController() {
    connect(controller_, &TrainingController::started, this, &TrainingPanel::onStarted);
    connect(controller_, &TrainingController::historyLoaded, lossChart(), &LossChart::addHistory);
    connect(controller_, &TrainingController::lossesReady, lossChart(), &LossChart::addLosses);
    connect(controller_, &TrainingController::progressChanged, this, [this](const p2p::TrainingProgress& p) {
        lastProgress_ = p;
        haveProgress_ = true;
        showProgress();
    });
    connect(controller_, &TrainingController::sampleReady, monitor_, &TrainingMonitor::showSample);
    connect(controller_, &TrainingController::stateChanged, this, [this](p2p::TrainingState state) {
        // One place renders the line: paused drops the it/s and ETA.
        if (state == p2p::TrainingState::Paused || state == p2p::TrainingState::Running) showProgress();
        // The log is the run's story: a pause explains a gap in its timings.
        const QString at = withSeparators(std::max<qint64>(controller_->iteration(), lastProgress_.iteration));
        if (state == p2p::TrainingState::Paused && lastState_ != state)
            monitor_->log(tr("paused at iteration %1").arg(at));
        else if (state == p2p::TrainingState::Running && lastState_ == p2p::TrainingState::Paused)
            monitor_->log(tr("resumed at iteration %1").arg(at));
        lastState_ = state;
        updateButtons();
    });
    connect(controller_, &TrainingController::failed, this, &TrainingPanel::onFailed);
    connect(controller_, &TrainingController::finished, this, &TrainingPanel::onFinished);
    connect(controller_, &TrainingController::message, this, [this](const QString& text) {
        lastMessage_ = text;
        monitor_->log(text);
    });
    connect(controller_, &TrainingController::checkpointSaved, this, [this](const QString& path) {
        // The run folder holds checkpoints/: its size is what the run costs on disk so far.
        const QString runDir = QFileInfo(path).absoluteDir().absolutePath().section('/', 0, -2);
        monitor_->log(
            tr("checkpoint saved: %1 (run folder %2)")
                .arg(path, QString::fromStdString(p2p::formatBytes(p2p::folderBytes(runDir.toStdString())))));
        updateButtons();
    });
    connect(controller_, &TrainingController::epochFinished, this, [this](int epoch, double seconds) {
        monitor_->log(tr("epoch %1 done in %2").arg(epoch).arg(formatDuration(seconds)));
    });
    connect(controller_, &TrainingController::runningChanged, this, [this](bool running) {
        updateButtons();
        Q_EMIT trainingActiveChanged(running);
    });
    connect(controller_, &TrainingController::modelExported, this, [this](const QString& path) {
        monitor_->log(tr("exported %1").arg(path));
        if (exportForStudio_) {
            exportForStudio_ = false;
            Q_EMIT useModelRequested(path);
        }
        updateButtons();
    });
    connect(controller_, &TrainingController::exportFailed, this, [this](const QString& error) {
        exportForStudio_ = false;
        monitor_->showError(tr("Could not export the model: %1").arg(error));
        updateButtons();
    });
}

void TrainingPanel::connectEvaluation() {
    EvaluationView* view = monitor_->evaluationView();
    connect(view, &EvaluationView::cancelRequested, evaluation_, &EvaluationController::cancel);
    connect(evaluation_, &EvaluationController::runningChanged, this, &TrainingPanel::updateButtons);
    connect(evaluation_, &EvaluationController::started, view, &EvaluationView::showStarted);
    connect(evaluation_, &EvaluationController::progress, view, &EvaluationView::showProgress);
    connect(evaluation_, &EvaluationController::pairSkipped, this,
            [this](const QString& path, const QString& why) {
                monitor_->log(tr("evaluation skipped %1: %2").arg(path, why));
            });
    connect(evaluation_, &EvaluationController::finished, this, [this, view](const p2p::EvalReport& report) {
        view->showReport(report);
        monitor_->log(tr("evaluated %1 on %2: %3")
                          .arg(QString::fromStdString(report.model_path), QString::fromStdString(report.data),
                               EvaluationView::scoresText(report).replace('\n', " · ").simplified()));
    });
    connect(evaluation_, &EvaluationController::failed, this, [this, view](const QString& error) {
        view->showFailed(error);
        monitor_->log(tr("evaluation failed: %1").arg(error));
    });
    connect(evaluation_, &EvaluationController::cancelled, view, &EvaluationView::showCancelled);
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

// ---- the parts
// ------------------------------------------------------------------------------------------------

LossChart* TrainingPanel::lossChart() const {
    return monitor_->lossChart();
}
HeatmapView* TrainingPanel::realHeatmap() const {
    return monitor_->realHeatmap();
}
HeatmapView* TrainingPanel::fakeHeatmap() const {
    return monitor_->fakeHeatmap();
}

void TrainingPanel::setDatasetFolder(const QString& folder) {
    dataset_->setFolder(folder);
}
QString TrainingPanel::datasetFolder() const {
    return dataset_->folder();
}
bool TrainingPanel::datasetReady() const {
    return dataset_->isReady();
}
const DatasetScanResult& TrainingPanel::lastScan() const {
    return dataset_->lastScan();
}

QString TrainingPanel::folderKey(const QString& folder) {
    return QDir::cleanPath(QFileInfo(folder).absoluteFilePath());
}

namespace {
QString directionTitle(const QString& direction) {
    return direction == "BtoA" ? TrainingPanel::tr("B → A") : TrainingPanel::tr("A → B");
}
}  // namespace

void TrainingPanel::preselectDirection() {
    const DatasetScanResult& scan = dataset_->lastScan();
    if (!scan.error.isEmpty()) return;
    const QString chosen = chosenDirections_.value(folderKey(scan.folder)).toString();
    const QString& guess = scan.guessedDirection;
    if (!chosen.isEmpty()) {
        // A choice made by hand for this folder outranks any guess, after a rescan or a restart too.
        form_->setDirection(chosen);
        QString note = tr("%1: your choice for this folder.").arg(directionTitle(chosen));
        if (!guess.isEmpty() && guess != chosen)
            note += ' ' + tr("The scan suggests %1 (%2).").arg(directionTitle(guess), scan.directionReason);
        dataset_->setDirectionNote(note);
    } else if (!guess.isEmpty()) {
        form_->setDirection(guess);
        dataset_->setDirectionNote(tr("%1 preselected: %2.").arg(directionTitle(guess), scan.directionReason));
    } else if (!scan.directionReason.isEmpty()) {
        dataset_->setDirectionNote(tr("No direction preselected: %1.").arg(scan.directionReason));
    }
}

void TrainingPanel::rememberChosenDirection(const QString& direction) {
    const QString folder = dataset_->folder();
    if (folder.isEmpty()) return;
    chosenDirections_.insert(folderKey(folder), direction);
    dataset_->setDirectionNote(tr("%1: your choice for this folder.").arg(directionTitle(direction)));
    settings_->beginGroup("training");
    settings_->setValue("chosenDirections", chosenDirections_);
    settings_->endGroup();
}

void TrainingPanel::onScanFinished(bool ready, const QString& problem) {
    if (!problem.isEmpty()) monitor_->showError(problem);
    preselectDirection();
    if (ready) saveSettings();
    const QString note = dataset_->lastScan().sampleNote;
    if (!note.isEmpty()) monitor_->log(tr("Could not load a sample pair: %1").arg(note));
    updateButtons();
}

bool TrainingPanel::setPreset(const QString& name) {
    return form_->setPreset(name);
}
QString TrainingPanel::preset() const {
    return form_->preset();
}

p2p::TrainOptions TrainingPanel::options() const {
    p2p::TrainOptions o = form_->options();
    o.dataroot = dataset_->folder().toStdString();
    o.pair_resize = dataset_->pairResize();
    return o;
}

void TrainingPanel::setOptions(const p2p::TrainOptions& options) {
    form_->setOptions(options);
    dataset_->setPairResize(options.pair_resize);  // showing a run's options does not rescan
    dataset_->setTransformOptions(options.transformOptions());
}

void TrainingPanel::setRunFolder(const QString& folder) {
    form_->setRunFolder(folder);
}

// ---- running
// --------------------------------------------------------------------------------------------------

bool TrainingPanel::isTraining() const {
    return controller_->isRunning();
}

bool TrainingPanel::startTraining() {
    if (controller_->isRunning()) return false;
    monitor_->clearError();
    if (!dataset_->isReady()) {
        monitor_->showError(tr("Choose a paired folder with training pairs first."));
        return false;
    }
    p2p::TrainOptions o = options();
    if (o.run_dir.empty()) o.run_dir = TrainOptionsForm::newRunFolder(dataset_->folder()).toStdString();
    try {
        o.validate();
    } catch (const std::exception& e) {
        monitor_->showError(QString::fromStdString(e.what()));
        return false;
    }
    const QString runDir = QString::fromStdString(o.run_dir);
    if (p2p::RunFolder(o.run_dir).holdsRun()) {
        monitor_->showError(
            tr("%1 already holds a run: choose another run folder, or continue it with Resume run…")
                .arg(runDir));
        return false;
    }
    QDir().mkpath(QFileInfo(runDir).absolutePath());
    stopping_ = false;
    haveProgress_ = false;
    lastMessage_.clear();
    monitor_->log(tr("starting %1 on %2 → %3")
                      .arg(QString::fromStdString(o.generatorOptions().describe()),
                           QString::fromStdString(o.dataroot), runDir));
    monitor_->startRun(tr("Starting…"), tr("Loading the dataset and building the networks…"));
    return controller_->start(o);
}

bool TrainingPanel::resumeRun(const QString& runDir, const QString& dataroot) {
    if (controller_->isRunning()) return false;
    monitor_->clearError();
    stopping_ = false;
    haveProgress_ = false;
    lastMessage_.clear();
    monitor_->log(dataroot.isEmpty() ? tr("resuming %1").arg(runDir)
                                     : tr("resuming %1 with its data now in %2").arg(runDir, dataroot));
    monitor_->startRun(tr("Resuming…"), tr("Loading the checkpoint…"));
    return controller_->resumeRun(runDir, dataroot);
}

void TrainingPanel::chooseRunToResume() {
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Run folder to continue"), TrainOptionsForm::runsFolder());
    if (dir.isEmpty()) return;
    // Data that moved since the run: ask where it is now (the trainer checks it holds the same files).
    const QString recorded = recordedDataFolder(dir);
    QString moved;
    if (!recorded.isEmpty() && !QFileInfo(recorded).isDir()) {
        moved = QFileDialog::getExistingDirectory(
            this,
            tr("The run's data is no longer at %1: where is it now?").arg(QDir::toNativeSeparators(recorded)),
            QFileInfo(recorded).absolutePath());
        if (moved.isEmpty()) return;
    }
    resumeRun(dir, moved);
}

QString TrainingPanel::recordedDataFolder(const QString& runDir) {
    return QString::fromStdString(
        p2p::RunFolder(runDir.toStdString()).recordedDataroot().value_or(std::string()));
}

void TrainingPanel::onStarted(const QString& runDir, const p2p::TrainingProgress& progress,
                              const p2p::TrainOptions& options) {
    runningOptions_ = options;
    setOptions(options);  // a resumed run shows its own options
    form_->setRunFolder(runDir);
    monitor_->setRunOptions(options);
    lastProgress_ = progress;
    haveProgress_ = true;
    showProgress();
    monitor_->log(tr("run folder %1").arg(runDir));
    monitor_->log(tr("precision %1")
                      .arg(QString::fromStdString(p2p::describePrecision(options.precision, options.device))));
    updateButtons();
}

void TrainingPanel::showProgress() {
    if (haveProgress_) monitor_->showProgress(lastProgress_, controller_->isPaused(), stopping_);
}

void TrainingPanel::onFailed(const QString& error) {
    monitor_->showError(error);
    if (error != lastMessage_) monitor_->log(tr("error: %1").arg(error));
}

void TrainingPanel::onFinished(p2p::TrainingState state, const QString& runDir, const QString& modelPath) {
    stopping_ = false;
    lossChart()->flush();
    monitor_->showFinished(state, runDir, modelPath, controller_->lastCheckpoint());
    // Start after a run begins a new one (a used run folder would be refused); Resume run… continues this.
    if (QDir::cleanPath(QString::fromStdString(form_->options().run_dir)) == QDir::cleanPath(runDir))
        form_->setRunFolder({});
    updateButtons();
}

void TrainingPanel::useInStudio() {
    monitor_->clearError();
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
        monitor_->showError(
            tr("No checkpoint yet: the first is saved every %1 iterations, at epoch ends, or when you stop.")
                .arg(runningOptions_.save_latest_freq));
        return;
    }
    monitor_->log(tr("exporting the newest checkpoint for the studio…"));
    updateButtons();
}

// ---- evaluation
// -----------------------------------------------------------------------------------------------

QString TrainingPanel::evaluationRunDir() const {
    return controller_->runDir();
}

bool TrainingPanel::evaluateRun() {
    const QString runDir = evaluationRunDir();
    if (runDir.isEmpty() || evaluation_->isRunning()) return false;
    monitor_->evaluationView()->showStarting(runDir);
    monitor_->showTab(TrainingMonitor::EvaluationTab);
    monitor_->log(tr("evaluating the newest model of %1 on its test split").arg(runDir));
    // Where the user trains is where they want this computed too.
    return evaluation_->startForRun(runDir, form_->options().device);
}

// ---- closing and buttons
// --------------------------------------------------------------------------------------

bool TrainingPanel::confirmClose(bool ask) {
    if (!controller_->isRunning()) {
        evaluation_->cancel();  // nothing to save; the controller waits for it when the panel goes
        return true;
    }
    if (ask) {
        const auto answer = QMessageBox::question(
            this, tr("Training is running"),
            tr("Stop training and save a checkpoint before closing? You can continue it later with Resume "
               "run…"),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Yes);
        if (answer != QMessageBox::Yes) return false;
    }
    evaluation_->cancel();
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
    startButton_->setEnabled(!running && dataset_->isReady());
    pauseButton_->setEnabled(running && !paused && !stopping_);
    resumeButton_->setEnabled(running && paused && !stopping_);
    stopButton_->setEnabled(running && !stopping_);
    resumeRunButton_->setEnabled(!running);
    const bool haveModel =
        !controller_->exportedModel().isEmpty() || !controller_->lastCheckpoint().isEmpty();
    useButton_->setEnabled(haveModel || running);
    const QString runDir = evaluationRunDir();
    evaluateButton_->setEnabled(!evaluation_->isRunning() && !runDir.isEmpty() &&
                                !p2p::RunFolder(runDir.toStdString()).newestModel().empty());
    settingsArea_->setEnabled(!running);
}

QString TrainingPanel::errorText() const {
    return monitor_->errorText();
}

}  // namespace p2p::ui
