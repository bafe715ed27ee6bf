#pragma once

// A zoomable, pannable view of one image, drawn with nearest-neighbour so class pixels stay crisp at any
// zoom and device pixel ratio. Ctrl+wheel zooms about the cursor, the wheel scrolls, middle drag or
// space+drag pans. Subclasses draw on top (paintOverlay) and handle the left button.

#include <QColor>
#include <QImage>
#include <QPointF>
#include <QWidget>

namespace p2p::ui {

class ImageViewport : public QWidget {
    Q_OBJECT
public:
    explicit ImageViewport(QWidget* parent = nullptr);

    QSize imageSize() const { return imageSize_; }
    double zoom() const { return zoom_; }
    QPointF offset() const { return offset_; }  // widget position of the image's top-left corner
    bool fitsWindow() const { return fit_; }

    QPointF mapToImage(const QPointF& widgetPos) const;
    QPoint pixelAt(
        const QPointF& widgetPos) const;  // the image pixel under a widget position (may be outside)
    QRectF mapFromImage(const QRectF& imageRect) const;

    static const QColor kBackdrop;  // neutral and dark, so the image's colours read true
    static constexpr double kMinZoom = 0.05;
    static constexpr double kMaxZoom = 64.0;

public Q_SLOTS:
    void zoomIn();
    void zoomOut();
    void zoomToFit();
    void zoomActualSize();
    void setView(double zoom, const QPointF& offset, bool fit);  // from a partner view

Q_SIGNALS:
    void viewChanged(double zoom, const QPointF& offset, bool fit);

protected:
    // Sets what is drawn; keeps the view when the size stays the same, else fits.
    void setDisplayedImage(const QImage& image);
    const QImage& displayedImage() const { return image_; }
    QImage& mutableDisplayedImage() { return image_; }
    void setImageSize(QSize size);

    virtual void paintOverlay(QPainter& painter);
    bool panning() const { return panning_; }
    bool spaceHeld() const { return spaceHeld_; }
    void zoomAbout(double factor, const QPointF& widgetPos);

    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;
    void focusOutEvent(QFocusEvent* event) override;

    // Cursor for the current state when not panning.
    virtual QCursor idleCursor() const;
    void updateCursor();

private:
    void applyFit();
    void announce();

    QImage image_;
    QSize imageSize_;
    double zoom_ = 1.0;
    QPointF offset_;
    bool fit_ = true;
    bool panning_ = false;
    bool spaceHeld_ = false;
    QPointF panStart_;
    QPointF panOffsetStart_;
};

}  // namespace p2p::ui
