#pragma once

// The training panel: pick a paired folder (scanned at once, on a pool thread), choose a preset or custom
// options, and train with live loss curves, samples and D's PatchGAN heatmaps; then evaluate the run's model
// on its test split. Training runs on the TrainingController's thread, evaluation on the
// EvaluationController's; the rest of the studio stays usable. The parts are their own classes: the
// DatasetGroup, the TrainOptionsForm (presets and every option) and the TrainingMonitor (progress, views,
// log); the panel connects them to the controllers and decides what may happen when.

#include <QString>
#include <QVariantMap>
#include <QWidget>

#include <memory>

#include "core/train/train_options.h"
#include "core/train/training_observer.h"
#include "ui/training/dataset_scanner.h"
#include "ui/training/training_worker.h"

class QPushButton;
class QScrollArea;
class QSettings;
class QSplitter;

namespace p2p::ui {

class DatasetGroup;
class EvaluationController;
class HeatmapView;
class LossChart;
class TrainOptionsForm;
class TrainingController;
class TrainingMonitor;

class TrainingPanel : public QWidget {
    Q_OBJECT

public:
    // `settings` (not owned) keeps the panel's choices with the window's; by default the application's.
    explicit TrainingPanel(QWidget* parent = nullptr, QSettings* settings = nullptr);
    ~TrainingPanel() override;

    TrainingController* controller() const { return controller_; }
    EvaluationController* evaluationController() const { return evaluation_; }
    DatasetGroup* datasetGroup() const { return dataset_; }
    TrainOptionsForm* optionsForm() const { return form_; }
    TrainingMonitor* monitor() const { return monitor_; }
    LossChart* lossChart() const;
    HeatmapView* realHeatmap() const;
    HeatmapView* fakeHeatmap() const;

    // Scans the folder at once (progress shows in the panel).
    void setDatasetFolder(const QString& folder);
    QString datasetFolder() const;
    bool datasetReady() const;
    const DatasetScanResult& lastScan() const;

    // A preset's name ("tiny", …: core/train/presets.h) or TrainOptionsForm::kCustom. False for neither.
    bool setPreset(const QString& name);
    QString preset() const;
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

    // "Evaluate on test split": the run this session started or resumed last; its newest model on the data
    // folder it recorded. False (nothing starts) when there is no such run with a model, or one evaluates.
    bool evaluateRun();
    QString evaluationRunDir() const;  // empty when no run was started or resumed here

    // For MainWindow::closeEvent: true when the window may close. While training, asks (when `ask`); on yes
    // stops the run (the trainer saves a checkpoint and exports the model) and waits for it; on no returns
    // false.
    bool confirmClose(bool ask = true);

    QString errorText() const;  // the problem shown in the panel, if any

    // A column beside the canvas (the studio docks it at about 40% of the window's width); from this width on
    // the settings and the monitor sit side by side.
    static constexpr int kSideBySideWidth = 900;
    QSize sizeHint() const override { return {480, 640}; }

Q_SIGNALS:
    // "Use in studio": the newest model file of the run (exported at stop/end, or from the newest
    // checkpoint).
    void useModelRequested(const QString& modelPath);
    void trainingActiveChanged(bool active);

protected:
    // The wheel over an unfocused combo box or spin box scrolls the settings instead of changing the value.
    bool eventFilter(QObject* watched, QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void buildUi();
    void fitOrientation();
    QWidget* buildButtons();
    void connectController();
    void connectEvaluation();
    void restoreSettings();
    void saveSettings();

    void chooseRunToResume();
    // After a scan: the user's earlier choice for this folder, else the scan's guess (the direction that
    // makes photos), with a line saying which and why.
    void preselectDirection();
    void rememberChosenDirection(const QString& direction);
    static QString folderKey(const QString& folder);
    void onScanFinished(bool ready, const QString& problem);
    void onStarted(const QString& runDir, const p2p::TrainingProgress& progress,
                   const p2p::TrainOptions& options);
    void showProgress();
    void onFinished(p2p::TrainingState state, const QString& runDir, const QString& modelPath);
    void onFailed(const QString& error);
    void useInStudio();
    void updateButtons();

    std::unique_ptr<QSettings> ownSettings_;
    QSettings* settings_ = nullptr;
    TrainingController* controller_ = nullptr;
    EvaluationController* evaluation_ = nullptr;
    DatasetGroup* dataset_ = nullptr;
    TrainOptionsForm* form_ = nullptr;
    TrainingMonitor* monitor_ = nullptr;
    QWidget* settingsArea_ = nullptr;
    QScrollArea* settingsScroll_ = nullptr;
    QSplitter* splitter_ = nullptr;
    bool orientationFitted_ = false;  // the splitter's sizes were set for its orientation

    bool stopping_ = false;
    bool restoringSettings_ = false;
    bool exportForStudio_ = false;
    QString lastMessage_;
    p2p::TrainingProgress lastProgress_;
    bool haveProgress_ = false;
    p2p::TrainOptions runningOptions_;
    p2p::TrainingState lastState_ = p2p::TrainingState::Stopped;  // to log a pause and its resume once each
    QVariantMap chosenDirections_;  // folder (absolute, clean) -> the direction the user chose for it

    QPushButton* startButton_ = nullptr;
    QPushButton* pauseButton_ = nullptr;
    QPushButton* resumeButton_ = nullptr;
    QPushButton* stopButton_ = nullptr;
    QPushButton* resumeRunButton_ = nullptr;
    QPushButton* useButton_ = nullptr;
    QPushButton* evaluateButton_ = nullptr;
};

}  // namespace p2p::ui
