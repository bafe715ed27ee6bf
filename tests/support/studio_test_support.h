#pragma once

// For the studio's tests (tests/ui): a window that asks nothing (no message boxes), keeps its settings in
// `settingsFile` instead of the user's, and runs one CPU thread without a warm-up, so tests are quick and alike.

#include <QString>

#include "ui/main_window.h"

namespace p2p::test {

inline ui::MainWindowOptions quietStudioOptions(const QString& settingsFile, bool loadStartupModel = false) {
    ui::MainWindowOptions o;
    o.interactive = false;
    o.loadStartupModel = loadStartupModel;
    o.settingsFile = settingsFile;
    o.engine.device = p2p::Device::cpu();
    o.engine.threads = 1;
    o.engine.warm_up = false;
    return o;
}

}  // namespace p2p::test
