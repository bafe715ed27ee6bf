#include "ui/training/loss_chart.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QMouseEvent>
#include <QLogValueAxis>
#include <QPen>
#include <QSlider>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace p2p::ui {

namespace {

constexpr double kLogFloor = 1e-4;  // a log axis cannot show 0; D losses can get this close

double pick(const p2p::LossSample& s, int index) {
    switch (index) {
        case 0:
            return s.G_GAN;
        case 1:
            return s.G_L1;
        case 2:
            return s.D_real;
        case 3:
            return s.D_fake;
        default:
            return s.lr;
    }
}

QColor faded(QColor c, int alpha) {
    c.setAlpha(alpha);
    return c;
}

}  // namespace

const QStringList& LossChart::lossNames() {
    static const QStringList names = {"G_GAN", "G_L1", "D_real", "D_fake"};
    return names;
}

LossChart::LossChart(QWidget* parent, int pointBudgetPerSeries)
    : QWidget(parent), budget_(std::max(pointBudgetPerSeries, 8)) {
    chart_ = new QChart;
    chart_->setMargins(QMargins(4, 4, 4, 4));
    chart_->setBackgroundRoundness(0);
    chart_->legend()->setAlignment(Qt::AlignBottom);
    chart_->setAnimationOptions(QChart::NoAnimation);

    xAxis_ = new QValueAxis;
    xAxis_->setTitleText(tr("iteration"));
    xAxis_->setLabelFormat("%d");
    xAxis_->setRange(0, 1);
    chart_->addAxis(xAxis_, Qt::AlignBottom);
    lrAxis_ = new QValueAxis;
    lrAxis_->setTitleText(tr("learning rate"));
    lrAxis_->setLabelFormat("%.1e");
    lrAxis_->setRange(0, 1e-3);
    chart_->addAxis(lrAxis_, Qt::AlignRight);

    // A bucket emits up to 2 points (min and max), so capacity = half the budget.
    const int capacity = std::max(budget_ / 2 - 1, 2);
    const QList<QColor> colors = {QColor(0xe6, 0x7e, 0x22), QColor(0x2e, 0x86, 0xde),
                                  QColor(0x27, 0xae, 0x60), QColor(0xc0, 0x39, 0x2b),
                                  QColor(0x6c, 0x75, 0x7d)};
    const QStringList names = lossNames() + QStringList{"lr"};
    for (int i = 0; i < names.size(); ++i) {
        auto c = std::make_unique<Curve>();
        c->name = names[i];
        c->color = colors[i];
        c->smoothable = names[i] != "lr";
        c->raw = DecimatedSeries(capacity, DecimatedSeries::Mode::MinMax);
        c->smooth = DecimatedSeries(budget_ - 1, DecimatedSeries::Mode::Mean);
        c->smoother = ExponentialSmoother(smoothing_);
        c->rawSeries = new QLineSeries;
        c->rawSeries->setName(c->smoothable ? c->name + tr(" (raw)") : c->name);
        QPen rawPen(c->smoothable ? faded(c->color, 70) : c->color);
        rawPen.setWidthF(c->smoothable ? 1.0 : 1.5);
        if (!c->smoothable) rawPen.setStyle(Qt::DashLine);
        c->rawSeries->setPen(rawPen);
        chart_->addSeries(c->rawSeries);
        c->rawSeries->attachAxis(xAxis_);
        if (c->smoothable) {
            c->smoothSeries = new QLineSeries;
            c->smoothSeries->setName(c->name);
            QPen pen(c->color);
            pen.setWidthF(2.0);
            c->smoothSeries->setPen(pen);
            chart_->addSeries(c->smoothSeries);
            c->smoothSeries->attachAxis(xAxis_);
        } else {
            c->rawSeries->attachAxis(lrAxis_);
        }
        curves_.push_back(std::move(c));
    }
    installValueAxis();

    // One legend entry per curve: the smoothed line (or lr's only line). Clicking it hides the curve.
    for (const auto& c : curves_) {
        for (QLegendMarker* m : chart_->legend()->markers(c->rawSeries)) m->setVisible(!c->smoothable);
        QLineSeries* shown = c->smoothable ? c->smoothSeries : c->rawSeries;
        for (QLegendMarker* m : chart_->legend()->markers(shown)) {
            Curve* curve = c.get();
            connect(m, &QLegendMarker::clicked, this, [this, curve, m] {
                const bool visible =
                    !(curve->smoothable ? curve->smoothSeries : curve->rawSeries)->isVisible();
                if (curve->smoothSeries) curve->smoothSeries->setVisible(visible);
                curve->rawSeries->setVisible(visible && (rawVisible_ || !curve->smoothable));
                m->setVisible(true);  // a hidden series hides its marker; keep it to click again
                QFont f = m->font();
                f.setStrikeOut(!visible);
                m->setFont(f);
                updateAxes();
            });
        }
    }

    view_ = new QChartView(chart_);
    view_->setRenderHint(QPainter::Antialiasing);
    view_->setMinimumSize(320, 200);
    // Hovering reads out the losses at the nearest logged iteration (in a tooltip and the summary line).
    view_->viewport()->setMouseTracking(true);
    view_->viewport()->installEventFilter(this);

    logBox_ = new QCheckBox(tr("Log scale"));
    logBox_->setChecked(logScale_);
    logBox_->setToolTip(
        tr("G_L1 is weighted by λ (≈100×), so the other losses are easier to read on a log axis"));
    connect(logBox_, &QCheckBox::toggled, this, &LossChart::setLogScale);
    rawBox_ = new QCheckBox(tr("Raw"));
    rawBox_->setChecked(rawVisible_);
    rawBox_->setToolTip(
        tr("Show the unsmoothed values (min and max per pixel column) behind the smoothed lines"));
    connect(rawBox_, &QCheckBox::toggled, this, &LossChart::setRawVisible);
    smoothingSlider_ = new QSlider(Qt::Horizontal);
    smoothingSlider_->setRange(0, 99);
    smoothingSlider_->setValue(int(std::lround(smoothing_ * 100)));
    smoothingSlider_->setMaximumWidth(160);
    smoothingSlider_->setToolTip(tr("Exponential moving average weight"));
    auto* smoothingValue = new QLabel(QString::number(smoothing_, 'f', 2));
    connect(smoothingSlider_, &QSlider::valueChanged, this, [this, smoothingValue](int v) {
        smoothingValue->setText(QString::number(v / 100.0, 'f', 2));
        setSmoothing(v / 100.0);
    });
    summary_ = new QLabel;
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // On its own line and without a width of its own: a long readout must never widen the dock.
    summary_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    auto* controls = new QHBoxLayout;
    controls->addWidget(logBox_);
    controls->addWidget(rawBox_);
    controls->addSpacing(12);
    controls->addWidget(new QLabel(tr("Smoothing")));
    controls->addWidget(smoothingSlider_);
    controls->addWidget(smoothingValue);
    controls->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(summary_);
    layout->addWidget(view_, 1);

    flushTimer_.setSingleShot(true);
    flushTimer_.setInterval(250);
    connect(&flushTimer_, &QTimer::timeout, this, &LossChart::flush);
    updateAxes();  // the empty chart's ranges, not QtCharts' 0..1 (which labels as "0 0 0 0 1")
}

