#pragma once

// The training panel's right side: how far the run is (bar and one line), the problem if there is one, the
// live views (loss curves, the newest sample, D's PatchGAN heatmaps, the evaluation of the run's model) and
// the log. It shows what it is given; the panel decides when.

#include <QString>
#include <QWidget>

#include "core/train/train_options.h"
#include "core/train/training_observer.h"
#include "ui/training/training_worker.h"

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QSlider;
class QTabWidget;

namespace p2p::ui {

class EvaluationView;
class HeatmapView;
class ImagePane;
class LossChart;

class TrainingMonitor : public QWidget {
    Q_OBJECT

public:
    enum Tab { LossesTab, SamplesTab, DiscriminatorTab, EvaluationTab };

    explicit TrainingMonitor(QWidget* parent = nullptr);

    LossChart* lossChart() const { return lossChart_; }
    HeatmapView* realHeatmap() const { return realHeatmap_; }
    HeatmapView* fakeHeatmap() const { return fakeHeatmap_; }
    EvaluationView* evaluationView() const { return evaluationView_; }
    void showTab(Tab tab);

    // Forgets the last run's curves, sample and heatmaps; shows `barText` and `line` until progress comes.
    void startRun(const QString& barText, const QString& line);
    // The run's discriminator decides the heatmaps' grid and the caption's numbers.
    void setRunOptions(const p2p::TrainOptions& options);
    void showProgress(const p2p::TrainingProgress& progress, bool paused, bool stopping);
    void showSample(const TrainingSampleImages& sample);
    // "Iteration 300 · epoch 1 · pair 24": the pair is named by its file name without the extension.
    static QString samplesCaptionText(const TrainingSampleImages& sample);
    // The run ended: its state, the model it left (or the checkpoint kept after a failure), the folder's
    // size. Logs the whole paths; the line shows file names.
    void showFinished(p2p::TrainingState state, const QString& runDir, const QString& modelPath,
                      const QString& keptCheckpoint);

    // "Epoch 3 / 20 · iteration 1 200 / 8 000 · 4.20 it/s · ETA 0:27:47"; paused: no rate; stopping: says so.
    static QString progressText(const p2p::TrainingProgress& progress, bool paused, bool stopping);
    QString progressLine() const;

    void showError(const QString& text);
    void clearError();
    QString errorText() const;  // empty when no problem shows
    void log(const QString& text);

    int heatmapOpacity() const;  // percent
    void setHeatmapOpacity(int percent);

Q_SIGNALS:
    void heatmapOpacityChanged(int percent);

private:
    QWidget* buildSamplesTab();
    QWidget* buildHeatmapTab();

    QProgressBar* progressBar_ = nullptr;
    QLabel* progressLabel_ = nullptr;
    QLabel* errorLabel_ = nullptr;
    QPlainTextEdit* logView_ = nullptr;
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
    EvaluationView* evaluationView_ = nullptr;
};

}  // namespace p2p::ui
