#pragma once

// Keeps the class list and the canvas in step, both ways: a row picked in the palette (click, number key)
// becomes the canvas's primary colour and a right-clicked row its secondary colour; the canvas's colours
// (swapColours, setSecondaryColour, the swap button) select the matching rows. Colours that are no row
// leave the palette as it is.

namespace p2p::ui {

class CanvasView;
class PaletteWidget;

void bindPalette(PaletteWidget* palette, CanvasView* canvas);

}  // namespace p2p::ui
