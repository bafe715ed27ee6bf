#pragma once

// The training panel: pick a paired folder (scanned at once, on a pool thread), choose a preset or custom
// options, and train with live loss curves, samples and D's PatchGAN heatmaps. Training runs on the
// TrainingController's thread; the rest of the studio stays usable.

#include <QImage>
#include <QString>
#include <QWidget>

#include <memory>

#include "core/train/train_options.h"
#include "core/train/training_observer.h"
#include "ui/training/dataset_scanner.h"
#include "ui/training/training_worker.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSettings;
class QProgressBar;
class QPushButton;
class QScrollArea;
class QSlider;
class QSpinBox;
class QTabWidget;
class QTreeWidget;

namespace p2p::ui {

class HeatmapView;
class ImagePane;
class LossChart;
class TrainingController;

class TrainingPanel : public QWidget {
    Q_OBJECT

public:
    enum class Preset { Tiny, Standard, Custom };
    // The options a preset sets on top of `base`: Tiny = unet_128, ngf/ndf 32, 128² crops (load 143), 10+10
    // epochs, for CPUs; Standard = the paper's unet_256, ngf/ndf 64, 256² crops (load 286), 100+100 epochs.
    // Custom returns base unchanged.
    static p2p::TrainOptions presetOptions(Preset preset, p2p::TrainOptions base = {});

    // `settings` (not owned) keeps the panel's choices with the window's; by default the application's.
    explicit TrainingPanel(QWidget* parent = nullptr, QSettings* settings = nullptr);
    ~TrainingPanel() override;

    TrainingController* controller() const { return controller_; }
    LossChart* lossChart() const { return lossChart_; }
    HeatmapView* realHeatmap() const { return realHeatmap_; }
    HeatmapView* fakeHeatmap() const { return fakeHeatmap_; }

    // Scans the folder at once (progress shows in the panel).
    void setDatasetFolder(const QString& folder);
    QString datasetFolder() const;
    bool datasetReady() const { return scanOk_; }
    const DatasetScanResult& lastScan() const { return scan_; }

    void setPreset(Preset preset);
    Preset preset() const;
    // The options the controls describe (dataroot and run_dir included), and the reverse.
    p2p::TrainOptions options() const;
    void setOptions(const p2p::TrainOptions& options);
    void setRunFolder(const QString& folder);  // "" = a new folder under the studio's runs folder

    // Starts a run from the controls; false (with the reason shown in the panel) when it cannot.
    bool startTraining();
    // `dataroot`: where the run's data is now, when it moved; empty: where the run recorded it.
    bool resumeRun(const QString& runDir, const QString& dataroot = {});
    // The data folder a run recorded (options.json), or empty when it cannot be read.
    static QString recordedDataFolder(const QString& runDir);
    bool isTraining() const;

    // For MainWindow::closeEvent: true when the window may close. While training, asks (when `ask`); on yes
    // stops the run (the trainer saves a checkpoint and exports the model) and waits for it; on no returns
    // false.
    bool confirmClose(bool ask = true);

    QSize sizeHint() const override { return {1200, 520}; }

protected:
    // The wheel over an unfocused combo box or spin box scrolls the settings instead of changing the value.
    bool eventFilter(QObject* watched, QEvent* event) override;

public:

    QString errorText() const;  // the problem shown in the panel, if any

Q_SIGNALS:
    // "Use in studio": the newest model file of the run (exported at stop/end, or from the newest
    // checkpoint).
    void useModelRequested(const QString& modelPath);
    void trainingActiveChanged(bool active);

private:
    void buildUi();
    void saveSettings();
    QWidget* buildDatasetGroup();
    QWidget* buildModelGroup();
    QWidget* buildRunGroup();
    QWidget* buildButtons();
    QWidget* buildSamplesTab();
    QWidget* buildHeatmapTab();

    void chooseFolder();
    void chooseRunToResume();
    void onScanProgress(int done, int total);
    void onScanFinished(const DatasetScanResult& result);
    void showSamplePair();
    void applyPresetToControls(Preset preset);
    void onStarted(const QString& runDir, const p2p::TrainingProgress& progress,
                   const p2p::TrainOptions& options);
    void onProgress(const p2p::TrainingProgress& progress);
    void showProgress();
    void onSample(const TrainingSampleImages& sample);
    void onStateChanged(p2p::TrainingState state);
    void onFinished(p2p::TrainingState state, const QString& runDir, const QString& modelPath);
    void onFailed(const QString& error);
    void useInStudio();
    void updateButtons();
    void showError(const QString& text);
    void clearError();
    void log(const QString& text);
    QString defaultRunFolder() const;

