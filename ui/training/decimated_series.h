#pragma once

// A line series of bounded size for curves that grow without limit (100k+ training iterations).
//
// Points arrive in increasing x. They are gathered into buckets of `width` consecutive points; when the
// buckets reach `capacity`, neighbours merge pairwise and the width doubles. Appending is amortised O(1), the
// number of buckets stays in [capacity / 2, capacity], and points() returns at most maxPoints() points:
// per bucket either its minimum and maximum (MinMax: spikes survive decimation) or its mean (Mean: for curves
// that are smooth already).

#include <QList>
#include <QPointF>

#include <cstdint>
#include <vector>

namespace p2p::ui {

class DecimatedSeries {
public:
    enum class Mode { MinMax, Mean };

    explicit DecimatedSeries(int capacity = 512, Mode mode = Mode::MinMax);

    void append(double x, double y);
    void clear();

    // The decimated curve in increasing x. With `floor` > 0, y values are raised to at least `floor` (for
    // logarithmic axes, which cannot show 0).
    QList<QPointF> points(double floor = 0) const;

    int64_t pointsAppended() const { return appended_; }
    int bucketCount() const { return int(closed_.size()) + (open_.count > 0 ? 1 : 0); }
    int64_t bucketWidth() const { return width_; }
    int capacity() const { return capacity_; }
    int maxPoints() const { return (mode_ == Mode::MinMax ? 2 : 1) * (capacity_ + 1); }
    // How often the buckets were halved: log2(appended / capacity) + 1 at most.
    int compactions() const { return compactions_; }
    bool empty() const { return appended_ == 0; }
    // Range of all points appended so far (exact: every bucket keeps its extremes).
    double minY() const { return minY_; }
    double maxY() const { return maxY_; }
    double lastX() const { return lastX_; }

private:
    struct Bucket {
        int64_t count = 0;
        QPointF lowest, highest;  // the points with the smallest and largest y
        double sumX = 0, sumY = 0;
        void add(const QPointF& p);
        void merge(const Bucket& next);
    };
    void compact();

    int capacity_;
    Mode mode_;
    int64_t width_ = 1;
    std::vector<Bucket> closed_;
    Bucket open_;
    int64_t appended_ = 0;
    int compactions_ = 0;
    double minY_ = 0, maxY_ = 0, lastX_ = 0;
};

// Exponential moving average with the start-up bias removed (as TensorBoard's smoothing does), so the first
// values are not pulled towards zero. weight 0 = no smoothing; 0.99 = very smooth.
class ExponentialSmoother {
public:
    explicit ExponentialSmoother(double weight = 0.9) : weight_(weight) {}
    double add(double value);
    void reset();
    double weight() const { return weight_; }

private:
    double weight_;
    double biased_ = 0;
    double correction_ = 1;  // weight^n
};

}  // namespace p2p::ui