LossChart::~LossChart() = default;

void LossChart::installValueAxis() {
    if (yAxis_) {
        for (const auto& c : curves_)
            if (c->smoothable) {
                c->rawSeries->detachAxis(yAxis_);
                c->smoothSeries->detachAxis(yAxis_);
            }
        chart_->removeAxis(yAxis_);
        delete yAxis_;
        yAxis_ = nullptr;
    }
    if (logScale_) {
        auto* axis = new QLogValueAxis;
        axis->setBase(10);
        axis->setLabelFormat("%g");
        axis->setMinorTickCount(-1);
        yAxis_ = axis;
    } else {
        auto* axis = new QValueAxis;
        axis->setLabelFormat("%.3g");
        yAxis_ = axis;
    }
    yAxis_->setTitleText(tr("loss"));
    chart_->addAxis(yAxis_, Qt::AlignLeft);
    for (const auto& c : curves_)
        if (c->smoothable) {
            c->rawSeries->attachAxis(yAxis_);
            c->smoothSeries->attachAxis(yAxis_);
        }
}

double LossChart::valueFloor() const {
    return logScale_ ? kLogFloor : 0.0;
}

int LossChart::maxPointsPerSeries() const {
    int most = 0;
    for (const auto& c : curves_) most = std::max({most, c->raw.maxPoints(), c->smooth.maxPoints()});
    return most;
}