    std::unique_ptr<QSettings> ownSettings_;
    QSettings* settings_ = nullptr;
    TrainingController* controller_ = nullptr;
    DatasetScanner* scanner_ = nullptr;
    DatasetScanResult scan_;
    bool scanOk_ = false;
    bool stopping_ = false;
    bool restoringSettings_ = false;
    bool exportForStudio_ = false;
    QString lastMessage_;
    p2p::TrainingProgress lastProgress_;
    bool haveProgress_ = false;
    p2p::TrainOptions runningOptions_;

    // Dataset
    QLineEdit* folderEdit_ = nullptr;
    QProgressBar* scanProgress_ = nullptr;
    QLabel* scanSummary_ = nullptr;
    QCheckBox* pairResizeBox_ = nullptr;
    QTreeWidget* skippedList_ = nullptr;
    QLabel* skippedTitle_ = nullptr;
    ImagePane* sampleInput_ = nullptr;
    ImagePane* sampleTarget_ = nullptr;
    QLabel* sampleCaption_ = nullptr;
    // Model
    QComboBox* presetBox_ = nullptr;
    QLabel* presetSummary_ = nullptr;
    QWidget* customBox_ = nullptr;
    QComboBox* netGBox_ = nullptr;
    QSpinBox* ngfSpin_ = nullptr;
    QComboBox* netDBox_ = nullptr;
    QSpinBox* nLayersSpin_ = nullptr;
    QSpinBox* ndfSpin_ = nullptr;
    QComboBox* normBox_ = nullptr;
    QCheckBox* dropoutBox_ = nullptr;
    QComboBox* ganModeBox_ = nullptr;
    QComboBox* preprocessBox_ = nullptr;
    QSpinBox* loadSizeSpin_ = nullptr;
    QSpinBox* cropSizeSpin_ = nullptr;
    QCheckBox* flipBox_ = nullptr;
    QDoubleSpinBox* beta1Spin_ = nullptr;
    QSpinBox* seedSpin_ = nullptr;
    QSpinBox* threadsSpin_ = nullptr;
    QSpinBox* saveLatestSpin_ = nullptr;
    QSpinBox* saveEpochSpin_ = nullptr;
    QSpinBox* logFreqSpin_ = nullptr;
    QCheckBox* fastPathBox_ = nullptr;
    // Run
    QComboBox* directionBox_ = nullptr;
    QSpinBox* epochsSpin_ = nullptr;
    QSpinBox* decayEpochsSpin_ = nullptr;
    QDoubleSpinBox* lrSpin_ = nullptr;
    QDoubleSpinBox* lambdaSpin_ = nullptr;
    QSpinBox* batchSpin_ = nullptr;
    QComboBox* deviceBox_ = nullptr;
    QSpinBox* computeThreadsSpin_ = nullptr;
    QSpinBox* sampleFreqSpin_ = nullptr;
    QLineEdit* runFolderEdit_ = nullptr;
    QWidget* settingsArea_ = nullptr;
    QScrollArea* settingsScroll_ = nullptr;
    // Buttons
    QPushButton* startButton_ = nullptr;
    QPushButton* pauseButton_ = nullptr;
    QPushButton* resumeButton_ = nullptr;
    QPushButton* stopButton_ = nullptr;
    QPushButton* resumeRunButton_ = nullptr;
    QPushButton* useButton_ = nullptr;
    // Progress and messages
    QProgressBar* progressBar_ = nullptr;
    QLabel* progressLabel_ = nullptr;
    QLabel* errorLabel_ = nullptr;
    QPlainTextEdit* logView_ = nullptr;
    // Live views
    QTabWidget* tabs_ = nullptr;
    LossChart* lossChart_ = nullptr;
    ImagePane* inputPane_ = nullptr;
    ImagePane* generatedPane_ = nullptr;
    ImagePane* targetPane_ = nullptr;
    QLabel* samplesCaption_ = nullptr;
    HeatmapView* realHeatmap_ = nullptr;
    HeatmapView* fakeHeatmap_ = nullptr;
    QSlider* opacitySlider_ = nullptr;
    QLabel* heatmapCaption_ = nullptr;
};

}  // namespace p2p::ui
