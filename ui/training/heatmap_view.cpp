#include "ui/training/heatmap_view.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "ui/image_convert.h"

namespace p2p::ui {

namespace {

constexpr int kColormap = cv::COLORMAP_TURBO;
constexpr int kTitleHeight = 20;
constexpr int kInfoHeight = 20;
constexpr int kBarWidth = 12;
constexpr int kBarGap = 6;

}  // namespace

HeatmapView::HeatmapView(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    cv::Mat ramp(256, 1, CV_32FC1);
    for (int i = 0; i < ramp.rows; ++i) ramp.at<float>(i) = 1.0f - float(i) / float(ramp.rows - 1);
    colorBar_ = probabilityMapToHeatmap(ramp, {}, kColormap);
}

void HeatmapView::setTitle(const QString& title) {
    title_ = title;
    update();
}

void HeatmapView::setImage(const QImage& image) {
    image_ = image;
    update();
}

void HeatmapView::setScores(const cv::Mat& probabilities) {
    if (probabilities.empty() || probabilities.type() != CV_32FC1) {
        scores_ = cv::Mat();
        heat_ = QImage();
    } else {
        scores_ = probabilities.clone();
        heat_ = probabilityMapToHeatmap(scores_, {}, kColormap);
    }
    if (hovered_.y() >= scores_.rows || hovered_.x() >= scores_.cols) hovered_ = {-1, -1};
    update();
}

void HeatmapView::setLayers(const std::vector<p2p::ConvGeometry>& layers) {
    layers_ = layers;
    field_ = p2p::receptiveField(layers_);
    update();
}

void HeatmapView::setOpacity(double opacity) {
    opacity_ = std::clamp(opacity, 0.0, 1.0);
    update();
}

void HeatmapView::clear() {
    image_ = QImage();
    scores_ = cv::Mat();
    heat_ = QImage();
    setHovered({-1, -1}, true);
    update();
}

bool HeatmapView::fieldKnown() const {
    if (layers_.empty() || image_.isNull() || scores_.empty()) return false;
    return p2p::convOutputSize(layers_, image_.height()) == scores_.rows &&
           p2p::convOutputSize(layers_, image_.width()) == scores_.cols;
}

double HeatmapView::scoreAt(int row, int col) const {
    if (row < 0 || col < 0 || row >= scores_.rows || col >= scores_.cols) return std::nan("");
    return double(scores_.at<float>(row, col));
}

QRect HeatmapView::cellField(int row, int col) const {
    if (!fieldKnown() || row < 0 || col < 0 || row >= scores_.rows || col >= scores_.cols) return {};
    const p2p::PixelRange ys = p2p::cellImageRange(field_, row, image_.height());
    const p2p::PixelRange xs = p2p::cellImageRange(field_, col, image_.width());
    if (ys.length() == 0 || xs.length() == 0) return {};
    return QRect(QPoint(xs.first, ys.first), QPoint(xs.last, ys.last));
}

QRect HeatmapView::cellFieldWithPadding(int row, int col) const {
    if (!fieldKnown() || row < 0 || col < 0 || row >= scores_.rows || col >= scores_.cols) return {};
    const p2p::PixelRange ys = p2p::cellInputRange(field_, row);
    const p2p::PixelRange xs = p2p::cellInputRange(field_, col);
    return QRect(QPoint(xs.first, ys.first), QPoint(xs.last, ys.last));
}

int HeatmapView::barLabelWidth() const {
    // Measured, not fixed: "0 fake" was clipped with wider fonts.
    const QFontMetrics m = fontMetrics();
    return 3 + std::max(m.horizontalAdvance(tr("1 real")), m.horizontalAdvance(tr("0 fake"))) + 2;
}

QRectF HeatmapView::imageRect() const {
    const QRectF area(0, kTitleHeight, width() - kBarGap - kBarWidth - barLabelWidth(),
                      height() - kTitleHeight - kInfoHeight);
    if (image_.isNull() || area.width() <= 0 || area.height() <= 0) return area;
    const double scale = std::min(area.width() / image_.width(), area.height() / image_.height());
    const QSizeF size(image_.width() * scale, image_.height() * scale);
    return QRectF(area.left() + (area.width() - size.width()) / 2,
                  area.top() + (area.height() - size.height()) / 2, size.width(), size.height());
}

QRectF HeatmapView::toWidget(const QRectF& r) const {
    const QRectF target = imageRect();
    if (image_.isNull()) return {};
    const double sx = target.width() / image_.width();
    const double sy = target.height() / image_.height();
    return QRectF(target.left() + r.left() * sx, target.top() + r.top() * sy, r.width() * sx,
                  r.height() * sy);
}

// A cell's block: jump x jump pixels centred on its receptive field (continuous pixel coordinates, so pixel p
// spans [p, p + 1)). Without a known field the map is stretched over the image.
QRectF HeatmapView::cellRectInImage(int row, int col) const {
    if (fieldKnown()) {
        const double inset = (field_.size - field_.jump) / 2.0;
        return QRectF(field_.first + col * field_.jump + inset, field_.first + row * field_.jump + inset,
                      field_.jump, field_.jump);
    }
    const double w = double(image_.width()) / std::max(scores_.cols, 1);
    const double h = double(image_.height()) / std::max(scores_.rows, 1);
    return QRectF(col * w, row * h, w, h);
}

QRectF HeatmapView::mapRectInImage() const {
    if (scores_.empty()) return {};
    return cellRectInImage(0, 0).united(cellRectInImage(scores_.rows - 1, scores_.cols - 1));
}

QRectF HeatmapView::cellRectInWidget(int row, int col) const {
    return toWidget(cellRectInImage(row, col));
}

QPoint HeatmapView::cellAt(const QPointF& widgetPos) const {
    if (image_.isNull() || scores_.empty()) return {-1, -1};
    const QRectF target = imageRect();
    if (!target.contains(widgetPos)) return {-1, -1};
    const double ix = (widgetPos.x() - target.left()) * image_.width() / target.width();
    const double iy = (widgetPos.y() - target.top()) * image_.height() / target.height();
    const QRectF first = cellRectInImage(0, 0);
    // Pixels of the border strip outside every block belong to the nearest cell.
    const int col = std::clamp(int(std::floor((ix - first.left()) / first.width())), 0, scores_.cols - 1);
    const int row = std::clamp(int(std::floor((iy - first.top()) / first.height())), 0, scores_.rows - 1);
    return {col, row};
}

void HeatmapView::setHoveredCell(int row, int col) {
    setHovered(row < 0 || col < 0 ? QPoint(-1, -1) : QPoint(col, row), false);
}

void HeatmapView::setHovered(QPoint cell, bool notify) {
    if (cell == hovered_) return;
    hovered_ = cell;
    update();
    if (notify) Q_EMIT cellHovered(cell.y(), cell.x());
}

void HeatmapView::mouseMoveEvent(QMouseEvent* event) {
    setHovered(cellAt(event->position()), true);
}

void HeatmapView::leaveEvent(QEvent* event) {
    setHovered({-1, -1}, true);
    QWidget::leaveEvent(event);
}

QString HeatmapView::hoverText() const {
    const int row = hovered_.y(), col = hovered_.x();
    if (row < 0 || col < 0 || scores_.empty()) {
        if (scores_.empty()) return {};
        return tr("%1×%2 patches · hover a cell").arg(scores_.rows).arg(scores_.cols);
    }
    QString text = tr("row %1, col %2 · D = %3").arg(row).arg(col).arg(scoreAt(row, col), 0, 'f', 3);
    const QRect field = cellField(row, col);
    if (!field.isEmpty())
        text += tr(" · x %1–%2, y %3–%4")
                    .arg(field.left())
                    .arg(field.right())
                    .arg(field.top())
                    .arg(field.bottom());
    else
        text += tr(" · receptive field unknown");
    return text;
}

void HeatmapView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), palette().window());
    p.setRenderHint(QPainter::Antialiasing, false);

    QFont titleFont = font();
    titleFont.setBold(true);
    p.setFont(titleFont);
    p.setPen(palette().windowText().color());
    p.drawText(QRectF(0, 0, width(), kTitleHeight), Qt::AlignLeft | Qt::AlignVCenter, title_);
    p.setFont(font());

    const QRectF target = imageRect();
    if (image_.isNull()) {
        p.setPen(palette().placeholderText().color());
        p.drawText(target, Qt::AlignCenter, tr("No sample yet"));
        return;
    }
    p.setRenderHint(QPainter::SmoothPixmapTransform, true);
    p.drawImage(target, image_);

    if (!heat_.isNull()) {
        p.save();
        p.setClipRect(target);
        p.setOpacity(opacity_);
        p.setRenderHint(QPainter::SmoothPixmapTransform, false);  // one flat block per cell
        p.drawImage(toWidget(mapRectInImage()), heat_);
        p.restore();
    }

    const int row = hovered_.y(), col = hovered_.x();
    if (row >= 0 && col >= 0 && row < scores_.rows && col < scores_.cols) {
        p.setRenderHint(QPainter::Antialiasing, true);
        const QRect field = cellField(row, col);
        if (!field.isEmpty()) {
            // The part of the field that lay in the padding: dashed, outside the image.
            const QRect padded = cellFieldWithPadding(row, col);
            if (padded != field) {
                p.setPen(QPen(QColor(255, 255, 255, 160), 1, Qt::DashLine));
                p.setBrush(Qt::NoBrush);
                p.drawRect(toWidget(QRectF(padded.left(), padded.top(), padded.width(), padded.height())));
            }
            // QRect's right() is the last pixel: the outline spans whole pixels, [left, right + 1).
            const QRectF r = toWidget(QRectF(field.left(), field.top(), field.width(), field.height()));
            p.setBrush(Qt::NoBrush);
            p.setPen(QPen(QColor(0, 0, 0, 200), 3));
            p.drawRect(r);
            p.setPen(QPen(Qt::white, 1.5));
            p.drawRect(r);
        }
        p.setPen(QPen(Qt::black, 1));
        p.setBrush(QColor(255, 255, 255, 90));
        p.drawRect(cellRectInWidget(row, col));
        p.setRenderHint(QPainter::Antialiasing, false);
    }

    // Colour scale: 1 (D says real) at the top, 0 (fake) at the bottom.
    const QRectF bar(target.right() + kBarGap, target.top(), kBarWidth, target.height());
    if (!colorBar_.isNull() && bar.height() > 20) {
        p.drawImage(bar, colorBar_);
        p.setPen(palette().mid().color());
        p.setBrush(Qt::NoBrush);
        p.drawRect(bar);
        p.setPen(palette().windowText().color());
        const QRectF labels(bar.right() + 3, bar.top(), barLabelWidth(), bar.height());
        p.drawText(labels, Qt::AlignTop | Qt::AlignLeft, tr("1 real"));
        p.drawText(labels, Qt::AlignBottom | Qt::AlignLeft, tr("0 fake"));
    }

    p.setPen(palette().windowText().color());
    p.drawText(QRectF(0, height() - kInfoHeight, width(), kInfoHeight), Qt::AlignLeft | Qt::AlignVCenter,
               hoverText());
}

QSize HeatmapView::sizeHint() const {
    return {320, 300};
}
QSize HeatmapView::minimumSizeHint() const {
    return {160, 160};
}

}  // namespace p2p::ui
