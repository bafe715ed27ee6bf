#pragma once

// Shows the translated image, with the same zoom and pan as the canvas beside it, an optional D heatmap
// blended on top, and a line of text when there is nothing to show yet (no model, an error).

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

protected:
    void paintOverlay(QPainter& painter) override;

private:
    void paintHeatmapLegend(QPainter& painter);

    QImage heatmap_;
    QImage legend_;
    bool heatmapVisible_ = false;
    double heatmapOpacity_ = 0.55;
    QString placeholder_;
    bool busy_ = false;
};

}  // namespace p2p::ui
