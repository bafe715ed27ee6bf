#pragma once

// Model ▸ Recent runs: the runs the training panel wrote (run folders under AppLocalDataLocation/runs, as
// TrainingPanel::defaultRunFolder() names them), newest first, each with the newest model it has. Reads file
// names and dates only (no model headers), so it is quick enough to run whenever the Model menu opens.

#include <QDateTime>
#include <QString>
#include <QVector>

namespace p2p::ui {

struct RecentRun {
    QString name;     // the run folder's name (RunFolder::name()), as the panel shows it
    QString folder;   // the run folder
    QString model;    // its newest model (RunFolder::newestModel()): what the menu loads
    QDateTime date;   // when that model was written
    QString summary;  // one line from options.json (data, direction, epochs), "" when it cannot be read
};

// Where the training panel puts its runs: <AppLocalDataLocation>/runs.
QString defaultRunsDirectory();

// The run folders directly under `runsDirectory` that hold a model, newest model first, at most `limit`.
QVector<RecentRun> findRecentRuns(const QString& runsDirectory = defaultRunsDirectory(), int limit = 8);

// The menu's text for a run: "NAME — DATE".
QString recentRunText(const RecentRun& run);

}  // namespace p2p::ui
