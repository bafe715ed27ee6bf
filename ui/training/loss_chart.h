#pragma once

// Live loss curves (G_GAN, G_L1, D_real, D_fake, and the learning rate) drawn with QtCharts.
//
// addLosses() only queues a sample. A timer moves the queue into bounded decimated series and replaces each
// chart series once per flush, so the cost of an update depends on the chart's point budget, not on the
// length of the run, and a 100k-iteration run draws as smoothly as a 100-iteration one.

#include <QList>
#include <QPointF>
#include <QString>
#include <QTimer>
#include <QWidget>

#include <memory>
#include <vector>

#include "core/train/training_observer.h"
#include "ui/training/decimated_series.h"

class QCheckBox;
class QLabel;
class QSlider;

class QChart;
class QChartView;
class QLineSeries;
class QValueAxis;
class QLogValueAxis;
class QAbstractAxis;

namespace p2p::ui {

class LossChart : public QWidget {
    Q_OBJECT

public:
    // The four losses; the learning rate is drawn on its own axis and is not smoothed (it is a schedule).
    static const QStringList& lossNames();

    explicit LossChart(QWidget* parent = nullptr, int pointBudgetPerSeries = 1024);
    ~LossChart() override;

    void addLosses(const p2p::LossSample& losses);  // cheap: queues only
    void addHistory(const std::vector<p2p::LossSample>& history);
    void clear();

    // Moves queued samples into the curves and redraws them (the timer calls this; tests may too).
    void flush();
    void setFlushInterval(int milliseconds);

    void setLogScale(bool on);
    bool logScale() const { return logScale_; }
    // 0 = none, 0.99 = heavy. Recomputes the smoothed curves from the kept raw values.
    void setSmoothing(double weight);
    double smoothing() const { return smoothing_; }
    void setRawVisible(bool visible);

    // The hover readout. nearestSample: the index into `iterations` (ascending) closest to `x`, -1 when there
    // are none; readoutNear: "iteration 120 · G_GAN 0.693 · G_L1 12.4 · D_real 0.41 · D_fake 0.52" for the
    // shown sample nearest to `iteration` (raw values, not smoothed), empty when there is none.
    static int nearestSample(const std::vector<double>& iterations, double x);
    QString readoutNear(double iteration) const;
    QString hoverText() const;  // what the readout shows now; empty when the mouse is not over the chart

    // For tests and the panel: the chart series of a curve ("G_GAN", ..., "lr").
    QLineSeries* rawSeries(const QString& name) const;
    QLineSeries* smoothedSeries(const QString& name) const;  // nullptr for "lr"
    QAbstractAxis* valueAxis() const { return yAxis_; }
    int maxPointsPerSeries() const;
    int pendingCount() const { return int(pending_.size()); }
    int64_t samplesShown() const { return int64_t(iterations_.size()); }
    int flushCount() const { return flushes_; }
    int lastFlushPoints() const { return lastFlushPoints_; }  // points handed to the chart in the last flush

Q_SIGNALS:
    void flushed(int samplesAdded);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    struct Curve {
        QString name;
        QColor color;
        bool smoothable = true;
        std::vector<float> values;  // every raw value, to recompute the smoothing on demand
        DecimatedSeries raw;
        DecimatedSeries smooth;
        ExponentialSmoother smoother;
        QLineSeries* rawSeries = nullptr;
        QLineSeries* smoothSeries = nullptr;
    };

    void appendToCurves(const p2p::LossSample& s);
    void rebuildSmoothed();
    void replaceSeries();
    void updateAxes();
    void installValueAxis();
    double valueFloor() const;

    QChart* chart_ = nullptr;
    QChartView* view_ = nullptr;
    QValueAxis* xAxis_ = nullptr;
    QAbstractAxis* yAxis_ = nullptr;
    QValueAxis* lrAxis_ = nullptr;
    QCheckBox* logBox_ = nullptr;
    QCheckBox* rawBox_ = nullptr;
    QSlider* smoothingSlider_ = nullptr;
    QLabel* summary_ = nullptr;
    QString hoverText_;

    std::vector<std::unique_ptr<Curve>> curves_;
    std::vector<double> iterations_;
    std::vector<p2p::LossSample> pending_;
    QTimer flushTimer_;
    int budget_;
    bool logScale_ = true;
    bool rawVisible_ = true;
    double smoothing_ = 0.9;
    int flushes_ = 0;
    int lastFlushPoints_ = 0;
};

}  // namespace p2p::ui
