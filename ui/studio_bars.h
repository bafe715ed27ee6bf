#pragma once

// The studio window's menus, toolbars and status-bar fields, built from its actions (ui/studio_actions.h).
// Widgets only; what they do is connected by the window.

#include <QElapsedTimer>
#include <QList>
#include <QPoint>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QVector>

#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "ui/preview/frame_rate.h"

class QAction;
class QComboBox;
class QFrame;
class QLabel;
class QMainWindow;
class QMenu;
class QSlider;
class QSpinBox;
class QToolBar;
class QWidget;

namespace p2p::ui {

class ModelController;
struct RecentRun;
struct StudioActions;
struct StarterExample;

struct StudioMenus {
    QMenu* recent;
    QMenu* examples;
    QMenu* model;
    QMenu* view;  // the window adds its docks' toggles
};
StudioMenus buildMenus(QMainWindow* window, const StudioActions& actions);

// Model ▸ the embedded models and the recent training runs (checked: the loaded one; `load` is called with a
// model's path), then the model and preview actions.
void fillModelMenu(QMenu* menu, const StudioActions& actions, const ModelController& models,
                   const QVector<RecentRun>& runs, const std::function<void(const QString&)>& load);
// File ▸ Examples: the starter label maps and sketches.
void fillExamplesMenu(QMenu* menu, const QVector<StarterExample>& examples,
                      const std::function<void(const StarterExample&)>& open);
// File ▸ Open Recent.
void fillRecentMenu(QMenu* menu, const QStringList& files, const std::function<void(const QString&)>& open,
                    const std::function<void()>& clear);

struct StudioToolBars {
    QComboBox* mode;
    QSpinBox* brush;
    QSlider* overlayOpacity;
    QAction* overlayOpacityAction;  // shown with the overlay only
    QSpinBox* seed;
};
StudioToolBars buildToolBars(QMainWindow* window, const StudioActions& actions, QMenu* viewMenu);

// A view under a caption line (the canvas's or the preview's); `caption` receives the line.
QWidget* captionedPane(QLabel*& caption, QWidget* view);

// The permanent fields at the right of the status bar. An empty field takes no room, and a separator stands
// only between two shown fields.
class StatusFields {
public:
    explicit StatusFields(QMainWindow* window);
    ~StatusFields();  // removes its event filters, which call it
    StatusFields(const StatusFields&) = delete;
    StatusFields& operator=(const StatusFields&) = delete;
    QLabel* cursor;
    QLabel* device;
    QLabel* model;
    QLabel* latency;
    void sync();  // after a text changed

    // The cursor field: the pixel under the mouse, described by `describePixel` (the class there). The
    // canvas changing under a still mouse (a fill, undo) calls refreshHover, so the class is current at once.
    std::function<QString(QPoint)> describePixel;
    void hover(QPoint pixel, bool inside);
    void refreshHover();
    void clearHover();
    void clearHoverOnLeave(QWidget* view);  // the mouse leaving `view` clears the field

    // The latency field: the last translation's time and the measured rate of frames shown (FrameRateMeter);
    // the rate goes when no frame came for a while.
    void frameShown(double latencyMs);
    void clearLatency();

private:
    void showLatency();

    std::vector<std::pair<QLabel*, QFrame*>> fields_;
    std::optional<QPoint> hover_;
    std::vector<QPointer<QObject>> filters_;
    FrameRateMeter frames_;
    QElapsedTimer clock_;
    QTimer idle_;  // fires when the rate window passed without a frame
    double latencyMs_ = 0;
};

}  // namespace p2p::ui
