#pragma once

// The studio window's menus, toolbars and status-bar fields, built from its actions (ui/studio_actions.h).
// Widgets only; what they do is connected by the window.

#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <utility>
#include <vector>

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
struct StudioActions;

struct StudioMenus {
    QMenu* recent;
    QMenu* model;
    QMenu* view;  // the window adds its docks' toggles
};
StudioMenus buildMenus(QMainWindow* window, const StudioActions& actions);

// Model ▸ the embedded models (checked: the loaded one; `load` is called with a model's path), then the
// model and preview actions.
void fillModelMenu(QMenu* menu, const StudioActions& actions, const ModelController& models,
                   const std::function<void(const QString&)>& load);
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
    QLabel* cursor;
    QLabel* device;
    QLabel* model;
    QLabel* latency;
    void sync();  // after a text changed

private:
    std::vector<std::pair<QLabel*, QFrame*>> fields_;
};

}  // namespace p2p::ui
