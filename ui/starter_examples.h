#pragma once

// File ▸ Examples: starter label maps and sketches built into the studio (resources/examples, made by
// tools/make_examples.cpp), so the first result takes one click.

#include <QString>
#include <QVector>

#include "ui/canvas/label_document.h"

namespace p2p::ui {

struct StarterExample {
    QString title;     // for the menu
    QString resource;  // ":/examples/…png"
    CanvasKind kind;   // the canvas it opens in
};

// In menu order: the label maps, then the sketches.
const QVector<StarterExample>& starterExamples();

}  // namespace p2p::ui
