#include "ui/studio_actions.h"

#include <QAction>
#include <QActionGroup>
#include <QCoreApplication>
#include <QKeySequence>

#include "ui/canvas/canvas_view.h"
#include "ui/icons.h"

namespace p2p::ui {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("p2p::ui::MainWindow", text);
}

QAction* make(QObject* owner, const QString& text, const QString& icon = {}, const QKeySequence& key = {}) {
    auto* a = new QAction(icon.isEmpty() ? QIcon() : studioIcon(icon), text, owner);
    if (!key.isEmpty()) a->setShortcut(key);
    return a;
}

QAction* checkable(QAction* a, bool checked = false) {
    a->setCheckable(true);
    a->setChecked(checked);
    return a;
}

QAction* tool(QActionGroup* group, const QString& text, const QString& icon, const QString& key, Tool t,
              const QString& tip) {
    auto* a = checkable(make(group, text, icon, QKeySequence(key)));
    a->setData(int(t));
    a->setToolTip(QStringLiteral("%1 (%2) — %3").arg(QString(text).remove(QLatin1Char('&')), key, tip));
    return a;
}

}  // namespace

StudioActions::StudioActions(QObject* owner) {
    newCanvas = make(owner, tr("&New…"), QStringLiteral("new"), QKeySequence::New);
    randomFacade =
        make(owner, tr("&Random Facade"), QStringLiteral("random-facade"), QKeySequence(tr("Ctrl+Shift+R")));
    randomFacade->setToolTip(
        tr("Lay out a new random facade on the label canvas: floors, windows, door, cornice, balconies, shop "
           "band (Ctrl+Shift+R; Ctrl+Z undoes it)"));
    open = make(owner, tr("&Open…"), QStringLiteral("open"), QKeySequence::Open);
    openPhoto = make(owner, tr("Open &Photo as Edges…"), QStringLiteral("edges-photo"),
                     QKeySequence(tr("Ctrl+Shift+O")));
    save = make(owner, tr("&Save"), QStringLiteral("save"), QKeySequence::Save);
    saveAs = make(owner, tr("Save &As…"), QString(), QKeySequence(tr("Ctrl+Shift+S")));
    exportResult = make(owner, tr("&Export Result…"), QStringLiteral("export"), QKeySequence(tr("Ctrl+E")));
    exportSideBySide = make(owner, tr("Export Side &by Side…"), QString(), QKeySequence(tr("Ctrl+Shift+E")));
    quit = make(owner, tr("&Quit"), QString(), QKeySequence::Quit);

    loadModel = make(owner, tr("&Load Model…"), QStringLiteral("model"), QKeySequence(tr("Ctrl+L")));
    modelInfo = make(owner, tr("Model &Information…"), QString(), QKeySequence(tr("Ctrl+I")));
    exportModel = make(owner, tr("E&xport Model…"));
    exportModel->setToolTip(tr("The loaded model as .p2pm, ONNX or a reference-format .pth"));

    undo = make(owner, tr("&Undo"), QStringLiteral("undo"), QKeySequence::Undo);
    redo = make(owner, tr("&Redo"), QStringLiteral("redo"));
    redo->setShortcuts({QKeySequence(tr("Ctrl+Shift+Z")), QKeySequence(tr("Ctrl+Y"))});
    clear =
        make(owner, tr("&Clear Canvas"), QStringLiteral("clear"), QKeySequence(tr("Ctrl+Shift+Backspace")));

    tools = new QActionGroup(owner);
    brush = tool(tools, tr("&Brush"), QStringLiteral("brush"), QStringLiteral("B"), Tool::Brush,
                 tr("paint with the selected class"));
    eraser = tool(tools, tr("&Eraser"), QStringLiteral("eraser"), QStringLiteral("E"), Tool::Eraser,
                  tr("paint the secondary class (facade at first; X swaps) or white paper on a sketch"));
    line = tool(tools, tr("&Line"), QStringLiteral("line"), QStringLiteral("L"), Tool::Line,
                tr("drag a straight line at the pen width; Shift snaps to 45°"));
    rectangle = tool(tools, tr("&Rectangle"), QStringLiteral("rectangle"), QStringLiteral("R"),
                     Tool::Rectangle, tr("drag a rectangle: filled on a label map, an outline on a sketch"));
    ellipse = tool(tools, tr("E&llipse"), QStringLiteral("ellipse"), QStringLiteral("O"), Tool::Ellipse,
                   tr("drag an ellipse: filled on a label map, an outline on a sketch; Shift: a circle"));
    polygon = tool(tools, tr("&Polygon"), QStringLiteral("polygon"), QStringLiteral("P"), Tool::Polygon,
                   tr("click the corners; double-click, Enter or the first corner closes it, Escape drops it"));
    fill = tool(tools, tr("&Fill"), QStringLiteral("fill"), QStringLiteral("F"), Tool::Fill,
                tr("fill the connected area of one colour"));
    eyedropper = tool(tools, tr("E&yedropper"), QStringLiteral("eyedropper"), QStringLiteral("I"),
                      Tool::Eyedropper, tr("pick a class from the canvas"));
    brush->setChecked(true);
    swapColours = make(owner, tr("S&wap Colours"), QStringLiteral("swap-colours"), QKeySequence(QStringLiteral("X")));
    swapColours->setToolTip(tr("Swap the primary and secondary class; the right button paints the secondary (X)"));
    biggerBrush = make(owner, tr("&Bigger Brush"), QString(), QKeySequence(QStringLiteral("]")));
    smallerBrush = make(owner, tr("&Smaller Brush"), QString(), QKeySequence(QStringLiteral("[")));

    overlay = checkable(
        make(owner, tr("&Overlay Preview on Canvas"), QStringLiteral("overlay"), QKeySequence(tr("Ctrl+T"))));
    overlay->setToolTip(
        tr("Overlay the preview on the canvas instead of showing them side by side (Ctrl+T)"));
    compare = checkable(
        make(owner, tr("&Compare Canvas and Photo"), QStringLiteral("compare"), QKeySequence(tr("Ctrl+K"))));
    compare->setToolTip(
        tr("Split the preview: the canvas left of a divider, the photo right of it; drag the "
           "divider (Ctrl+K)"));
    heatmap = checkable(make(owner, tr("Show D &Heatmap"), QStringLiteral("heatmap"), QKeySequence(tr("H"))));
    heatmap->setToolTip(tr("Overlay the discriminator's sigmoid(D(label, generated)) per patch (H)"));
    zoomIn = make(owner, tr("Zoom &In"), QStringLiteral("zoom-in"), QKeySequence::ZoomIn);
    zoomOut = make(owner, tr("Zoom &Out"), QStringLiteral("zoom-out"), QKeySequence::ZoomOut);
    zoomFit = make(owner, tr("&Fit to Window"), QStringLiteral("zoom-fit"), QKeySequence(tr("Ctrl+0")));
    zoom100 = make(owner, tr("&Actual Pixels"), QStringLiteral("zoom-100"), QKeySequence(tr("Ctrl+1")));

    deterministic =
        checkable(make(owner, tr("&Deterministic Preview"), QString(), QKeySequence(tr("Ctrl+D"))),
                  /*checked=*/true);
    deterministic->setToolTip(tr("No dropout: the same canvas always gives the same image"));
    deterministic->setIconText(tr("Deterministic"));
    variation = make(owner, tr("New &Variation"), QStringLiteral("variation"), QKeySequence(tr("Ctrl+R")));
    variation->setToolTip(
        tr("Paper mode: dropout on with a new seed, as the paper samples outputs (Ctrl+R)"));
    auto* norm = new QActionGroup(owner);
    normImage = checkable(make(norm, tr("&Image Statistics")));
    normImage->setToolTip(tr("Normalise with each image's own statistics (as the paper's test time)"));
    normRunning = checkable(make(norm, tr("&Running Statistics")));
    normRunning->setToolTip(tr("Normalise with the statistics stored in the model (eval mode)"));

    about = make(owner, tr("&About Pix2Pix Studio"));
}

}  // namespace p2p::ui
