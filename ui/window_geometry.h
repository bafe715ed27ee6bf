#pragma once

// Window and dock sizes that stay usable (issue 17 defect 7): a restored geometry is clamped to the screen
// it will show on (a window saved on a larger or a detached monitor otherwise opens partly off screen), and
// the class list keeps the width its names need, so a squeezed dock cannot stay squeezed or be restored so.

#include <QByteArray>
#include <QRect>

class QMainWindow;

namespace p2p::ui {

class PaletteWidget;

// `geometry` moved and, where it does not fit, shrunk into `available` (a screen's available geometry).
// Inside already: unchanged. An empty `available` (no screen known) leaves it as it is.
QRect clampToAvailable(const QRect& geometry, const QRect& available);

// Restores the saved geometry and dock/toolbar state, else gives the window `fallback` size; either way the
// result is clamped to the screen it lands on. Returns whether a saved geometry was restored.
bool restoreWindowLayout(QMainWindow* window, const QByteArray& geometry, const QByteArray& state,
                         QSize fallback);

// The narrowest the class list may be with every row's swatch, name and shortcut whole (and room for the
// scroll bar). Call after its entries change.
int paletteMinimumWidth(const PaletteWidget* palette);

}  // namespace p2p::ui
