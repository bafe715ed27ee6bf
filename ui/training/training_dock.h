#pragma once

// Where the studio shows the training panel: a dock on the right of the window, hidden until asked for, about
// 37% of the window's width, so that the canvas and the preview stay in view and usable while a model trains.

class QDockWidget;
class QMainWindow;

namespace p2p::ui {

class TrainingPanel;

// The share of the window's width the dock takes when it opens wider than kTrainingDockMostShare.
inline constexpr double kTrainingDockShare = 0.37;
inline constexpr double kTrainingDockMostShare = 0.42;

// Adds `panel` in a hidden dock on the right of `window`. Each time it opens wider than
// kTrainingDockMostShare of the window (the first time, or a width restored from a larger window) it is set
// to kTrainingDockShare.
QDockWidget* addTrainingDock(QMainWindow* window, TrainingPanel* panel);

}  // namespace p2p::ui
