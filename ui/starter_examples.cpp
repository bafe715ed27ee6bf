#include "ui/starter_examples.h"

#include <QCoreApplication>

namespace p2p::ui {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("p2p::ui::MainWindow", text);
}

}  // namespace

const QVector<StarterExample>& starterExamples() {
    static const QVector<StarterExample> examples{
        {tr("Townhouse (labels)"), QStringLiteral(":/examples/labels-townhouse.png"),
         CanvasKind::FacadeLabels},
        {tr("Apartment block (labels)"), QStringLiteral(":/examples/labels-apartments.png"),
         CanvasKind::FacadeLabels},
        {tr("Wide terrace, 512 × 256 (labels)"), QStringLiteral(":/examples/labels-terrace.png"),
         CanvasKind::FacadeLabels},
        {tr("Facade from the test set (labels)"), QStringLiteral(":/examples/facade-labels.png"),
         CanvasKind::FacadeLabels},
        {tr("Arched facade (sketch)"), QStringLiteral(":/examples/sketch-arches.png"), CanvasKind::Edges},
        {tr("Balconies (sketch)"), QStringLiteral(":/examples/sketch-balconies.png"), CanvasKind::Edges},
    };
    return examples;
}

}  // namespace p2p::ui