QLineSeries* LossChart::rawSeries(const QString& name) const {
    for (const auto& c : curves_)
        if (c->name == name) return c->rawSeries;
    return nullptr;
}

QLineSeries* LossChart::smoothedSeries(const QString& name) const {
    for (const auto& c : curves_)
        if (c->name == name) return c->smoothSeries;
    return nullptr;
}

void LossChart::addLosses(const p2p::LossSample& losses) {
    pending_.push_back(losses);
    if (!flushTimer_.isActive()) flushTimer_.start();
}

void LossChart::addHistory(const std::vector<p2p::LossSample>& history) {
    pending_.insert(pending_.end(), history.begin(), history.end());
    flush();
}

void LossChart::setFlushInterval(int milliseconds) {
    flushTimer_.setInterval(milliseconds);
}

void LossChart::appendToCurves(const p2p::LossSample& s) {
    const double x = double(s.iteration);
    iterations_.push_back(x);
    for (size_t i = 0; i < curves_.size(); ++i) {
        Curve& c = *curves_[i];
        const double v = double(float(pick(s, int(i))));  // as kept in `values`, so rebuilds match
        c.values.push_back(float(v));
        c.raw.append(x, v);
        if (c.smoothable) c.smooth.append(x, c.smoother.add(v));
    }
}

void LossChart::flush() {
    flushTimer_.stop();
    if (pending_.empty()) return;
    // A resumed run may replay iterations the chart already has: keep x increasing.
    const double lastShown = iterations_.empty() ? -1 : iterations_.back();
    int added = 0;
    for (const auto& s : pending_) {
        if (double(s.iteration) <= lastShown) continue;
        appendToCurves(s);
        ++added;
    }
    pending_.clear();
    if (added == 0) return;
    replaceSeries();
    ++flushes_;
    Q_EMIT flushed(added);
}

void LossChart::replaceSeries() {
    const double floor = valueFloor();
    lastFlushPoints_ = 0;
    for (const auto& c : curves_) {
        const QList<QPointF> raw = c->raw.points(c->smoothable ? floor : 0.0);
        c->rawSeries->replace(raw);
        lastFlushPoints_ += int(raw.size());
        if (c->smoothable) {
            const QList<QPointF> smooth = c->smooth.points(floor);
            c->smoothSeries->replace(smooth);
            lastFlushPoints_ += int(smooth.size());
        }
    }
    updateAxes();
}

void LossChart::updateAxes() {
    if (iterations_.empty()) {
        xAxis_->setRange(0, 100);
    } else {
        const double lastX = std::max(1.0, iterations_.back());
        xAxis_->setRange(std::min(iterations_.front(), lastX - 1), lastX);
        xAxis_->applyNiceNumbers();
    }

    bool any = false;
    double lo = 0.1, hi = 10;  // until there is data
    for (const auto& c : curves_) {
        if (!c->smoothable || c->raw.empty() || !c->smoothSeries->isVisible()) continue;
        const DecimatedSeries& s = rawVisible_ ? c->raw : c->smooth;
        lo = any ? std::min(lo, s.minY()) : s.minY();
        hi = any ? std::max(hi, s.maxY()) : s.maxY();
        any = true;
    }
    if (logScale_) {
        lo = std::max(lo, kLogFloor);
        hi = std::max(hi, lo * 10);
        yAxis_->setRange(std::pow(10.0, std::floor(std::log10(lo))),
                         std::pow(10.0, std::ceil(std::log10(hi))));
    } else {
        lo = std::min(lo, 0.0);
        if (hi <= lo) hi = lo + 1;
        static_cast<QValueAxis*>(yAxis_)->setRange(lo, hi * 1.05);
        static_cast<QValueAxis*>(yAxis_)->applyNiceNumbers();
    }
    const Curve& lr = *curves_.back();
    lrAxis_->setRange(0, lr.raw.empty() || lr.raw.maxY() <= 0 ? 1e-3 : lr.raw.maxY() * 1.1);
    lrAxis_->applyNiceNumbers();  // ticks at 5e-05 steps, not at 1.1e-04, 1.6e-04, ...
    lrAxis_->setVisible(lr.rawSeries->isVisible());

    if (!hoverText_.isEmpty()) {
        // The readout under the mouse stays until the mouse moves on.
    } else if (!iterations_.empty()) {
        summary_->setText(readoutNear(iterations_.back()));  // the newest values, as the hover shows them
    } else {
        summary_->clear();
    }
}

