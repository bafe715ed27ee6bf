#pragma once

// PatchGAN heatmap: D's per-patch scores drawn over the image D judged, with the receptive field of the
// hovered cell outlined on the image. Reusable: the training panel shows D(real) and D(fake) of the newest
// sample; the studio can show D's verdict on its preview.
//
// Each cell is drawn as a jump x jump block centred on its receptive field (cells overlap: a 70x70 field
// every 8 pixels for the 70x70 PatchGAN), and hovering a cell outlines the image pixels that field covers,
// clipped at the borders where the network saw zero padding. The mapping comes from D's conv layers
// (core/nn/receptive_field.h), so it stays right for other n_layers and image sizes.

#include <QImage>
#include <QPoint>
#include <QRect>
#include <QWidget>

#include <vector>

#include <opencv2/core.hpp>

#include "core/nn/receptive_field.h"

namespace p2p::ui {

class HeatmapView : public QWidget {
    Q_OBJECT

public:
    explicit HeatmapView(QWidget* parent = nullptr);

    void setTitle(const QString& title);
    void setImage(const QImage& image);
    // D's probabilities, CV_32FC1 in [0, 1] (copied). Other types are ignored (the map is cleared).
    void setScores(const cv::Mat& probabilities);
    // D's conv layers, e.g. p2p::discriminatorGeometry(options).
    void setLayers(const std::vector<p2p::ConvGeometry>& layers);
    void setOpacity(double opacity);  // of the heat colours over the image, 0..1
    void clear();

    double opacity() const { return opacity_; }
    const QImage& image() const { return image_; }
    int mapRows() const { return scores_.rows; }
    int mapCols() const { return scores_.cols; }
    // True when the layers produce exactly this map from this image, so cells map to known pixels.
    bool fieldKnown() const;
    double scoreAt(int row, int col) const;
    // The image pixels behind cell (row, col), clipped to the image; empty when the field is unknown.
    QRect cellField(int row, int col) const;
    // The same field with the padding the network saw (may extend past the image).
    QRect cellFieldWithPadding(int row, int col) const;

    // (row, col) of the cell under a point of this widget, or (-1, -1).
    QPoint cellAt(const QPointF& widgetPos) const;
    int hoveredRow() const { return hovered_.y(); }
    int hoveredCol() const { return hovered_.x(); }
    // Highlights a cell as if hovered (e.g. to mirror the other view); (-1, -1) clears.
    void setHoveredCell(int row, int col);
    // Where a cell's block is drawn, in widget coordinates (for tests and tooltips).
    QRectF cellRectInWidget(int row, int col) const;
    QString hoverText() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void cellHovered(int row, int col);  // (-1, -1) when the pointer leaves the map

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    QRectF imageRect() const;   // where the image is drawn, in widget coordinates
    int barLabelWidth() const;  // room for the colour scale's labels in the current font
    QRectF cellRectInImage(int row, int col) const;
    QRectF mapRectInImage() const;  // the union of all cell blocks
    QRectF toWidget(const QRectF& imageRect) const;
    void setHovered(QPoint cell, bool notify);

    QString title_;
    QImage image_;
    cv::Mat scores_;
    QImage heat_;      // one pixel per cell, coloured
    QImage colorBar_;  // the colour scale, 1 at the top
    std::vector<p2p::ConvGeometry> layers_;
    p2p::ReceptiveField field_;
    double opacity_ = 0.55;
    QPoint hovered_{-1, -1};  // (col, row)
};

}  // namespace p2p::ui
