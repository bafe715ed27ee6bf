#include "ui/training/image_pane.h"

#include <QPainter>

#include <algorithm>

namespace p2p::ui {

namespace {
constexpr int kTitleHeight = 20;
}

ImagePane::ImagePane(const QString& title, QWidget* parent)
    : QWidget(parent), title_(title), placeholder_(tr("No image yet")) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ImagePane::setTitle(const QString& title) {
    title_ = title;
    update();
}

void ImagePane::setImage(const QImage& image) {
    image_ = image;
    update();
}

void ImagePane::setPlaceholder(const QString& text) {
    placeholder_ = text;
    update();
}

void ImagePane::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const int titleHeight = title_.isEmpty() ? 0 : kTitleHeight;
    if (titleHeight > 0) {
        QFont f = font();
        f.setBold(true);
        p.setFont(f);
        p.drawText(QRect(0, 0, width(), titleHeight), Qt::AlignLeft | Qt::AlignVCenter, title_);
        p.setFont(font());
    }
    const QRectF area(0, titleHeight, width(), height() - titleHeight);
    if (image_.isNull()) {
        p.setPen(QPen(palette().mid().color(), 1, Qt::DashLine));
        p.drawRect(area.adjusted(0.5, 0.5, -0.5, -0.5));
        p.setPen(palette().placeholderText().color());
        p.drawText(area, Qt::AlignCenter, placeholder_);
        return;
    }
    const double scale = std::min(area.width() / image_.width(), area.height() / image_.height());
    const QSizeF size(image_.width() * scale, image_.height() * scale);
    const QRectF target(area.left() + (area.width() - size.width()) / 2, area.top(), size.width(),
                        size.height());
    p.setRenderHint(QPainter::SmoothPixmapTransform, scale < 1.0);
    p.drawImage(target, image_);
}

}  // namespace p2p::ui
