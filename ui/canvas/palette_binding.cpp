#include "ui/canvas/palette_binding.h"

#include "ui/canvas/canvas_view.h"
#include "ui/image_convert.h"
#include "ui/palette_widget.h"

namespace p2p::ui {

void bindPalette(PaletteWidget* palette, CanvasView* canvas) {
    // Each side only signals real changes, so the round trip ends after one step.
    QObject::connect(palette, &PaletteWidget::currentIndexChanged, canvas, [palette, canvas](int i) {
        if (i >= 0 && i < palette->entries().size()) canvas->setColour(toBgr(palette->entries()[i].colour));
    });
    QObject::connect(palette, &PaletteWidget::secondaryIndexChanged, canvas, [palette, canvas](int i) {
        if (i >= 0 && i < palette->entries().size())
            canvas->setSecondaryColour(toBgr(palette->entries()[i].colour));
    });
    QObject::connect(palette, &PaletteWidget::swapRequested, canvas, &CanvasView::swapColours);
    QObject::connect(canvas, &CanvasView::coloursChanged, palette,
                     [palette](const cv::Vec3b& primary, const cv::Vec3b& secondary) {
                         const int p = palette->indexOf(toQColor(primary));
                         const int s = palette->indexOf(toQColor(secondary));
                         if (s >= 0) palette->setSecondaryIndex(s);
                         if (p >= 0) palette->setCurrentIndex(p);
                     });
}

}  // namespace p2p::ui
