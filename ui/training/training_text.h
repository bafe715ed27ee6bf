#pragma once

// How the training panel writes numbers and states, in one place for its parts (progress, scan summary, log).

#include <QString>

#include "core/train/training_observer.h"

namespace p2p::ui {

// h:mm:ss; "–" for a time that is not known (negative or not finite).
QString formatDuration(double seconds);
// 12 345 678: thousands apart by a thin space, whatever the locale.
QString withSeparators(qint64 n);
// "running", "paused", …: for sentences such as "Training stopped."
QString trainingStateName(p2p::TrainingState state);

}  // namespace p2p::ui
