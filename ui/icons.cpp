#include "ui/icons.h"

#include <QIconEngine>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>
#include <QPixmapCache>

#include <functional>
#include <map>

namespace p2p::ui {

namespace {

// Drawn on a 24x24 grid.
using Draw = std::function<void(QPainter&, QIcon::Mode)>;

const QColor kInk(0x37, 0x3d, 0x48);
const QColor kAccent(0x2f, 0x7d, 0xd1);
const QColor kWarm(0xe8, 0x8a, 0x2c);

QColor ink(QIcon::Mode mode) {
    return mode == QIcon::Disabled ? QColor(0xa0, 0xa4, 0xaa) : kInk;
}
QColor accent(QIcon::Mode mode) {
    return mode == QIcon::Disabled ? QColor(0xc4, 0xc7, 0xcc) : kAccent;
}
QColor warm(QIcon::Mode mode) {
    return mode == QIcon::Disabled ? QColor(0xc4, 0xc7, 0xcc) : kWarm;
}

QPen pen(const QColor& c, double w = 1.8) {
    return QPen(c, w, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
}

void arrowHead(QPainter& p, QPointF tip, QPointF dir, const QColor& c) {
    const QPointF n(-dir.y(), dir.x());
    QPolygonF head;
    head << tip << tip - dir * 4.5 + n * 3.5 << tip - dir * 4.5 - n * 3.5;
    p.setPen(Qt::NoPen);
    p.setBrush(c);
    p.drawPolygon(head);
}

void page(QPainter& p, QIcon::Mode m) {
    QPainterPath path;
    path.moveTo(5, 2.5);
    path.lineTo(14.5, 2.5);
    path.lineTo(19.5, 7.5);
    path.lineTo(19.5, 21.5);
    path.lineTo(5, 21.5);
    path.closeSubpath();
    p.setPen(pen(ink(m), 1.6));
    p.setBrush(Qt::white);
    p.drawPath(path);
    p.drawPolyline(QPolygonF({QPointF(14.5, 2.5), QPointF(14.5, 7.5), QPointF(19.5, 7.5)}));
}

void magnifier(QPainter& p, QIcon::Mode m) {
    p.setPen(pen(ink(m), 2.0));
    p.setBrush(QColor(255, 255, 255, 200));
    p.drawEllipse(QPointF(10, 10), 6.5, 6.5);
    p.setPen(pen(ink(m), 3.0));
    p.drawLine(QPointF(15, 15), QPointF(21, 21));
}

void undoArrow(QPainter& p, QIcon::Mode m, bool mirrored) {
    if (mirrored) {
        p.translate(24, 0);
        p.scale(-1, 1);
    }
    QPainterPath path;
    path.moveTo(7, 9);
    path.lineTo(14, 9);
    path.cubicTo(22, 9, 22, 20, 14, 20);
    path.lineTo(9, 20);
    p.setPen(pen(accent(m), 2.4));
    p.setBrush(Qt::NoBrush);
    p.drawPath(path);
    arrowHead(p, QPointF(3, 9), QPointF(-1, 0), accent(m));
}

const std::map<QString, Draw>& drawings() {
    static const std::map<QString, Draw> all = {
        {QStringLiteral("new"),
         [](QPainter& p, QIcon::Mode m) {
             page(p, m);
             p.setPen(pen(accent(m), 2.0));
             p.drawLine(QPointF(12, 11), QPointF(12, 18));
             p.drawLine(QPointF(8.5, 14.5), QPointF(15.5, 14.5));
         }},
        {QStringLiteral("open"),
         [](QPainter& p, QIcon::Mode m) {
             p.setPen(pen(ink(m), 1.6));
             p.setBrush(QColor(0xf4, 0xc8, 0x5a));
             QPainterPath back;
             back.moveTo(2.5, 19.5);
             back.lineTo(2.5, 5);
             back.lineTo(9, 5);
             back.lineTo(11, 7.5);
             back.lineTo(19.5, 7.5);
             back.lineTo(19.5, 10);
             p.drawPath(back);
             QPolygonF front({QPointF(2.5, 19.5), QPointF(6, 10.5), QPointF(22, 10.5), QPointF(18.5, 19.5)});
             p.setBrush(QColor(0xf9, 0xdb, 0x8a));
             p.drawPolygon(front);
         }},
        {QStringLiteral("save"),
         [](QPainter& p, QIcon::Mode m) {
             p.setPen(pen(ink(m), 1.6));
             p.setBrush(accent(m));
             QPainterPath body;
             body.moveTo(3.5, 3.5);
             body.lineTo(17, 3.5);
             body.lineTo(20.5, 7);
             body.lineTo(20.5, 20.5);
             body.lineTo(3.5, 20.5);
             body.closeSubpath();
             p.drawPath(body);
             p.setBrush(Qt::white);
             p.drawRect(QRectF(7, 3.5, 9, 6));
             p.drawRect(QRectF(6.5, 13, 11, 7.5));
         }},
        {QStringLiteral("export"),
         [](QPainter& p, QIcon::Mode m) {
             p.setPen(pen(ink(m), 1.6));
             p.setBrush(Qt::white);
             p.drawRoundedRect(QRectF(2.5, 6.5, 14, 14), 1.5, 1.5);
             p.setPen(pen(accent(m), 2.2));
             p.drawLine(QPointF(9, 14), QPointF(19, 4));
             arrowHead(p, QPointF(21.5, 2.5), QPointF(0.707, -0.707), accent(m));
         }},
        {QStringLiteral("random-facade"),
         [](QPainter& p, QIcon::Mode m) {
             // A small facade: cornice, two floors of windows, a door; a die's pips would say "random"
             // less clearly than a building does.
             p.setPen(pen(ink(m), 1.4));
             p.setBrush(m == QIcon::Disabled ? QColor(0xdd, 0xdf, 0xe2) : QColor(0x3f, 0x6f, 0xd8));
             p.drawRect(QRectF(4, 4.5, 16, 17));
             p.setPen(Qt::NoPen);
             p.setBrush(warm(m));
             p.drawRect(QRectF(3, 3, 18, 2.5));
             p.setBrush(Qt::white);
             for (const double y : {8.0, 13.0})
                 for (const double x : {6.5, 10.75, 15.0}) p.drawRect(QRectF(x, y, 2.5, 3));
             p.setBrush(warm(m));
             p.drawRect(QRectF(10.5, 17, 3, 4.5));
         }},
        {QStringLiteral("undo"), [](QPainter& p, QIcon::Mode m) { undoArrow(p, m, false); }},
        {QStringLiteral("redo"), [](QPainter& p, QIcon::Mode m) { undoArrow(p, m, true); }},
        {QStringLiteral("brush"),
         [](QPainter& p, QIcon::Mode m) {
             p.setPen(pen(ink(m), 1.4));
             p.setBrush(QColor(0xc8, 0x9b, 0x6a));
             QPolygonF handle({QPointF(20.5, 2), QPointF(22, 3.5), QPointF(13, 14), QPointF(10, 11)});
             p.drawPolygon(handle);
             p.setBrush(accent(m));
             QPainterPath tip;
             tip.moveTo(9.5, 11.5);
             tip.lineTo(12.5, 14.5);
             tip.cubicTo(12, 19, 8, 21.5, 2, 22);
             tip.cubicTo(3, 19, 3.5, 13, 9.5, 11.5);
             p.drawPath(tip);
         }},
        {QStringLiteral("eraser"),
         [](QPainter& p, QIcon::Mode m) {
             p.setPen(pen(ink(m), 1.5));
             p.translate(12, 12);
             p.rotate(-40);
             p.setBrush(QColor(0xee, 0x88, 0x99));
             p.drawRoundedRect(QRectF(-2, -5, 10, 10), 1.5, 1.5);
             p.setBrush(Qt::white);
             p.drawRoundedRect(QRectF(-9, -5, 7, 10), 1.5, 1.5);
             p.resetTransform();
         }},
        {QStringLiteral("rectangle"),
         [](QPainter& p, QIcon::Mode m) {
             p.setPen(pen(ink(m), 1.6));
             QColor fill = accent(m);
             fill.setAlpha(170);
             p.setBrush(fill);
             p.drawRect(QRectF(3.5, 5.5, 17, 13));
         }},
        {QStringLiteral("ellipse"),
         [](QPainter& p, QIcon::Mode m) {
             p.setPen(pen(ink(m), 1.6));
             QColor fill = accent(m);
             fill.setAlpha(170);
             p.setBrush(fill);
             p.drawEllipse(QRectF(3, 5.5, 18, 13));
         }},
        {QStringLiteral("line"),
         [](QPainter& p, QIcon::Mode m) {
             p.setPen(pen(ink(m), 2.2));
             p.drawLine(QPointF(4.5, 19.5), QPointF(19.5, 4.5));
             p.setPen(pen(ink(m), 1.2));
             p.setBrush(accent(m));
             p.drawEllipse(QPointF(4.5, 19.5), 2.2, 2.2);
             p.drawEllipse(QPointF(19.5, 4.5), 2.2, 2.2);
         }},
        {QStringLiteral("polygon"),
         [](QPainter& p, QIcon::Mode m) {
             const QPolygonF corners(
                 {QPointF(4, 18.5), QPointF(6.5, 6), QPointF(14, 3.5), QPointF(20.5, 11), QPointF(15.5, 20)});
             p.setPen(pen(ink(m), 1.6));
             QColor fill = accent(m);
             fill.setAlpha(170);
             p.setBrush(fill);
             p.drawPolygon(corners);
             p.setPen(pen(ink(m), 1.0));
             p.setBrush(Qt::white);
             for (const QPointF& c : corners) p.drawRect(QRectF(c - QPointF(1.6, 1.6), QSizeF(3.2, 3.2)));
         }},
        {QStringLiteral("swap-colours"),
         [](QPainter& p, QIcon::Mode m) {
             p.setPen(pen(ink(m), 1.4));
             p.setBrush(Qt::white);
             p.drawRect(QRectF(9.5, 9.5, 11, 11));
             p.setBrush(accent(m));
             p.drawRect(QRectF(3.5, 3.5, 11, 11));
             QPainterPath arc;
             arc.moveTo(17, 3.5);
             arc.quadTo(20.5, 3.5, 20.5, 6.5);
             p.setPen(pen(ink(m), 1.4));
             p.setBrush(Qt::NoBrush);
             p.drawPath(arc);
             arrowHead(p, QPointF(20.5, 8), QPointF(0, 1), ink(m));
         }},
        {QStringLiteral("fill"),
         [](QPainter& p, QIcon::Mode m) {
             p.setPen(pen(ink(m), 1.5));
             p.translate(10, 12);
             p.rotate(-35);
             p.setBrush(Qt::white);
             p.drawRoundedRect(QRectF(-6, -5, 12, 12), 1.5, 1.5);
             p.setBrush(accent(m));
             p.drawRect(QRectF(-6, -5, 12, 4));
             p.resetTransform();
             p.setPen(Qt::NoPen);
             p.setBrush(accent(m));
             QPainterPath drop;
             drop.moveTo(19.5, 12);
             drop.cubicTo(21.5, 16, 22.5, 17.5, 19.5, 19.5);
             drop.cubicTo(16.5, 17.5, 17.5, 16, 19.5, 12);
             p.drawPath(drop);
         }},
        {QStringLiteral("eyedropper"),
         [](QPainter& p, QIcon::Mode m) {
             p.translate(12, 12);
             p.rotate(45);
             p.setPen(pen(ink(m), 1.4));
             p.setBrush(ink(m));
             p.drawRoundedRect(QRectF(-3, -11, 6, 5), 1.5, 1.5);
             p.setBrush(Qt::white);
             p.drawRect(QRectF(-2, -6, 4, 11));
             p.setBrush(accent(m));
             p.drawRect(QRectF(-2, 0, 4, 5));
             QPolygonF tip({QPointF(-1.2, 5), QPointF(1.2, 5), QPointF(0, 10)});
             p.drawPolygon(tip);
             p.resetTransform();
         }},
        {QStringLiteral("zoom-in"),
         [](QPainter& p, QIcon::Mode m) {
             magnifier(p, m);
             p.setPen(pen(accent(m), 2.0));
             p.drawLine(QPointF(10, 6.5), QPointF(10, 13.5));
             p.drawLine(QPointF(6.5, 10), QPointF(13.5, 10));
         }},
        {QStringLiteral("zoom-out"),
         [](QPainter& p, QIcon::Mode m) {
             magnifier(p, m);
             p.setPen(pen(accent(m), 2.0));
             p.drawLine(QPointF(6.5, 10), QPointF(13.5, 10));
         }},
        {QStringLiteral("zoom-fit"),
         [](QPainter& p, QIcon::Mode m) {
             p.setPen(pen(ink(m), 2.0));
             for (int i = 0; i < 4; ++i) {
                 p.save();
                 p.translate(12, 12);
                 p.rotate(90 * i);
                 p.drawPolyline(QPolygonF({QPointF(-9, -4), QPointF(-9, -9), QPointF(-4, -9)}));
                 p.restore();
             }
             p.setPen(Qt::NoPen);
             p.setBrush(accent(m));
             p.drawRect(QRectF(7, 7, 10, 10));
         }},
        {QStringLiteral("zoom-100"),
         [](QPainter& p, QIcon::Mode m) {
             p.setPen(pen(ink(m), 1.6));
             p.setBrush(Qt::white);
             p.drawRect(QRectF(3.5, 3.5, 17, 17));
             p.setPen(Qt::NoPen);
             p.setBrush(accent(m));
             for (int y = 0; y < 4; ++y)
                 for (int x = 0; x < 4; ++x)
                     if ((x + y) % 2 == 0) p.drawRect(QRectF(4 + x * 4, 4 + y * 4, 4, 4));
         }},
        {QStringLiteral("clear"),
         [](QPainter& p, QIcon::Mode m) {
             page(p, m);
             p.setPen(pen(QColor(0xd0, 0x45, 0x45), 2.2));
             p.drawLine(QPointF(8.5, 11), QPointF(15.5, 18));
             p.drawLine(QPointF(15.5, 11), QPointF(8.5, 18));
         }},
        {QStringLiteral("overlay"),
         [](QPainter& p, QIcon::Mode m) {
             p.setPen(pen(ink(m), 1.5));
             p.setBrush(Qt::white);
             p.drawRect(QRectF(2.5, 2.5, 13, 13));
             QColor top = accent(m);
             top.setAlpha(160);
             p.setBrush(top);
             p.drawRect(QRectF(8.5, 8.5, 13, 13));
         }},
        {QStringLiteral("compare"),
         [](QPainter& p, QIcon::Mode m) {
             // Before | after with a divider and its grip.
             p.setPen(Qt::NoPen);
             p.setBrush(m == QIcon::Disabled ? QColor(0xdd, 0xdf, 0xe2) : QColor(0x3f, 0x6f, 0xd8));
             p.drawRect(QRectF(3, 4, 9, 16));
             p.setBrush(m == QIcon::Disabled ? QColor(0xe8, 0xe9, 0xeb) : QColor(0xc9, 0xb0, 0x8c));
             p.drawRect(QRectF(12, 4, 9, 16));
             p.setPen(pen(ink(m), 1.4));
             p.setBrush(Qt::NoBrush);
             p.drawRect(QRectF(3, 4, 18, 16));
             p.drawLine(QPointF(12, 2), QPointF(12, 22));
             p.setBrush(Qt::white);
             p.drawRoundedRect(QRectF(10, 9, 4, 6), 1.2, 1.2);
         }},
        {QStringLiteral("variation"),
         [](QPainter& p, QIcon::Mode m) {
             p.setPen(pen(ink(m), 1.5));
             p.setBrush(Qt::white);
             p.drawRoundedRect(QRectF(3, 3, 18, 18), 3.5, 3.5);
             p.setPen(Qt::NoPen);
             p.setBrush(warm(m));
             for (const QPointF c :
                  {QPointF(8, 8), QPointF(12, 12), QPointF(16, 16), QPointF(16, 8), QPointF(8, 16)})
                 p.drawEllipse(c, 1.8, 1.8);
         }},
        {QStringLiteral("heatmap"),
         [](QPainter& p, QIcon::Mode m) {
             const QColor cells[3][3] = {
                 {QColor(0x2b, 0x4c, 0xc4), QColor(0x3c, 0xb4, 0xe6), QColor(0x7e, 0xd3, 0x62)},
                 {QColor(0x3c, 0xb4, 0xe6), QColor(0xf5, 0xd3, 0x3b), QColor(0xf0, 0x8a, 0x2a)},
                 {QColor(0x7e, 0xd3, 0x62), QColor(0xf0, 0x8a, 0x2a), QColor(0xd6, 0x32, 0x2c)}};
             p.setPen(Qt::NoPen);
             for (int y = 0; y < 3; ++y)
                 for (int x = 0; x < 3; ++x) {
                     p.setBrush(m == QIcon::Disabled ? QColor(0xc4, 0xc7, 0xcc) : cells[y][x]);
                     p.drawRect(QRectF(3 + x * 6, 3 + y * 6, 6, 6));
                 }
             p.setPen(pen(ink(m), 1.4));
             p.setBrush(Qt::NoBrush);
             p.drawRect(QRectF(3, 3, 18, 18));
         }},
        {QStringLiteral("model"),
         [](QPainter& p, QIcon::Mode m) {
             p.setPen(pen(ink(m), 1.3));
             const double xs[3] = {4, 12, 20};
             const int counts[3] = {3, 2, 3};
             for (int a = 0; a < 2; ++a)
                 for (int i = 0; i < counts[a]; ++i)
                     for (int j = 0; j < counts[a + 1]; ++j)
                         p.drawLine(QPointF(xs[a], 12 + (i - (counts[a] - 1) / 2.0) * 6),
                                    QPointF(xs[a + 1], 12 + (j - (counts[a + 1] - 1) / 2.0) * 6));
             p.setBrush(accent(m));
             for (int a = 0; a < 3; ++a)
                 for (int i = 0; i < counts[a]; ++i)
                     p.drawEllipse(QPointF(xs[a], 12 + (i - (counts[a] - 1) / 2.0) * 6), 2.4, 2.4);
         }},
        {QStringLiteral("edges-photo"),
         [](QPainter& p, QIcon::Mode m) {
             p.setPen(pen(ink(m), 1.5));
             p.setBrush(Qt::white);
             p.drawRoundedRect(QRectF(2.5, 4.5, 19, 15), 2, 2);
             p.setPen(pen(ink(m), 1.4));
             p.drawPolyline(QPolygonF(
                 {QPointF(4, 17), QPointF(9, 10), QPointF(13, 15), QPointF(16, 12), QPointF(20, 17)}));
             p.setPen(Qt::NoPen);
             p.setBrush(warm(m));
             p.drawEllipse(QPointF(16.5, 8.5), 1.8, 1.8);
         }},
    };
    return all;
}

class PaintedIconEngine : public QIconEngine {
public:
    PaintedIconEngine(QString name, Draw draw) : name_(std::move(name)), draw_(std::move(draw)) {}

    void paint(QPainter* painter, const QRect& rect, QIcon::Mode mode, QIcon::State) override {
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing, true);
        painter->translate(rect.topLeft());
        painter->scale(rect.width() / 24.0, rect.height() / 24.0);
        QPainter& p = *painter;
        draw_(p, mode);
        painter->restore();
    }

    QPixmap pixmap(const QSize& size, QIcon::Mode mode, QIcon::State state) override {
        return scaledPixmap(size, mode, state, 1.0);
    }

    QPixmap scaledPixmap(const QSize& size, QIcon::Mode mode, QIcon::State state, qreal scale) override {
        const QSize device = size * scale;
        const QString key = QStringLiteral("p2p-icon-%1-%2x%3-%4")
                                .arg(name_)
                                .arg(device.width())
                                .arg(device.height())
                                .arg(int(mode));
        QPixmap pm;
        if (!QPixmapCache::find(key, &pm)) {
            pm = QPixmap(device);
            pm.fill(Qt::transparent);
            QPainter painter(&pm);
            paint(&painter, QRect(QPoint(0, 0), device), mode, state);
            painter.end();
            QPixmapCache::insert(key, pm);
        }
        pm.setDevicePixelRatio(scale);
        return pm;
    }

    QIconEngine* clone() const override { return new PaintedIconEngine(name_, draw_); }
    QString key() const override { return QStringLiteral("p2p-painted"); }
    QString iconName() override { return name_; }

private:
    QString name_;
    Draw draw_;
};

}  // namespace

QIcon studioIcon(const QString& name) {
    const auto& all = drawings();
    const auto it = all.find(name);
    if (it == all.end()) return {};
    return QIcon(new PaintedIconEngine(name, it->second));
}

}  // namespace p2p::ui
