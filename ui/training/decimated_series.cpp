#include "ui/training/decimated_series.h"

#include <algorithm>

namespace p2p::ui {

void DecimatedSeries::Bucket::add(const QPointF& p) {
    if (count == 0 || p.y() < lowest.y()) lowest = p;
    if (count == 0 || p.y() > highest.y()) highest = p;
    sumX += p.x();
    sumY += p.y();
    ++count;
}

void DecimatedSeries::Bucket::merge(const Bucket& next) {
    if (next.count == 0) return;
    if (count == 0 || next.lowest.y() < lowest.y()) lowest = next.lowest;
    if (count == 0 || next.highest.y() > highest.y()) highest = next.highest;
    sumX += next.sumX;
    sumY += next.sumY;
    count += next.count;
}

DecimatedSeries::DecimatedSeries(int capacity, Mode mode) : capacity_(std::max(capacity, 2)), mode_(mode) {
    closed_.reserve(size_t(capacity_));
}

void DecimatedSeries::append(double x, double y) {
    if (appended_ == 0) {
        minY_ = maxY_ = y;
    } else {
        minY_ = std::min(minY_, y);
        maxY_ = std::max(maxY_, y);
    }
    lastX_ = x;
    ++appended_;
    open_.add(QPointF(x, y));
    if (open_.count >= width_) {
        closed_.push_back(open_);
        open_ = Bucket{};
        if (int(closed_.size()) >= capacity_) compact();
    }
}

void DecimatedSeries::compact() {
    size_t out = 0;
    for (size_t i = 0; i < closed_.size(); i += 2) {
        Bucket merged = closed_[i];
        if (i + 1 < closed_.size()) merged.merge(closed_[i + 1]);
        closed_[out++] = merged;
    }
    closed_.resize(out);
    width_ *= 2;
    ++compactions_;
}

void DecimatedSeries::clear() {
    closed_.clear();
    open_ = Bucket{};
    width_ = 1;
    appended_ = 0;
    compactions_ = 0;
    minY_ = maxY_ = lastX_ = 0;
}

QList<QPointF> DecimatedSeries::points(double floor) const {
    QList<QPointF> result;
    result.reserve(2 * bucketCount());
    auto push = [&](QPointF p) {
        if (floor > 0 && p.y() < floor) p.setY(floor);
        result.push_back(p);
    };
    auto emitBucket = [&](const Bucket& b) {
        if (b.count == 0) return;
        if (mode_ == Mode::Mean) {
            push(QPointF(b.sumX / double(b.count), b.sumY / double(b.count)));
        } else if (b.lowest == b.highest || b.count == 1) {
            push(b.lowest);
        } else if (b.lowest.x() < b.highest.x()) {
            push(b.lowest);
            push(b.highest);
        } else {
            push(b.highest);
            push(b.lowest);
        }
    };
    for (const Bucket& b : closed_) emitBucket(b);
    emitBucket(open_);
    return result;
}

double ExponentialSmoother::add(double value) {
    biased_ = weight_ * biased_ + (1.0 - weight_) * value;
    correction_ *= weight_;
    const double debias = 1.0 - correction_;
    return debias > 0 ? biased_ / debias : value;
}

void ExponentialSmoother::reset() {
    biased_ = 0;
    correction_ = 1;
}

}  // namespace p2p::ui
