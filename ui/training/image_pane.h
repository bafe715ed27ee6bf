#pragma once

// A titled image, scaled to fit with its aspect ratio kept (the training panel's samples).

#include <QImage>
#include <QString>
#include <QWidget>

namespace p2p::ui {

class ImagePane : public QWidget {
    Q_OBJECT

public:
    explicit ImagePane(const QString& title = {}, QWidget* parent = nullptr);

    void setTitle(const QString& title);
    void setImage(const QImage& image);
    void setPlaceholder(const QString& text);
    const QImage& image() const { return image_; }

    QSize sizeHint() const override { return {256, 276}; }
    QSize minimumSizeHint() const override { return {96, 110}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QString title_;
    QString placeholder_;
    QImage image_;
};

}  // namespace p2p::ui
