#pragma once

// Shows the translated image, with the same zoom and pan as the canvas beside it, an optional D heatmap
// blended on top, and a line of text when there is nothing to show yet (no model, an error). Compare mode
// splits it with a draggable divider: the canvas left of it, the photo right of it (compare_split.h).

#include <QImage>
#include <QString>

#include "ui/image_viewport.h"

namespace p2p::ui {

class PreviewView : public ImageViewport {
    Q_OBJECT
public:
    explicit PreviewView(QWidget* parent = nullptr);

    void setResult(const QImage& image);
    const QImage& result() const { return displayedImage(); }
    void setHeatmap(const QImage& heatmap);  // same size as the result; null hides it
    void setHeatmapVisible(bool visible);
    void setHeatmapOpacity(double opacity);
    // Shown centred when there is no result (e.g. "no model loaded — File ▸ Load Model… (Ctrl+L)").
    void setPlaceholder(const QString& text);
    QString placeholder() const { return placeholder_; }
    void setBusy(bool busy);
    // Clears the result (e.g. a new canvas of another size) but keeps the layout of the canvas.
    void clearResult(QSize canvasSize);

    // Compare: the canvas ("before") left of a divider the left button drags, the photo right of it.
    void setCompareEnabled(bool enabled);
    bool compareEnabled() const { return compare_; }
    void setCompareSource(const QImage& canvas);  // the canvas as shown; drawn only at the result's size
    const QImage& compareSource() const { return compareSource_; }
    double compareFraction() const { return compareFraction_; }
    void setCompareFraction(double fraction);  // 0 (all photo) .. 1 (all canvas)

Q_SIGNALS:
    void compareFractionChanged(double fraction);

protected:
    void paintOverlay(QPainter& painter) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    QCursor idleCursor() const override;

private:
    void paintHeatmapLegend(QPainter& painter);
    void paintCompare(QPainter& painter);

    QImage heatmap_;
    QImage legend_;
    bool heatmapVisible_ = false;
    double heatmapOpacity_ = 0.55;
    QString placeholder_;
    bool busy_ = false;
    bool compare_ = false;
    bool draggingDivider_ = false;
    double compareFraction_ = 0.5;
    QImage compareSource_;
};

}  // namespace p2p::ui
