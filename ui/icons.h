#pragma once

// The studio's icons, painted as vector shapes at whatever size and device pixel ratio Qt asks for, so
// they are sharp on high-DPI screens. (This Qt build has no SVG plugin; painting keeps them vector.)

#include <QIcon>
#include <QString>

namespace p2p::ui {

// Names: new, open, save, export, undo, redo, brush, eraser, line, rectangle, ellipse, polygon, fill,
// eyedropper, swap-colours, zoom-in, zoom-out, zoom-fit, zoom-100, clear, overlay, variation, heatmap, model,
// edges-photo.
// An unknown name gives a null icon.
QIcon studioIcon(const QString& name);

}  // namespace p2p::ui
