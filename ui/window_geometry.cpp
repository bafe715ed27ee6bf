#include "ui/window_geometry.h"

#include <QGuiApplication>
#include <QListWidget>
#include <QMainWindow>
#include <QScreen>
#include <QScrollBar>
#include <QStyle>

#include <algorithm>

#include "ui/palette_widget.h"

namespace p2p::ui {

QRect clampToAvailable(const QRect& geometry, const QRect& available) {
    if (available.isEmpty() || !geometry.isValid()) return geometry;
    const int w = std::min(geometry.width(), available.width());
    const int h = std::min(geometry.height(), available.height());
    const int x = std::clamp(geometry.x(), available.left(), available.left() + available.width() - w);
    const int y = std::clamp(geometry.y(), available.top(), available.top() + available.height() - h);
    return {x, y, w, h};
}

bool restoreWindowLayout(QMainWindow* window, const QByteArray& geometry, const QByteArray& state,
                         QSize fallback) {
    const bool restored = !geometry.isEmpty() && window->restoreGeometry(geometry);
    if (!restored) window->resize(fallback);
    window->restoreState(state);
    if (window->isMaximized() || window->isFullScreen()) return restored;
    // The screen under the window's centre, else the one it is on, else the primary one.
    QScreen* screen = QGuiApplication::screenAt(window->geometry().center());
    if (!screen) screen = window->screen();
    if (!screen) screen = QGuiApplication::primaryScreen();
    if (!screen) return restored;
    const QRect clamped = clampToAvailable(window->geometry(), screen->availableGeometry());
    if (clamped != window->geometry()) window->setGeometry(clamped);
    return restored;
}

int paletteMinimumWidth(const PaletteWidget* palette) {
    const auto* list = palette->findChild<QListWidget*>();
    if (!list || list->count() == 0) return 0;
    // The delegate's widest row (swatch, name, shortcut), the list's frame and a vertical scroll bar.
    const int rows = list->sizeHintForColumn(0);
    const int frame = 2 * list->frameWidth();
    const int scrollBar = list->style()->pixelMetric(QStyle::PM_ScrollBarExtent, nullptr, list);
    return rows + frame + scrollBar + 4;
}

}  // namespace p2p::ui
