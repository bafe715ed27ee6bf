#include "ui/training/training_dock.h"

#include <QDockWidget>
#include <QMainWindow>
#include <QTimer>

#include <cmath>

#include "ui/training/training_panel.h"

namespace p2p::ui {

QDockWidget* addTrainingDock(QMainWindow* window, TrainingPanel* panel) {
    auto* dock = new QDockWidget(TrainingPanel::tr("Training"), window);
    // Not "trainingDock": window states saved before kept it at the bottom, across the canvas and preview.
    dock->setObjectName(QStringLiteral("trainingPanelDock"));
    dock->setWidget(panel);
    window->addDockWidget(Qt::RightDockWidgetArea, dock);
    dock->hide();
    QObject::connect(dock, &QDockWidget::visibilityChanged, window, [window, dock](bool visible) {
        if (!visible || dock->isFloating()) return;
        // After the layout has given the dock its width: only then is a too-wide dock known.
        QTimer::singleShot(0, window, [window, dock] {
            if (dock->isVisible() && !dock->isFloating() &&
                dock->width() > kTrainingDockMostShare * window->width())
                window->resizeDocks({dock}, {int(std::lround(kTrainingDockShare * window->width()))},
                                    Qt::Horizontal);
        });
    });
    return dock;
}

}  // namespace p2p::ui
