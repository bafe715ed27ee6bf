#pragma once

// The studio window's actions with their texts, icons, shortcuts and tooltips. Made here, connected by the
// window (ui/main_window.cpp), placed in menus and toolbars by ui/studio_bars.h.

class QAction;
class QActionGroup;
class QObject;

namespace p2p::ui {

struct StudioActions {
    explicit StudioActions(QObject* owner);  // the actions are the owner's children

    // File and Model
    QAction *newCanvas, *randomFacade, *open, *openPhoto, *save, *saveAs, *exportResult, *exportSideBySide,
        *quit;
    QAction *loadModel, *modelInfo, *exportModel;
    // Edit
    QAction *undo, *redo, *clear;
    // Tools: each tool action's data() is its Tool
    QActionGroup* tools;
    QAction *brush, *eraser, *line, *rectangle, *ellipse, *polygon, *fill, *eyedropper;
    QAction *swapColours, *biggerBrush, *smallerBrush;
    // View
    QAction *overlay, *compare, *heatmap, *zoomIn, *zoomOut, *zoomFit, *zoom100;
    // Preview
    QAction *deterministic, *variation, *normImage, *normRunning;
    // Help
    QAction* about;
};

}  // namespace p2p::ui