int LossChart::nearestSample(const std::vector<double>& iterations, double x) {
    if (iterations.empty() || std::isnan(x)) return -1;
    const auto after = std::lower_bound(iterations.begin(), iterations.end(), x);
    if (after == iterations.begin()) return 0;
    if (after == iterations.end()) return int(iterations.size()) - 1;
    const auto before = after - 1;
    return int((x - *before <= *after - x ? before : after) - iterations.begin());  // a tie: the earlier one
}

QString LossChart::readoutNear(double iteration) const {
    const int i = nearestSample(iterations_, iteration);
    if (i < 0) return {};
    QStringList parts{tr("iteration %1").arg(qint64(iterations_[size_t(i)]))};
    for (const auto& c : curves_)
        if (c->smoothable) parts << QString("%1 %2").arg(c->name, QString::number(c->values[size_t(i)], 'g', 4));
    return parts.join(" · ");
}

QString LossChart::hoverText() const {
    return hoverText_;
}

bool LossChart::eventFilter(QObject* watched, QEvent* event) {
    if (watched == view_->viewport()) {
        if (event->type() == QEvent::MouseMove) {
            const QPointF at = view_->mapToScene(static_cast<QMouseEvent*>(event)->position().toPoint());
            const QPointF inChart = chart_->mapFromScene(at);
            const bool inside = chart_->plotArea().contains(inChart);
            const QString text =
                inside && !curves_.empty() ? readoutNear(chart_->mapToValue(inChart, curves_.front()->rawSeries).x())
                                           : QString();
            if (text != hoverText_) {
                hoverText_ = text;
                if (text.isEmpty()) {
                    QToolTip::hideText();
                    updateAxes();  // the summary shows the newest values again
                } else {
                    summary_->setText(text);
                    QToolTip::showText(static_cast<QMouseEvent*>(event)->globalPosition().toPoint(), text,
                                       view_);
                }
            }
        } else if (event->type() == QEvent::Leave && !hoverText_.isEmpty()) {
            hoverText_.clear();
            QToolTip::hideText();
            updateAxes();
        }
    }
    return QWidget::eventFilter(watched, event);
}

void LossChart::rebuildSmoothed() {
    for (const auto& c : curves_) {
        if (!c->smoothable) continue;
        c->smooth.clear();
        c->smoother = ExponentialSmoother(smoothing_);
        for (size_t i = 0; i < c->values.size(); ++i)
            c->smooth.append(iterations_[i], c->smoother.add(c->values[i]));
    }
}

void LossChart::setSmoothing(double weight) {
    weight = std::clamp(weight, 0.0, 0.999);
    if (weight == smoothing_) return;
    smoothing_ = weight;
    {
        const QSignalBlocker block(smoothingSlider_);
        smoothingSlider_->setValue(int(std::lround(weight * 100)));
    }
    flush();
    rebuildSmoothed();
    replaceSeries();
}

void LossChart::setLogScale(bool on) {
    if (on == logScale_) return;
    logScale_ = on;
    {
        const QSignalBlocker block(logBox_);
        logBox_->setChecked(on);
    }
    installValueAxis();
    replaceSeries();  // the floor for the log axis changes the points
}

void LossChart::setRawVisible(bool visible) {
    rawVisible_ = visible;
    {
        const QSignalBlocker block(rawBox_);
        rawBox_->setChecked(visible);
    }
    for (const auto& c : curves_)
        if (c->smoothable) c->rawSeries->setVisible(visible && c->smoothSeries->isVisible());
    updateAxes();
}

void LossChart::clear() {
    pending_.clear();
    flushTimer_.stop();
    iterations_.clear();
    for (const auto& c : curves_) {
        c->values.clear();
        c->raw.clear();
        c->smooth.clear();
        c->smoother.reset();
        c->rawSeries->clear();
        if (c->smoothSeries) c->smoothSeries->clear();
    }
    updateAxes();
}

}  // namespace p2p::ui
